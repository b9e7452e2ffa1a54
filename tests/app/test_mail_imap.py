"""IMAP fetch against a real Dovecot: new mail in, marked read or moved, resumable, never doubled."""
from __future__ import annotations

import imaplib

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import ImapCursor, MailSettings, Message, QuarantinedMail, Ticket
from inbox.services import imap
from tests.conftest import SAMPLES, customer_mail
from tests.mailservers import append


def flags_and_count(server, folder="INBOX"):
    conn = imaplib.IMAP4(server.host, server.port)
    conn.login(server.user, server.password)
    conn.select(folder, readonly=True)
    _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
    conn.logout()
    return [line for line in data if line]


@pytest.fixture
def imap_shop(shop, dovecot):
    db.session.add(MailSettings(shop_id=shop.id, imap_host=dovecot.host, imap_port=dovecot.port, imap_security="none",
                                imap_user=dovecot.user, imap_password=dovecot.password, imap_folder="INBOX"))
    db.session.commit()
    return shop


def test_fetch_takes_new_mail_in_and_marks_it_read(app, imap_shop, dovecot):
    append(dovecot, customer_mail(), (SAMPLES / "koi8r_russian.eml").read_bytes())
    report = imap.fetch_shop(imap_shop)
    assert report.error is None and [r.outcome for r in report.results] == ["new", "new"]
    assert all(b"\\Seen" in line for line in flags_and_count(dovecot))
    cursor = db.session.scalar(sa.select(ImapCursor))
    assert cursor.last_uid == 2 and cursor.uidvalidity > 0


def test_a_second_fetch_only_takes_what_is_new(app, imap_shop, dovecot):
    append(dovecot, customer_mail())
    imap.fetch_shop(imap_shop)
    append(dovecot, customer_mail(message_id="<q2@example.com>", subject="Tweede vraag"))
    report = imap.fetch_shop(imap_shop)
    assert [r.outcome for r in report.results] == ["new"]
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 2


def test_after_a_crash_the_refetch_makes_no_second_message(app, imap_shop, dovecot):
    append(dovecot, customer_mail(), customer_mail(message_id="<q2@example.com>"))
    imap.fetch_shop(imap_shop)
    # A crash after intake committed but before the cursor moved: the cursor is behind, mail is fetched again.
    cursor = db.session.scalar(sa.select(ImapCursor))
    cursor.last_uid = 0
    db.session.commit()
    report = imap.fetch_shop(imap_shop)
    assert [r.outcome for r in report.results] == ["duplicate", "duplicate"]
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 2


def test_a_new_uidvalidity_starts_over_without_doubles(app, imap_shop, dovecot):
    append(dovecot, customer_mail())
    imap.fetch_shop(imap_shop)
    cursor = db.session.scalar(sa.select(ImapCursor))
    cursor.uidvalidity, cursor.last_uid = 1, 99  # the server renumbered the folder
    db.session.commit()
    append(dovecot, customer_mail(message_id="<q2@example.com>"))
    report = imap.fetch_shop(imap_shop)
    assert sorted(r.outcome for r in report.results) == ["duplicate", "new"]


def test_fetched_mail_can_be_moved_to_a_folder(app, imap_shop, dovecot):
    conn = imaplib.IMAP4(dovecot.host, dovecot.port)
    conn.login(dovecot.user, dovecot.password)
    conn.create("Processed")
    conn.logout()
    settings = db.session.scalar(sa.select(MailSettings))
    settings.imap_move_to = "Processed"
    db.session.commit()
    append(dovecot, customer_mail())
    imap.fetch_shop(imap_shop)
    assert flags_and_count(dovecot) == []
    assert len(flags_and_count(dovecot, "Processed")) == 1


def test_unreadable_mail_is_kept_for_review_and_the_fetch_goes_on(app, imap_shop, dovecot):
    broken = b"X-Junk: " + b"a" * (300 * 1024) + b"\r\nSubject: hi\r\n\r\nbody\r\n"
    append(dovecot, broken, customer_mail())
    report = imap.fetch_shop(imap_shop)
    assert [r.outcome for r in report.results] == ["rejected", "new"]
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))) == 1


def test_a_wrong_password_is_reported_not_raised(app, imap_shop, dovecot):
    settings = db.session.scalar(sa.select(MailSettings))
    settings.imap_password = "wrong"
    db.session.commit()
    report = imap.fetch_shop(imap_shop)
    assert report.error and "cannot connect" in report.error


def test_the_cli_fetch_reports_per_shop(app, imap_shop, dovecot):
    append(dovecot, customer_mail())
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 0, result.output
    assert "Demo Shop: 1 new" in result.output
