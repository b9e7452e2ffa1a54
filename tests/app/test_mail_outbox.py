"""Mail out: replies leave over real SMTP with threading headers, failures show on the reply, nothing is sent twice."""
from __future__ import annotations

import smtplib
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox import clock
from inbox.extensions import db
from inbox.models import MailSettings, Message, OutboundEmail, Ticket
from inbox.services import intake, mailconfig, outbox, smtpd, tickets as ticket_service
from tests.conftest import customer_mail
from tests.mailservers import free_port

MONDAY_10 = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def smtp_shop(shop, smtp_sink):
    """The demo shop, sending through the test's SMTP server."""
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    return shop


def send_reply(ticket, shop, user, body="Uw pakket is onderweg en komt morgen.", at=None):
    """A reply through the composer's service when it is installed, else the foundation's reply + outbox."""
    try:
        from inbox.services import composer
    except ImportError:
        composer = None
    if composer is not None and hasattr(composer, "send"):
        result = composer.send(ticket, shop, user, body=body, kind="reply", status="pending",
                               token=f"t-{ticket.id}-{len(ticket.messages)}")
        message = result.message
    else:
        message = ticket_service.reply(ticket, shop, body, by=user, at=at)
        db.session.flush()
        outbox.enqueue_reply(ticket, message, shop)
    db.session.commit()
    return db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.message_id == message.id))


def test_round_trip_customer_mail_reply_and_answer_thread_into_one_ticket(app, smtp_shop, staff, smtp_sink):
    shop = smtp_shop
    receiver = smtpd.make_controller(app, "127.0.0.1", free_port())
    receiver.start()
    try:
        with time_machine.travel(MONDAY_10, tick=False):
            with smtplib.SMTP(receiver.hostname, receiver.port) as s:
                s.sendmail("ingrid@example.com", [mailconfig.inbound_address(shop)], customer_mail())
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id))
            assert ticket.due_at == datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc)  # 8 business hours
        with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
            row = send_reply(ticket, shop, staff["agent"])
            [result] = outbox.run_queue()
        assert result.state == "sent"
        [delivered] = smtp_sink.received
        mail = delivered.message
        db.session.refresh(row)
        assert mail["Message-ID"] == f"<{row.email_message_id}>"
        assert mail["In-Reply-To"] == "<q1@example.com>"
        assert mail["References"] == "<q1@example.com>"
        assert f"[#{ticket.id}]" in mail["Subject"] and mail["Subject"].startswith("Re: ")
        assert mail["From"].addresses[0].addr_spec == "support@demo-shop.example"
        assert delivered.rcpt_tos == ["ingrid@example.com"]
        reply = db.session.get(Message, row.message_id)
        assert reply.email_message_id == row.email_message_id

        # The customer answers that mail, with a different subject: the headers alone bring it home.
        with time_machine.travel(MONDAY_10 + timedelta(days=1), tick=False):
            answer = customer_mail(subject="Nog een vraag", body="Kan het ook naar mijn werk?",
                                   message_id="<q2@example.com>", date="Tue, 17 Nov 2026 10:00:00 +0100", In_Reply_To=mail["Message-ID"],
                                   References=f"<q1@example.com> {mail['Message-ID']}")
            with smtplib.SMTP(receiver.hostname, receiver.port) as s:
                s.sendmail("ingrid@example.com", [mailconfig.inbound_address(shop)], answer)
        db.session.expire_all()
        ticket = db.session.get(Ticket, ticket.id)
        assert [m.kind for m in ticket.messages] == ["customer", "reply", "customer"]
        assert ticket.status == "open"
        assert ticket.waiting_since == MONDAY_10 + timedelta(days=1)  # the next-reply clock runs again
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1
    finally:
        receiver.stop()


def test_permanent_failure_shows_the_server_answer_on_the_reply_with_retry(app, smtp_shop, staff, smtp_sink,
                                                                          make_ticket, login_as, client):
    ticket = make_ticket(smtp_shop)
    row = send_reply(ticket, smtp_shop, staff["agent"])
    smtp_sink.answer_next("550 5.1.1 Mailbox ingrid does not exist")
    [result] = outbox.run_queue()
    assert result.state == "failed"
    db.session.refresh(row)
    assert row.state == "failed" and "550 5.1.1 Mailbox ingrid does not exist" in row.last_error
    login_as("agent")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Mailbox ingrid does not exist" in page
    assert f"/mail/outbound/{row.id}/retry" in page and "Copy text" in page

    response = client.post(f"/mail/outbound/{row.id}/retry")
    assert response.status_code == 303
    db.session.refresh(row)
    assert row.state == "queued"
    [again] = outbox.run_queue()
    assert again.state == "sent" and len(smtp_sink.received) == 1


def test_temporary_failure_is_retried_with_growing_waits(app, smtp_shop, staff, smtp_sink, make_ticket):
    ticket = make_ticket(smtp_shop)
    row = send_reply(ticket, smtp_shop, staff["agent"])
    smtp_sink.answer_next("451 4.3.0 Try again later", "451 4.3.0 Still busy")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        assert outbox.run_queue()[0].state == "queued"
        db.session.refresh(row)
        assert row.next_attempt_at == start + timedelta(minutes=1) and "451" in row.last_error
        assert outbox.run_queue() == []  # not due yet
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert outbox.run_queue()[0].state == "queued"
        db.session.refresh(row)
        assert row.next_attempt_at == start + timedelta(minutes=3)  # waited 1, now 2 minutes
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert outbox.run_queue()[0].state == "sent"
    db.session.refresh(row)
    assert row.attempts == 3 and len(smtp_sink.received) == 1


def test_out_of_attempts_a_temporary_failure_becomes_permanent(app, smtp_shop, staff, smtp_sink, make_ticket):
    app.config["MAIL_SEND_MAX_ATTEMPTS"] = 2
    row = send_reply(make_ticket(smtp_shop), smtp_shop, staff["agent"])
    smtp_sink.answer_next("451 busy", "451 busy")
    outbox.run_queue()
    with time_machine.travel(clock.now() + timedelta(hours=1), tick=False):
        [result] = outbox.run_queue()
    assert result.state == "failed" and "gave up after 2 attempts" in result.error
    db.session.refresh(row)
    assert row.state == "failed"


def test_unreachable_server_is_a_temporary_failure(app, shop, staff, make_ticket):
    db.session.add(MailSettings(shop_id=shop.id, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none"))
    db.session.commit()
    send_reply(make_ticket(shop), shop, staff["agent"])
    [result] = outbox.run_queue()
    assert result.state == "queued" and "Connection" in result.error


def test_without_smtp_settings_mail_is_written_to_the_local_folder_and_the_ui_says_so(app, shop, staff, make_ticket,
                                                                                       login_as, client, tmp_path):
    ticket = make_ticket(shop)
    row = send_reply(ticket, shop, staff["agent"])
    [result] = outbox.run_queue()
    assert result.state == "local"
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    db.session.refresh(row)
    assert f"Message-ID: <{row.email_message_id}>" in written.read_text()
    login_as("owner")
    assert "written to the local folder, not sent" in client.get("/mail/settings").get_data(as_text=True)


@pytest.mark.parametrize("workers", [2, 4])
def test_racing_workers_never_send_a_reply_twice(app, shop, staff, smtp_sink, make_ticket, tmp_path, workers):
    """Workers with their own connections on a file database (SQLite file, or PostgreSQL when configured)."""
    from inbox import create_app
    from inbox.schema import install_schema
    from tests.conftest import TEST_DATABASE_URL
    url = TEST_DATABASE_URL if not TEST_DATABASE_URL.startswith("sqlite") else f"sqlite:///{tmp_path}/race.sqlite"
    # NullPool: every worker's connection is closed when it is done, none outlives the test. SQLite lets one writer
    # in at a time and the others wait for it, 5 s by default: on a busy machine four workers' ~30 writes could
    # outwait that ("database is locked" in a worker, its mail never sent), so they may wait longer here.
    waits = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    race_app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                           "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool, **waits}})
    with race_app.app_context():
        if url.startswith("sqlite"):
            install_schema(db.engine)
            from inbox.models import Shop, User
            s = Shop(name="Race Shop", country="NL", timezone="Europe/Amsterdam")
            db.session.add(s)
            db.session.flush()
            u = User(shop_id=s.id, email="a@race.example", display_name="A", role="agent")
            db.session.add(u)
            db.session.add(MailSettings(shop_id=s.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                        smtp_security="none"))
            db.session.commit()
            shop_id, user = s.id, u
            ticket = ticket_service.create_ticket(s, subject="Race", body="?", customer_email="c@example.com")
            db.session.commit()
        else:
            db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                        smtp_security="none"))
            db.session.commit()
            shop_id, ticket = shop.id, make_ticket(shop)
            user = staff["agent"]
        from inbox.models import Shop
        s = db.session.get(Shop, shop_id)
        ticket = db.session.get(Ticket, ticket.id)
        for i in range(10):
            message = ticket_service.reply(ticket, s, f"Antwoord {i}", by=db.session.merge(user))
            db.session.flush()
            outbox.enqueue_reply(ticket, message, s)
        db.session.commit()
    barrier = threading.Barrier(workers)
    results, crashed = [], []

    def work(n):
        with race_app.app_context():
            barrier.wait()
            try:
                results.extend(outbox.run_queue(worker=f"w{n}"))
            except Exception as e:  # noqa: BLE001 - shown below, with the worker's name
                crashed.append(f"w{n}: {e!r}")
            finally:
                db.session.remove()
    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a worker still runs after two minutes"
    assert crashed == []
    with race_app.app_context():
        states = list(db.session.scalars(sa.select(OutboundEmail.state).where(OutboundEmail.shop_id == shop_id)))
        db.session.remove()
        db.engine.dispose()
    # Each mail ends with its own private link to the question's page (services/customer_links): compare above it.
    bodies = sorted(r.message.get_content().replace("\r\n", "\n").split("\n\n-- \n")[0].strip()
                    for r in smtp_sink.received)
    assert bodies == sorted(f"Antwoord {i}" for i in range(10))  # each once
    assert states == ["sent"] * 10
    assert sum(r.state == "sent" for r in results) == 10


def test_send_on_reply_delivers_right_after_the_reply_is_saved(app, smtp_shop, staff, smtp_sink, make_ticket,
                                                              login_as, client):
    app.config["SEND_ON_REPLY"] = True
    ticket = make_ticket(smtp_shop)
    login_as("agent")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    import re
    form = dict(re.findall(r'name="(token|seen_message_id)" (?:type="hidden" )?value="([^"]*)"', page))
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "Goedemorgen Ingrid, uw pakket komt morgen.",
                                                                 "kind": "reply", "status": "pending", **form})
    assert response.status_code in (200, 204, 303), response.get_data(as_text=True)[:500]
    outbox.wait_background()
    assert len(smtp_sink.wait_for(1)) == 1
    row = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.ticket_id == ticket.id))
    db.session.refresh(row)
    assert row.state == "sent"


def test_a_bounce_after_sending_shows_on_the_reply(app, smtp_shop, staff, smtp_sink, make_ticket, login_as, client):
    ticket = make_ticket(smtp_shop)
    row = send_reply(ticket, smtp_shop, staff["agent"])
    outbox.run_queue()
    db.session.refresh(row)
    bounce = (f"From: MAILER-DAEMON@mx.example.com\r\nTo: support@demo-shop.example\r\nSubject: Undelivered Mail\r\n"
              f"Message-ID: <b1@mx.example.com>\r\nAuto-Submitted: auto-replied\r\n\r\n"
              f"Your message could not be delivered: 550 5.1.1 user unknown\r\n\r\n"
              f"Message-ID: <{row.email_message_id}>\r\n").encode()
    result = intake.receive_email(smtp_shop, bounce, source="imap")
    assert result.outcome == "bounce"
    login_as("agent")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "This reply bounced" in page


def test_a_reply_stuck_in_sending_after_a_crash_is_failed_for_the_agent_not_resent(app, smtp_shop, staff, smtp_sink,
                                                                                     make_ticket):
    row = send_reply(make_ticket(smtp_shop), smtp_shop, staff["agent"])
    assert outbox.claim(row.id, "crashed-worker")  # the worker died right after claiming (or mid-send)
    with time_machine.travel(clock.now() + timedelta(minutes=20), tick=False):
        assert outbox.run_queue() == []
    db.session.refresh(row)
    assert row.state == "failed" and "may or may not have arrived" in row.last_error
    assert smtp_sink.received == []


def test_retrying_twice_queues_once(app, smtp_shop, staff, smtp_sink, make_ticket, login_as, client):
    row = send_reply(make_ticket(smtp_shop), smtp_shop, staff["agent"])
    smtp_sink.answer_next("550 no")
    outbox.run_queue()
    login_as("agent")
    client.post(f"/mail/outbound/{row.id}/retry")
    client.post(f"/mail/outbound/{row.id}/retry")
    outbox.run_queue()
    assert len(smtp_sink.received) == 1
