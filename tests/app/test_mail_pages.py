"""The owner's mail pages: settings (passwords never shown back), the review list, the one-off import."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import AuditEvent, MailSettings, QuarantinedMail, Ticket
from inbox.services import intake
from tests.conftest import SAMPLES, customer_mail

BROKEN = b"X-Junk: " + b"a" * (300 * 1024) + b"\r\nSubject: kapot\r\n\r\nbody\r\n"


def settings_form(**overrides):
    form = {"imap_host": "imap.demo-shop.example", "imap_port": "993", "imap_security": "ssl", "imap_user": "vragen",
            "imap_password": "s3cret-imap", "imap_folder": "INBOX", "imap_move_to": "", "inbound_alias": "",
            "from_address": "support@demo-shop.example", "smtp_host": "", "smtp_port": "", "smtp_security": "starttls",
            "smtp_user": "", "smtp_password": "", "marketplace_sender": "*@marketplace.example",
            "marketplace_subject": "", "own_addresses": "@demo-shop.example"}
    form.update(overrides)
    return form


def test_saved_passwords_are_sealed_in_the_database_and_unreadable_under_another_key(app, shop, login_as, client):
    login_as("owner")
    client.post("/mail/settings", data=settings_form(smtp_host="smtp.demo-shop.example", smtp_password="s3cret-smtp"))
    raw = db.session.execute(sa.text("SELECT imap_password, smtp_password FROM mail_settings")).one()
    assert all(value and "s3cret" not in value for value in raw)
    saved = db.session.scalar(sa.select(MailSettings))
    assert (saved.imap_password, saved.smtp_password) == ("s3cret-imap", "s3cret-smtp")
    db.session.expire_all()
    app.config["SECRET_KEY"] = "another-installation"
    assert db.session.scalar(sa.select(MailSettings)).imap_password is None   # enter it again, no crash


def test_owner_saves_mail_settings_and_the_password_is_never_shown_back(app, shop, login_as, client):
    login_as("owner")
    response = client.post("/mail/settings", data=settings_form())
    assert response.status_code == 303
    saved = db.session.scalar(sa.select(MailSettings).where(MailSettings.shop_id == shop.id))
    assert (saved.imap_host, saved.imap_password, saved.marketplace_sender) == (
        "imap.demo-shop.example", "s3cret-imap", "*@marketplace.example")
    page = client.get("/mail/settings").get_data(as_text=True)
    assert "s3cret-imap" not in page and "saved — leave empty to keep" in page
    assert f"shop-{shop.id}@inbox.localhost" in page
    # Saving again with an empty password field keeps the saved one.
    client.post("/mail/settings", data=settings_form(imap_password=""))
    db.session.refresh(saved)
    assert saved.imap_password == "s3cret-imap"
    events = db.session.scalars(sa.select(AuditEvent.new).where(AuditEvent.action == "mail.settings")).all()
    assert events and not any("s3cret" in (e or "") for e in events)


def test_bad_settings_re_render_with_field_errors(app, shop, login_as, client):
    login_as("owner")
    response = client.post("/mail/settings", data=settings_form(imap_port="99999", own_addresses="not an address"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not an address" in page and "field-errors" in page


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_the_owner_sees_mail_settings_and_the_review_list(app, shop, login_as, client, role):
    login_as(role)
    assert client.get("/mail/settings").status_code == 403
    assert client.get("/mail/review").status_code == 403


def test_test_connection_talks_to_the_smtp_server(app, shop, login_as, client, smtp_sink):
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port, smtp_security="none"))
    db.session.commit()
    login_as("owner")
    response = client.post("/mail/settings/test", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "SMTP: connected to 127.0.0.1" in page and "IMAP: not set up" in page
    assert smtp_sink.received == []  # a test sends nothing


def test_review_list_shows_the_error_and_offers_download_retry_delete(app, shop, login_as, client):
    bad = intake.receive_email(shop, BROKEN, source="imap")
    login_as("owner")
    assert "wait in the <a href=\"/mail/review\">review list</a>" in client.get("/tickets").get_data(as_text=True)
    page = client.get("/mail/review").get_data(as_text=True)
    assert "headers too large" in page and "kapot" in page
    download = client.get(f"/mail/review/{bad.quarantine_id}.eml")
    assert download.data == BROKEN and download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    client.post(f"/mail/review/{bad.quarantine_id}/retry")
    row = db.session.get(QuarantinedMail, bad.quarantine_id)
    assert row is not None and row.attempts == 2  # still unreadable, kept
    client.post(f"/mail/review/{bad.quarantine_id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))) == 0


def test_retry_from_the_review_list_imports_once_the_limit_allows_it(app, shop, login_as, client):
    # A mail over a limit the owner then raised: the retry takes it in and it leaves the list.
    row = QuarantinedMail(shop_id=shop.id, raw=customer_mail(), size=1, error="(was too large)", source="imap")
    db.session.add(row)
    db.session.commit()
    login_as("owner")
    client.post(f"/mail/review/{row.id}/retry")
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_another_shops_review_item_is_404(app, shop, make_shop, login_as, client):
    other = make_shop("Other Shop")
    bad = intake.receive_email(other, BROKEN, source="imap")
    login_as("owner")
    assert client.get(f"/mail/review/{bad.quarantine_id}.eml").status_code == 404
    assert client.post(f"/mail/review/{bad.quarantine_id}/delete").status_code == 404


def test_cli_import_reports_each_file(app, shop, tmp_path):
    (tmp_path / "a.eml").write_bytes(customer_mail())
    (tmp_path / "b.eml").write_bytes(customer_mail(subject="Re: x [#1]", message_id="<b@x>"))
    (tmp_path / "broken.eml").write_bytes(BROKEN)
    files = [str(tmp_path / n) for n in ("a.eml", "a.eml", "b.eml", "broken.eml")]
    result = app.test_cli_runner().invoke(args=["mail", "import", *files, "--shop", str(shop.id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "a.eml: new ticket #1"
    assert lines[1] == "a.eml: duplicate (already in ticket #1)"
    assert lines[2] == "b.eml: threaded into ticket #1"
    assert lines[3].startswith("broken.eml: kept for review: headers too large")
    assert (SAMPLES / "plain_ascii.eml").exists()


def test_mail_settings_refuse_a_server_on_the_private_network(app, shop, login_as, client):
    app.config["ALLOW_PRIVATE_HOSTS"] = ""   # production: no exception for this machine's own mail servers
    login_as("owner")
    response = client.post("/mail/settings", data=settings_form(imap_host="127.0.0.1", smtp_host="169.254.169.254"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "127.0.0.1 is on a private network" in page and "169.254.169.254 is on a private network" in page
    assert db.session.scalar(sa.select(MailSettings)) is None


def test_test_connection_does_not_scan_the_private_network(app, shop, login_as, client, smtp_sink):
    """Settings saved before the rule (or a name that now resolves inward) are refused before any connection."""
    db.session.add(MailSettings(shop_id=shop.id, imap_host="10.0.0.7", imap_port=22, imap_security="none",
                                smtp_host=smtp_sink.host, smtp_port=smtp_sink.port, smtp_security="none"))
    db.session.commit()
    app.config["ALLOW_PRIVATE_HOSTS"] = ""
    login_as("owner")
    page = client.post("/mail/settings/test", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "IMAP: 10.0.0.7 resolves to 10.0.0.7" in page
    assert "SMTP: 127.0.0.1 resolves to 127.0.0.1" in page
    assert smtp_sink.received == [] and not getattr(smtp_sink, "connections", 0)
