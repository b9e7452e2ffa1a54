"""Mail in: threading, dedupe, marketplace forwards, bounces, noise, attachments, and mail we cannot read."""
from __future__ import annotations

import smtplib
import threading
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage

import flask_babel
import pytest
import sqlalchemy as sa
from flask import g

from inbox import i18n
from inbox.extensions import db
from inbox.models import InboundMail, MailAttachment, MailSettings, Message, OutboundEmail, QuarantinedMail, Ticket
from inbox.services import intake, mailconfig
from tests.conftest import SAMPLES, customer_mail

def smtp_send(receiver, raw: bytes, to: str) -> None:
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as smtp:
        smtp.sendmail("sender@example.com", [to], raw)


def messages_of(ticket_id):
    return list(db.session.scalars(sa.select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)))


def test_mail_to_the_shop_address_becomes_a_ticket_with_a_running_reply_clock(app, shop, receiver):
    smtp_send(receiver, customer_mail(), mailconfig.inbound_address(shop))
    db.session.expire_all()
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id))
    assert ticket.subject == "Waar blijft mijn pakket?"
    assert (ticket.customer_name, ticket.customer_email) == ("Ingrid van Dijk", "ingrid@example.com")
    assert ticket.received_at == datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
    # Monday 10:00 in Amsterdam + 8 business hours = Tuesday 10:00 (09:00 UTC).
    assert ticket.due_at == datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc)
    assert messages_of(ticket.id)[0].email_message_id == "q1@example.com"


def test_unknown_recipient_is_refused_with_550(app, shop, receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_send(receiver, customer_mail(), "nobody@inbox.localhost")
    assert refused.value.recipients["nobody@inbox.localhost"][0] == 550
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0


def test_a_shop_alias_is_accepted_and_other_shops_ids_do_not_leak(app, shop, make_shop, receiver):
    db.session.add(MailSettings(shop_id=shop.id, inbound_alias="vragen@demo-shop.example"))
    db.session.commit()
    smtp_send(receiver, customer_mail(), "Vragen@demo-shop.example")
    other = make_shop("Other Shop")
    smtp_send(receiver, customer_mail(message_id="<q2@example.com>"), f"shop-{other.id}@inbox.localhost")
    counts = dict(db.session.execute(sa.select(Ticket.shop_id, sa.func.count(Ticket.id)).group_by(Ticket.shop_id)).all())
    assert counts == {shop.id: 1, other.id: 1}


def test_the_same_mail_twice_makes_one_message(app, shop):
    raw = customer_mail()
    first = intake.receive_email(shop, raw, source="imap")
    second = intake.receive_email(shop, raw, source="imap")
    assert (first.outcome, second.outcome) == ("new", "duplicate")
    assert second.ticket_id == first.ticket_id
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1


def test_mail_without_message_id_is_deduplicated_by_its_content(app, shop):
    raw = (SAMPLES / "missing_message_id.eml").read_bytes()
    assert intake.receive_email(shop, raw, source="imap").outcome == "new"
    # The same mail relayed again gains a Received header; its content is what identifies it.
    assert intake.receive_email(shop, b"Received: from relay.example by mx.example; Mon, 16 Nov 2026 10:00:00 +0000\r\n"
                                + raw, source="smtp").outcome == "duplicate"
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1


def test_the_same_message_id_in_two_shops_is_two_tickets(app, shop, make_shop):
    other = make_shop("Other Shop")
    assert intake.receive_email(shop, customer_mail(), source="smtp").outcome == "new"
    assert intake.receive_email(other, customer_mail(), source="smtp").outcome == "new"


def test_reply_threads_by_in_reply_to_and_restarts_the_clock(app, shop, staff):
    first = intake.receive_email(shop, customer_mail(), source="imap")
    ticket = db.session.get(Ticket, first.ticket_id)
    from inbox.services import tickets as ticket_service
    ticket_service.reply(ticket, shop, "We kijken het na.", by=staff["agent"],
                         at=datetime(2026, 11, 16, 11, 0, tzinfo=timezone.utc))
    db.session.commit()
    assert ticket.due_at is None and ticket.status == "pending"
    answer = intake.receive_email(shop, customer_mail(subject="Re: Waar blijft mijn pakket?", body="Nog niets!",
                                                      message_id="<q1b@example.com>", In_Reply_To="<q1@example.com>"),
                                  source="imap")
    assert (answer.outcome, answer.ticket_id) == ("threaded", ticket.id)
    db.session.refresh(ticket)
    assert ticket.status == "open" and ticket.due_at is not None


def test_subject_tag_threads_only_into_a_ticket_of_the_same_shop(app, shop, make_shop, make_ticket):
    ours = make_ticket(shop)
    other_ticket = make_ticket(make_shop("Other Shop"))
    tagged = intake.receive_email(shop, customer_mail(subject=f"Re: pakket [#{ours.id}]", message_id="<t1@x>"), source="smtp")
    assert (tagged.outcome, tagged.ticket_id) == ("threaded", ours.id)
    foreign = intake.receive_email(shop, customer_mail(subject=f"Re: pakket [#{other_ticket.id}]", message_id="<t2@x>"),
                                   source="smtp")
    assert foreign.outcome == "new" and foreign.ticket_id not in (ours.id, other_ticket.id)


def test_quoted_history_is_folded_away_but_kept(app, shop, login_as, client):
    raw = (SAMPLES / "reply_dutch_op_schreef.eml").read_bytes()
    result = intake.receive_email(shop, raw, source="import")
    message = db.session.get(Message, result.message_id)
    record = db.session.scalar(sa.select(InboundMail).where(InboundMail.message_id == message.id))
    assert "schreef" not in message.body
    assert "schreef" in record.quoted_text
    login_as("agent")
    page = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    assert "Show quoted text" in page


def test_marketplace_rule_marks_the_ticket_forwarded_at_mail_time_with_the_real_customer(app, shop):
    db.session.add(MailSettings(shop_id=shop.id, marketplace_sender="*@marketplace.example"))
    db.session.commit()
    raw = (SAMPLES / "marketplace_forward.eml").read_bytes().replace(b" [#123]", b"")
    result = intake.receive_email(shop, raw, source="imap")
    ticket = db.session.get(Ticket, result.ticket_id)
    assert ticket.channel == "marketplace"
    assert ticket.forwarded_at == datetime(2024, 6, 18, 13, 10, tzinfo=timezone.utc)
    assert ticket.customer_email == "jan.devries@example.nl"
    assert ticket.customer_name == "Jan de Vries"


def test_bounce_marks_the_reply_and_notes_it_in_its_thread_without_a_new_ticket(app, shop, make_ticket, staff):
    ticket = make_ticket(shop)
    reply = Message(ticket_id=ticket.id, shop_id=shop.id, kind="reply", body="Uw pakket komt morgen.",
                    author_id=staff["agent"].id, email_message_id="inbox.18f0a1b2c3.d4e5f6@shop.example")
    db.session.add(reply)
    db.session.flush()
    row = OutboundEmail(shop_id=shop.id, ticket_id=ticket.id, message_id=reply.id, idempotency_key="r1",
                        to_addr="nobody@example.invalid", subject="Re: x", body="..", state="sent",
                        email_message_id="inbox.18f0a1b2c3.d4e5f6@shop.example")
    db.session.add(row)
    db.session.commit()
    raw = (SAMPLES / "dsn_bounce.eml").read_bytes()
    result = intake.receive_email(shop, raw, source="imap")
    assert (result.outcome, result.ticket_id) == ("bounce", ticket.id), result
    db.session.refresh(row)
    assert row.state == "bounced" and "5.1.1" in row.last_error and "Bounced" not in row.last_error
    note = db.session.get(Message, result.message_id)
    # In the team's language (a Dutch shop), not in English fixed at intake.
    assert note.kind == "note" and "Het antwoord aan nobody@example.invalid kon niet worden bezorgd: " in note.body
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_bounce_for_mail_we_never_sent_goes_to_the_review_list(app, shop):
    result = intake.receive_email(shop, (SAMPLES / "dsn_bounce.eml").read_bytes(), source="imap")
    assert result.outcome == "rejected" and "did not send" in result.reason
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))) == 1


def test_out_of_office_on_a_ticket_is_a_note_and_does_not_reopen(app, shop, make_ticket):
    ticket = make_ticket(shop)
    msg = db.session.scalar(sa.select(Message).where(Message.ticket_id == ticket.id))
    msg.email_message_id = "orig@example.com"
    ticket.status, ticket.due_at = "pending", None
    db.session.commit()
    result = intake.receive_email(shop, customer_mail(subject="Afwezig", message_id="<ooo@x>",
                                                      In_Reply_To="<orig@example.com>", Auto_Submitted="auto-replied"),
                                  source="imap")
    assert result.outcome == "note"
    db.session.refresh(ticket)
    assert ticket.status == "pending" and ticket.due_at is None


@pytest.mark.parametrize("headers, sender, acknowledged", [
    ({}, "Ingrid <ingrid@example.com>", True),
    ({"Auto_Submitted": "auto-generated"}, "Ingrid <ingrid@example.com>", False),
    ({"Precedence": "bulk"}, "News <news@example.com>", False),
    ({"Precedence": "list"}, "List <list@example.com>", False),
    ({}, "Wij <support@demo-shop.example>", False),
])
def test_no_automatic_acknowledgement_to_machines_lists_or_ourselves(app, shop, headers, sender, acknowledged):
    db.session.add(MailSettings(shop_id=shop.id, own_addresses="@demo-shop.example"))
    db.session.commit()
    parsed = intake.mailparse.parse(customer_mail(sender=sender, **headers))
    assert intake._may_acknowledge(shop, parsed) is acknowledged


def test_closed_shop_acknowledges_a_customer_but_not_a_bulk_mail(app, shop):
    if not hasattr(shop, "auto_ack_enabled"):
        pytest.skip("vacation mode's acknowledgement is not installed")
    shop.closed_from = datetime(2020, 1, 1, tzinfo=timezone.utc)
    shop.auto_ack_enabled = True
    db.session.commit()
    person = intake.receive_email(shop, customer_mail(), source="smtp")
    bulk = intake.receive_email(shop, customer_mail(message_id="<bulk@x>", Precedence="bulk"), source="smtp")
    kinds = lambda t: [m.kind for m in messages_of(t)]  # noqa: E731
    assert kinds(person.ticket_id) == ["customer", "auto"]
    assert kinds(bulk.ticket_id) == ["customer"]


def test_unreadable_mail_goes_to_the_review_list_and_intake_goes_on(app, shop):
    broken = b"\x00\x01\x02\x03garbage\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\r\n\r\n"
    huge_headers = b"X-Junk: " + b"a" * (300 * 1024) + b"\r\nSubject: hi\r\n\r\nbody\r\n"
    results = [intake.receive_email(shop, raw, source="imap") for raw in (broken, huge_headers, customer_mail())]
    assert [r.outcome for r in results] == ["rejected", "rejected", "new"]
    rows = list(db.session.scalars(sa.select(QuarantinedMail).order_by(QuarantinedMail.id)))
    assert [r.raw for r in rows] == [broken, huge_headers]
    assert "headers too large" in rows[1].error


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.eml")))
def test_every_real_world_sample_is_taken_in_or_kept_for_review(app, shop, sample):
    result = intake.receive_email(shop, (SAMPLES / sample).read_bytes(), source="import")
    assert result.outcome in ("new", "rejected"), result
    if result.outcome == "rejected":
        assert db.session.scalar(sa.select(QuarantinedMail.error).where(QuarantinedMail.id == result.quarantine_id))


@pytest.mark.parametrize("sample, subject_part, body_part", [
    ("subject_iso8859-1_encoded_word.eml", "è", None),
    ("subject_windows-1252_encoded_word.eml", "€", None),
    ("koi8r_russian.eml", None, "Здравствуйте"),
    ("gb2312_name_and_subject.eml", None, None),
    ("dutch_quoted_printable_utf8.eml", None, "ö"),
])
def test_encoded_words_and_charsets_are_decoded(app, shop, sample, subject_part, body_part):
    result = intake.receive_email(shop, (SAMPLES / sample).read_bytes(), source="import")
    ticket = db.session.get(Ticket, result.ticket_id)
    assert "=?" not in ticket.subject and "\ufffd" not in ticket.subject
    if subject_part:
        assert subject_part in ticket.subject
    if body_part:
        assert body_part in messages_of(ticket.id)[0].body


def test_nested_multipart_keeps_its_attachment_for_download(app, shop, staff, login_as, client):
    result = intake.receive_email(shop, (SAMPLES / "nested_multipart_inline_image_attachment.eml").read_bytes(),
                                  source="import")
    files = list(db.session.scalars(sa.select(MailAttachment).where(MailAttachment.ticket_id == result.ticket_id)))
    assert files and all(f.shop_id == shop.id for f in files)
    kept = next(f for f in files if f.rejected_reason is None)
    login_as("agent")
    response = client.get(f"/mail/attachments/{kept.id}")
    assert response.status_code == 200
    # A photo its bytes prove to be a PNG is shown; anything else would be a download.
    assert response.headers["Content-Disposition"] == "inline; filename=foto.png"
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.data) == kept.size
    assert kept.filename in client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)


def test_attachments_are_not_served_to_another_shop(app, shop, make_shop, make_user, client):
    result = intake.receive_email(shop, (SAMPLES / "rfc2231_filename.eml").read_bytes(), source="import")
    att = db.session.scalar(sa.select(MailAttachment).where(MailAttachment.ticket_id == result.ticket_id))
    outsider = make_user(make_shop("Other Shop"), role="owner", email="owner@other.example")
    client.post("/login", data={"email": outsider.email, "password": "correct horse battery"})
    assert client.get(f"/mail/attachments/{att.id}").status_code == 404
    client.post("/logout")
    assert client.get(f"/mail/attachments/{att.id}").status_code in (302, 401)


@pytest.mark.slow
def test_a_20_mb_attachment_over_smtp_is_listed_but_not_kept(app, shop, receiver):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "a@example.com", "x@y", "Grote foto", "<big@example.com>"
    msg.set_content("Zie bijlage.")
    msg.add_attachment(bytes(range(256)) * (20 * 1024 * 1024 // 256), maintype="application", subtype="octet-stream",
                       filename="foto.raw")
    smtp_send(receiver, msg.as_bytes(policy=policy.SMTP), mailconfig.inbound_address(shop))
    att = db.session.scalar(sa.select(MailAttachment))
    assert att.filename == "foto.raw" and att.size == 20 * 1024 * 1024
    assert att.data is None and "large" in att.rejected_reason
    assert db.session.scalar(sa.select(Message.body)) == "Zie bijlage."


def test_two_intakes_of_the_same_mail_at_once_make_one_message(app, shop, tmp_path):
    """Race on a file database (SQLite file or the test's PostgreSQL): the unique key decides, not a lookup."""
    from inbox import create_app
    from tests.conftest import TEST_DATABASE_URL
    url = TEST_DATABASE_URL if not TEST_DATABASE_URL.startswith("sqlite") else f"sqlite:///{tmp_path}/race.sqlite"
    # NullPool: every worker's connection is closed when it is done, none outlives the test.
    race_app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                           "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool}})
    from inbox.models import Shop
    from inbox.schema import install_schema
    if url.startswith("sqlite"):
        with race_app.app_context():
            install_schema(db.engine)
            race_shop = Shop(name="Race Shop", country="NL", timezone="Europe/Amsterdam")
            db.session.add(race_shop)
            db.session.commit()
            shop_id = race_shop.id
    else:
        shop_id = shop.id  # the same PostgreSQL database as the test's own app
    raw = customer_mail(message_id="<race@example.com>")
    barrier = threading.Barrier(4)
    outcomes = []

    def take():
        with race_app.app_context():
            from inbox.models import Shop
            s = db.session.get(Shop, shop_id)
            barrier.wait()
            outcomes.append(intake.receive_email(s, raw, source="imap").outcome)
            db.session.remove()
    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with race_app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.shop_id == shop_id))
        db.session.remove()
        db.engine.dispose()
    assert sorted(outcomes) == ["duplicate"] * 3 + ["new"]
    assert count == 1


def test_what_intake_noted_in_a_mail_reads_in_the_readers_language(app, shop, staff, login_as, client):
    """Intake has no reader, so it notes a refused file and a blocked image in fixed English; the thread words them
    for whoever reads it."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Ingrid <ingrid@example.com>", "shop-1@inbox.localhost", "Factuur"
    msg["Message-ID"] = "<invoice@example.com>"
    msg.set_content('<p>Zie de factuur.</p><img src="https://tracker.example/logo.png" alt="Logo">', subtype="html")
    msg.add_attachment(b"MZ\x90\x00" + bytes(60), maintype="application", subtype="octet-stream",
                       filename="factuur.exe")
    result = intake.receive_email(shop, msg.as_bytes(policy=policy.SMTP), source="import")
    [refused] = db.session.scalars(sa.select(MailAttachment).where(MailAttachment.ticket_id == result.ticket_id))
    assert refused.rejected_reason == "dangerous file type (exe)"   # as stored, and as the API gives it

    login_as("agent")
    english = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    assert "not kept: a file type that can harm a computer (exe)" in english
    assert 'alt="[image blocked: Logo]"' in english
    staff["agent"].locale = "nl"
    db.session.commit()
    # The test's requests share one app context, where the language and its catalogue were kept.
    flask_babel.refresh()
    for kept in (i18n.CATALOGUE, i18n.PLACE):
        g.pop(kept, None)
    dutch = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    assert "een bestandstype dat een computer kan schaden (exe)" in dutch
    assert 'alt="[afbeelding geblokkeerd: Logo]"' in dutch and "image blocked" not in dutch


def test_refusal_sizes_read_with_the_readers_decimal_comma(app):
    from inbox.i18n import force_locale
    from inbox.mail_texts import refusal

    with app.test_request_context(), force_locale("nl"):
        assert refusal("too large (12.3 MB, limit 10 MB)") == "te groot (12,3 MB, hoogstens 10 MB)"
        assert refusal("total attachment size over 25 MB") == "de bestanden van deze mail zijn samen groter dan 25 MB"
        assert refusal("something a later version wrote") == "something a later version wrote"
