"""Intake never stops on bad mail, on either database: every value is made storable, one bad mail only ever
affects itself, and only a database that is away (or a mail kept nowhere) is reported as a failure."""
from __future__ import annotations

import smtplib

import pytest
import sqlalchemy as sa

from inbox import storable
from inbox.extensions import db
from inbox.models import ImapCursor, InboundMail, MailSettings, Message, QuarantinedMail, Ticket
from inbox.services import imap, intake, mailconfig
from tests.conftest import customer_mail
from tests.mailservers import append

BROKEN = b"X-Junk: " + b"a" * (300 * 1024) + b"\r\nSubject: hi\r\n\r\nbody\r\n"


def raw_mail(*headers: bytes, body: bytes = b"Hallo, waar blijft mijn pakket?") -> bytes:
    """A mail written byte by byte, so a header can carry what no mail library would write."""
    return b"\r\n".join([*headers, b"To: shop-1@inbox.localhost", b"Date: Mon, 16 Nov 2026 10:00:00 +0100", b"",
                         body, b""])


NUL_MAILS = {
    "nul_in_display_name": raw_mail(b"From: Ingrid\x00 van Dijk <ingrid@example.com>", b"Subject: Pakket",
                                    b"Message-ID: <n1@example.com>"),
    "nul_in_address": raw_mail(b"From: Ingrid <ingr\x00id@example.com>", b"Subject: Pakket",
                               b"Message-ID: <n2@example.com>"),
    "nul_in_message_id": raw_mail(b"From: Ingrid <ingrid@example.com>", b"Subject: Pakket",
                                  b"Message-ID: <n3\x00@example.com>"),
    "nul_in_subject_and_references": raw_mail(b"From: Ingrid <ingrid@example.com>", b"Subject: Pak\x00ket\x07",
                                              b"Message-ID: <n4@example.com>", b"In-Reply-To: <x\x00@y>",
                                              b"References: <a\x00@b> <c@d>"),
    "control_characters_everywhere": raw_mail(b"From: \x1b[31mIngrid\x08 <ingrid@example.com>",
                                              b"Subject: \x01\x02Pakket\x7f", b"Message-ID: <n5@example.com>",
                                              body=b"Hallo\x00 daar\x0c"),
    "name_longer_than_its_column": raw_mail(b"From: " + b"Ingrid" * 100 + b" <ingrid@example.com>",
                                            b"Subject: Pakket", b"Message-ID: <n6@example.com>"),
    "message_id_longer_than_its_column": raw_mail(b"From: Ingrid <ingrid@example.com>", b"Subject: Pakket",
                                                  b"Message-ID: <" + b"m" * 900 + b"@example.com>"),
    "subject_longer_than_its_column": raw_mail(b"From: Ingrid <ingrid@example.com>", b"Subject: " + b"pakket " * 300,
                                               b"Message-ID: <n8@example.com>"),
    "undecodable_bytes_in_the_name": raw_mail(b"From: Ingr\xff\xfeid <ingrid@example.com>", b"Subject: Pakket",
                                              b"Message-ID: <n9@example.com>"),
}


def test_text_is_cleaned_and_cut_to_fit_a_column():
    assert storable.text("a\x00b\x07c\x7f") == "abc"
    assert storable.text("line\r\nnext\ttab") == "line\r\nnext\ttab"
    assert storable.text("line\r\nnext\ttab", multiline=False) == "line next tab"
    assert storable.text("bad \udcff byte") == "bad \ufffd byte"
    assert storable.text("x" * 500, 300) == "x" * 300


def test_a_model_value_is_fitted_to_its_own_column_before_the_flush(app, shop, make_ticket):
    ticket = make_ticket(shop, customer_name="Ingrid\x00 " + "van Dijk " * 40)
    db.session.expire_all()
    assert "\x00" not in ticket.customer_name and len(ticket.customer_name) == 200
    ticket.subject = "Re:\x00 " + "x" * 400
    db.session.commit()
    db.session.expire_all()
    assert ticket.subject == "Re: " + "x" * 296


@pytest.mark.parametrize("name", sorted(NUL_MAILS))
def test_mail_with_what_postgresql_refuses_becomes_a_ticket_and_keeps_its_raw_message(app, shop, name):
    raw = NUL_MAILS[name]
    result = intake.receive_email(shop, raw, source="import")
    assert result.outcome == "new", result
    ticket = db.session.get(Ticket, result.ticket_id)
    assert "\x00" not in ticket.customer_name + (ticket.customer_email or "") + ticket.subject
    assert len(ticket.customer_name) <= 200 and len(ticket.subject) <= 300
    kept = db.session.scalar(sa.select(InboundMail).where(InboundMail.ticket_id == ticket.id)
                             .options(sa.orm.undefer(InboundMail.raw)))
    assert kept.raw == raw
    # Taken in again: recognised as the same mail, not a second ticket.
    assert intake.receive_email(shop, raw, source="imap").outcome == "duplicate"


def test_staff_download_the_original_message_and_another_shop_cannot(app, shop, staff, login_as, client, make_shop,
                                                                    make_user):
    raw = NUL_MAILS["name_longer_than_its_column"]
    result = intake.receive_email(shop, raw, source="smtp")
    login_as("agent")
    page = client.get(f"/tickets/{result.ticket_id}").get_data(as_text=True)
    url = f"/mail/messages/{result.message_id}/original.eml"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.data == raw
    assert response.mimetype == "message/rfc822" and "attachment" in response.headers["Content-Disposition"]
    other = make_user(make_shop("Other Shop"), role="owner", email="owner@other.example.com")
    client.post("/logout")
    client.post("/login", data={"email": other.email, "password": "correct horse battery"})
    assert client.get(url).status_code == 404


def test_a_mail_that_cannot_become_a_ticket_is_kept_for_review_with_the_reason(app, shop, monkeypatch):
    def refuse(*_a, **_kw):
        raise sa.exc.DataError("INSERT INTO ticket ...", {}, Exception("value too long for type character varying"))
    monkeypatch.setattr(intake.ticket_service, "create_ticket", refuse)
    result = intake.receive_email(shop, customer_mail(), source="import")
    assert result.outcome == "rejected" and result.kept
    row = db.session.get(QuarantinedMail, result.quarantine_id)
    assert "value too long" in row.error and row.raw == customer_mail()
    monkeypatch.undo()
    assert intake.receive_email(shop, customer_mail(message_id="<next@x>"), source="import").outcome == "new"


def test_a_database_that_is_away_is_not_blamed_on_the_mail(app, shop, monkeypatch):
    def away(*_a, **_kw):
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(intake.ticket_service, "create_ticket", away)
    with pytest.raises(intake.IntakeUnavailable):
        intake.receive_email(shop, customer_mail(), source="smtp")
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))) == 0


@pytest.fixture
def review_list_broken(monkeypatch):
    """The review list itself refuses the mail: the worst case, where a mail can be kept nowhere."""
    def refuse(**_kw):
        raise sa.exc.DataError("INSERT INTO quarantined_mail ...", {}, Exception("invalid byte sequence"))
    monkeypatch.setattr(intake, "QuarantinedMail", refuse)


def test_a_mail_kept_nowhere_is_reported_and_the_import_goes_on_then_exits_1(app, shop, tmp_path, review_list_broken):
    (tmp_path / "1-broken.eml").write_bytes(BROKEN)
    (tmp_path / "2-good.eml").write_bytes(customer_mail())
    (tmp_path / "3-nul.eml").write_bytes(NUL_MAILS["nul_in_display_name"])
    files = sorted(str(p) for p in tmp_path.glob("*.eml"))
    result = app.test_cli_runner().invoke(args=["mail", "import", *files, "--shop", str(shop.id)])
    assert result.exit_code == 1
    assert "1-broken.eml: NOT KEPT: headers too large" in result.output
    assert "2-good.eml: new ticket #1" in result.output and "3-nul.eml: new ticket #2" in result.output
    assert "1 file(s) could not be kept anywhere" in result.output


def test_import_of_bad_but_keepable_mail_exits_0(app, shop, tmp_path):
    for name, raw in NUL_MAILS.items():
        (tmp_path / f"{name}.eml").write_bytes(raw)
    (tmp_path / "broken.eml").write_bytes(BROKEN)
    files = sorted(str(p) for p in tmp_path.glob("*.eml"))
    result = app.test_cli_runner().invoke(args=["mail", "import", *files, "--shop", str(shop.id)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": new ticket #") == len(NUL_MAILS)
    assert "broken.eml: kept for review: headers too large" in result.output


# -- the SMTP receiver -------------------------------------------------------------------------------------------

def smtp_answer(receiver, raw: bytes, to: str) -> tuple[int, str]:
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("sender@example.com")
        smtp.rcpt(to)
        code, text = smtp.data(raw)
        return code, text.decode()


def test_smtp_accepts_mail_postgresql_would_refuse_and_lines_up_to_a_mebibyte(app, shop, receiver):
    to = mailconfig.inbound_address(shop)
    for raw in NUL_MAILS.values():
        assert smtp_answer(receiver, raw, to)[0] == 250
    long_line = raw_mail(b"From: Ingrid <ingrid@example.com>", b"Subject: Lange regel",
                         b"Message-ID: <long@example.com>", body=b"x" * 200_000)
    assert smtp_answer(receiver, long_line, to)[0] == 250
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == len(NUL_MAILS) + 1


def test_smtp_answers_451_only_when_the_database_is_away(app, shop, receiver, monkeypatch):
    def away(*_a, **_kw):
        raise intake.IntakeUnavailable("OperationalError")
    monkeypatch.setattr(intake, "receive_email", away)
    code, _text = smtp_answer(receiver, customer_mail(), mailconfig.inbound_address(shop))
    assert code == 451


def test_smtp_answers_554_for_a_mail_it_can_keep_nowhere_and_250_for_one_kept_for_review(app, shop, receiver,
                                                                                          monkeypatch):
    to = mailconfig.inbound_address(shop)
    assert smtp_answer(receiver, BROKEN, to)[0] == 250  # in the review list: the sender need not retry
    monkeypatch.setattr(intake, "QuarantinedMail", lambda **_kw: (_ for _ in ()).throw(ValueError("no room")))
    code, text = smtp_answer(receiver, BROKEN, to)
    assert code == 554 and "could not be stored" in text


# -- an IMAP round -----------------------------------------------------------------------------------------------

@pytest.fixture
def two_imap_shops(shop, make_shop, dovecot):
    """Two shops fetching the same mailbox: each has its own cursor, so each takes every mail in."""
    second = make_shop("Second Shop")
    for s in (shop, second):
        db.session.add(MailSettings(shop_id=s.id, imap_host=dovecot.host, imap_port=dovecot.port,
                                    imap_security="none", imap_user=dovecot.user, imap_password=dovecot.password))
    db.session.commit()
    return shop, second


def test_an_imap_round_goes_on_past_a_bad_mail_and_past_a_failing_shop(app, two_imap_shops, dovecot, monkeypatch,
                                                                      staff, login_as, client):
    first, second = two_imap_shops
    append(dovecot, NUL_MAILS["nul_in_message_id"], BROKEN, customer_mail())
    real_receive = intake.receive_email

    def first_shop_cannot_keep_the_broken_one(shop, raw, **kw):
        if shop.id == first.id and raw.startswith(b"X-Junk"):
            return intake.IntakeResult("lost", reason="not kept for review either")
        return real_receive(shop, raw, **kw)
    monkeypatch.setattr(intake, "receive_email", first_shop_cannot_keep_the_broken_one)

    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 1, result.output
    assert "Demo Shop: 1 lost, 2 new" in result.output and "Second Shop: 2 new, 1 rejected" in result.output
    db.session.expire_all()
    cursors = {c.shop_id: c for c in db.session.scalars(sa.select(ImapCursor))}
    assert cursors[first.id].last_uid == 3 and "UID 2 could not be kept" in cursors[first.id].last_error
    assert cursors[second.id].last_uid == 3 and cursors[second.id].last_error is None
    login_as("owner")
    assert "UID 2 could not be kept" in client.get("/mail/settings").get_data(as_text=True)


def test_a_round_with_the_database_away_records_it_and_the_next_shop_is_still_fetched(app, two_imap_shops, dovecot,
                                                                                      monkeypatch):
    first, second = two_imap_shops
    append(dovecot, customer_mail())
    real_receive = intake.receive_email

    def database_away_for_the_first_shop(shop, raw, **kw):
        if shop.id == first.id:
            raise intake.IntakeUnavailable("OperationalError")
        return real_receive(shop, raw, **kw)
    monkeypatch.setattr(intake, "receive_email", database_away_for_the_first_shop)
    reports = imap.fetch_all()
    assert reports[0].failed and "database is unavailable" in reports[0].error
    assert not reports[1].failed and [r.outcome for r in reports[1].results] == ["new"]
    db.session.expire_all()
    cursor = db.session.scalar(sa.select(ImapCursor).where(ImapCursor.shop_id == first.id))
    assert cursor.last_uid == 0 and "database is unavailable" in cursor.last_error
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1
