"""The customer's side, §2: the contact page and the acknowledgement state the moment an answer is due."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import MailSettings, OutboundEmail, Ticket
from inbox.services import norms, outbox
from inbox.sla import group_weekdays
from tests.conftest import local
from tests.mailservers import smtp_sink  # noqa: F401  (fixture)

UTC = timezone.utc
QUESTION = {"name": "Els de Boer", "email": "els@example.com", "subject": "Maat", "body": "Valt de jas klein?"}


def test_group_weekdays_reads_like_opening_hours():
    day = (("09:00", "17:00"),)
    weekly = {0: day, 1: day, 2: day, 3: day, 4: day, 5: (("10:00", "14:00"),)}
    assert group_weekdays(weekly) == [(0, 4, day), (5, 5, (("10:00", "14:00"),))]
    assert group_weekdays({0: day, 2: day}) == [(0, 0, day), (2, 2, day)]  # a gap splits the run
    assert group_weekdays({}) == []


def test_contact_page_promises_a_date_with_its_utc_offset(client, shop):
    # Wednesday 2 December 2026, 15:00 in Amsterdam: 2 hours today, 6 tomorrow -> Thursday 15:00.
    with time_machine.travel(local(2026, 12, 2, 15, 0), tick=False):
        page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ('You will have an answer by <time datetime="2026-12-03T15:00+01:00">Thursday 3 December, 15:00</time>.'
            in page)
    assert "Monday to Friday 09:00–17:00" in page


def test_contact_page_promise_skips_the_weekend_and_holidays_in_dutch(client, shop):
    # Thursday 24 December, 16:00: one hour that day, Christmas and Boxing Day and the weekend skipped.
    with time_machine.travel(local(2026, 12, 24, 16, 0), tick=False):
        page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<time datetime="2026-12-28T16:00+01:00">maandag 28 december, 16:00</time>' in page
    assert "U heeft uiterlijk" in page or "antwoord" in page


def test_phone_hours_come_from_the_shop_settings(client, shop, staff):
    shop.phone = "+31 20 123 4567"
    norms.save_settings(shop, {wd: (("08:00", "20:00"),) for wd in range(5)} | {5: (("10:00", "14:00"),)},
                        volume_email=False, by=staff["owner"])
    db.session.commit()
    page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Monday to Friday 08:00–20:00; Saturday 10:00–14:00" in page
    assert "09:00–17:00</span>" not in page.split('id="phone-hours"')[1][:80]


def test_thank_you_page_repeats_the_questions_own_promise(client, shop):
    with time_machine.travel(local(2026, 12, 2, 15, 0), tick=False):
        assert client.post(f"/contact/{shop.id}", data=QUESTION, headers={"Accept-Language": "en"}).status_code == 303
    with time_machine.travel(local(2026, 12, 2, 16, 30), tick=False):  # later, the same promise
        page = client.get(f"/contact/{shop.id}/thanks", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<time datetime="2026-12-03T15:00+01:00">' in page


def test_no_acknowledgement_unless_the_owner_asks_for_one(client, shop):
    client.post(f"/contact/{shop.id}", data=QUESTION)
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 0


def test_owner_switches_on_acknowledging_every_question(client, login_as, shop):
    login_as("owner")
    data = {"name": shop.name, "country": "NL", "timezone": "Europe/Amsterdam", "ack_all": "y"}
    assert client.post("/settings/shop", data=data).status_code == 303
    assert db.session.get(type(shop), shop.id).ack_all is True


@pytest.fixture
def acknowledging_shop(shop, smtp_sink):
    shop.ack_all = True
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    return shop


@pytest.mark.parametrize("language, expected", [
    ("en", "You will have an answer by Thursday 3 December, 15:00."),
    ("nl", "donderdag 3 december, 15:00"),
])
def test_acknowledgement_mail_states_the_promise_over_smtp(client, acknowledging_shop, smtp_sink, language, expected):
    shop = acknowledging_shop
    with time_machine.travel(local(2026, 12, 2, 15, 0), tick=False):
        client.post(f"/contact/{shop.id}", data=QUESTION, headers={"Accept-Language": language})
        [result] = outbox.run_queue()
    assert result.state == "sent"
    [delivered] = smtp_sink.received
    mail = delivered.message
    ticket = db.session.scalar(sa.select(Ticket))
    assert delivered.rcpt_tos == ["els@example.com"] and f"[#{ticket.id}]" in mail["Subject"]
    assert mail["Auto-Submitted"] == "auto-replied"
    body = mail.get_body(("plain",)).get_content()
    assert expected in body and "/q/" in body  # the private link to the question's page
    assert ticket.first_reply_at is None and ticket.due_at == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_the_team_on_the_contact_page_is_who_chose_to_be_shown(client, shop, staff, make_user):
    make_user(shop, role="agent", email="gone@demo-shop.example.com", name="Gerrit Weg", active=False,
              show_on_contact=True)
    for role in ("agent", "manager"):
        staff[role].show_on_contact = True
    db.session.commit()
    page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    team = page.split('id="team"')[1].split("</ul>")[0]
    assert "Agent" in team and "Manager" in team and "Owner" not in team and "Gerrit" not in team
    assert "Demo" not in team  # first names only


def test_each_person_chooses_on_their_account_page(client, login_as, shop):
    user = login_as("agent")
    data = {"display_name": user.display_name, "locale": "", "show_on_contact": "y"}
    assert client.post("/account", data=data).status_code == 303
    assert db.session.get(type(user), user.id).show_on_contact is True
    assert client.post("/account", data={"display_name": user.display_name, "locale": ""}).status_code == 303
    assert db.session.get(type(user), user.id).show_on_contact is False


def test_the_promise_is_the_next_quarter_hour_never_earlier_than_the_norm(client, shop):
    from inbox.services.promise import round_up
    assert round_up(local(2026, 12, 4, 11, 1)) == local(2026, 12, 4, 11, 15)
    assert round_up(local(2026, 12, 4, 11, 15)) == local(2026, 12, 4, 11, 15)
    with time_machine.travel(local(2026, 12, 3, 10, 1, 30), tick=False):
        page = client.get(f"/contact/{shop.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<time datetime="2026-12-04T10:15+01:00">Friday 4 December, 10:15</time>' in page  # due 10:01:30
