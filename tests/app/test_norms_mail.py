"""The weekly warning e-mail: one per shop per ISO week, also with two workers running the check at once."""
from __future__ import annotations

import re
import socket
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller

from inbox import create_app
from inbox.extensions import db
from inbox.models import NormNotice, NormSettings, Order, Shop, User
from inbox.schema import install_schema
from inbox.services import norms, tickets as ticket_service
from tests.conftest import TEST_DATABASE_URL

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=AMS)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def mail_app(app, smtp, tmp_path):
    """The test app on its own database file when the suite runs in memory (threads need a shared database)."""
    _, port = smtp
    config = {"TESTING": True, "SECRET_KEY": "t", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none",
              "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "BASE_URL": "https://inbox.example"}
    if TEST_DATABASE_URL.startswith("sqlite"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'mail.sqlite'}"
    mapp = create_app(config)
    with mapp.app_context():
        if TEST_DATABASE_URL.startswith("sqlite"):
            install_schema(db.engine)
        shop = Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam")
        db.session.add(shop)
        db.session.flush()
        db.session.add(User(shop_id=shop.id, email="owner@demo.example", display_name="Sanne", role="owner"))
        for day in (16, 17):
            for hour in range(9, 14):
                ticket_service.create_ticket(shop, subject=f"Vraag {day}-{hour}", body="Waar blijft het?",
                                             received_at=datetime(2026, 11, day, hour, tzinfo=AMS))
        db.session.commit()
    yield mapp
    with mapp.app_context():
        db.session.remove()
        db.engine.dispose()


def run_check(app, barrier, results):
    with app.app_context():
        barrier.wait()
        results.append(norms.run_checks(NOW))
        db.session.remove()


def test_two_workers_at_ten_misses_send_exactly_one_email(mail_app, smtp):
    handler, _ = smtp
    barrier, results = threading.Barrier(2), []
    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=run_check, args=(mail_app, barrier, results)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(map(len, results)) == [0, 1]
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["owner@demo.example"]
    body = envelope.content.decode()
    assert "10" in body and "https://inbox.example/reports" in body and "Vraag 16-9" in body
    with mail_app.app_context():
        notice = db.session.scalar(sa.select(NormNotice))
        assert (notice.iso_year, notice.iso_week, notice.count) == (2026, 47, 10)
        # Running again the same week sends nothing more.
        with time_machine.travel(NOW, tick=False):
            assert norms.run_checks(NOW) == []
    assert len(handler.messages) == 1


def test_nine_misses_send_nothing(mail_app, smtp):
    handler, _ = smtp
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        shop = db.session.scalar(sa.select(Shop))
        first = db.session.scalar(sa.select(norms.Ticket).order_by(norms.Ticket.id))
        ticket_service.reply(first, shop, "Eindelijk antwoord.", by=None, at=NOW)
        db.session.commit()
        assert norms.miss_count(shop, NOW) == 10  # answered late is still late
        first.first_reply_margin = 10            # pretend it was on time
        db.session.commit()
        assert norms.run_checks(NOW) == []
    assert handler.messages == []


def test_volume_email_only_when_opted_in_and_a_product_is_far_above(mail_app, smtp):
    handler, _ = smtp
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        shop = db.session.scalar(sa.select(Shop))
        db.session.execute(sa.delete(norms.Ticket.__table__))   # only volume matters here
        weeks = norms.metrics.weeks_back(NOW, AMS, 15)
        n = 0
        for i, week in enumerate(weeks[:-1]):
            questions = 8 if i == 13 else 1
            for q in range(questions):
                ticket_service.create_ticket(shop, subject="Past die?", body="Welke maat?", product="Regenjas",
                                             received_at=week.start.astimezone(AMS).replace(hour=10))
            for o in range(20):
                n += 1
                db.session.add(Order(shop_id=shop.id, order_number=str(n), product="Regenjas",
                                     ordered_at=week.start.astimezone(AMS).replace(hour=11)))
        db.session.commit()
        assert norms.run_checks(NOW) == []                     # not opted in
        db.session.add(NormSettings(shop_id=shop.id, volume_email=True))
        db.session.commit()
        assert norms.run_checks(NOW) == [("Demo Shop", "volume")]
        assert norms.run_checks(NOW) == []
    assert len(handler.messages) == 1
    assert "Regenjas" in handler.messages[0].content.decode()


def test_cli_command_runs_the_check(mail_app, smtp):
    handler, _ = smtp
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        result = mail_app.test_cli_runner().invoke(args=["norms", "check"])
    assert result.exit_code == 0 and "Demo Shop: response e-mail sent" in result.output
    assert len(handler.messages) == 1


def _only_message(handler):
    from email import message_from_bytes, policy
    assert len(handler.messages) == 1
    return message_from_bytes(handler.messages[0].content, policy=policy.default)


def test_the_warning_says_which_shop_it_comes_from_and_links_with_an_absolute_address(mail_app, smtp):
    handler, _ = smtp
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        norms.run_checks(NOW)
    message = _only_message(handler)
    assert message["From"].addresses[0].display_name == "Seller Inbox voor Demo Shop"   # the shop is Dutch
    body = message.get_content().replace("\r\n", "\n")
    assert "Bekijk de pagina Prestaties: https://inbox.example/reports\n" in body
    assert body.rstrip().endswith("-- \nSeller Inbox voor Demo Shop: gestuurd aan de eigenaren van de winkel, "
                                  "hooguit één keer per week.")


def test_without_a_public_address_the_warning_has_no_broken_link_and_the_check_says_why(mail_app, smtp):
    handler, _ = smtp
    mail_app.config["BASE_URL"] = None
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        result = mail_app.test_cli_runner().invoke(args=["norms", "check"])
    assert "Warning: the e-mails of Demo Shop cannot link to the performance page: set INBOX_BASE_URL" in result.output
    body = _only_message(handler).get_content().replace("\r\n", "\n")
    assert "/reports" not in body and "Bekijk de pagina Prestaties in Seller Inbox." in body


def test_the_owner_is_told_when_the_public_address_is_missing(mail_app):
    from tests.conftest import PASSWORD, sign_in
    with mail_app.app_context():
        owner = db.session.scalar(sa.select(User))
        owner.set_password(PASSWORD)
        db.session.commit()
    mail_app.config["WTF_CSRF_ENABLED"] = False
    client = mail_app.test_client()
    assert sign_in(client, "owner@demo.example").status_code == 302
    for path in ("/mail/settings", "/reports/settings"):
        assert 'id="base-url-notice"' not in client.get(path).get_data(as_text=True)
    mail_app.config["BASE_URL"] = ""
    for path in ("/mail/settings", "/reports/settings"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="base-url-notice"' in page and "INBOX_BASE_URL" in page and "http://localhost" in page
    # Mail goes out through the installation's server (INBOX_SMTP_HOST): every page says so.
    assert "E-mails go out without working links to Seller Inbox" in client.get("/tickets").get_data(as_text=True)


def test_the_norm_email_to_a_dutch_shop_is_dutch_to_the_last_line(mail_app, smtp):
    handler, _ = smtp
    with mail_app.app_context(), time_machine.travel(NOW, tick=False):
        assert norms.run_checks(NOW)
    body = _only_message(handler).get_content().replace("\r\n", "\n")
    late_lines = [line for line in body.splitlines() if line.startswith("- #")]
    assert len(late_lines) == 10
    assert all(re.search(r"\(\d+u(?: \d+m)? te laat\)$|\(\d+m te laat\)$", line) for line in late_lines), late_lines
    assert "late by" not in body
