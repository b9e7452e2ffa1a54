"""Files on replies and notes, from the ticket page: attached with or without JavaScript, checked, kept on the
draft, sent once as MIME parts with their own names and bytes (through a real SMTP conversation), shown in the
thread, and served only to the shop's users."""
from __future__ import annotations

import base64
import gc
import io
import re

import pytest
import sqlalchemy as sa
from flask import g
from PIL import Image

from inbox.extensions import db
from inbox.models import MailAttachment, Message, OutboundEmail, ReplyTemplate, Upload
from inbox.services import outbox
from tests.conftest import sign_in
from tests.mailservers import smtp_sink  # noqa: F401  (fixture)

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
BODY = "Beste Ingrid,\n\nIn de bijlage vindt u de factuur en een foto van het pakket.\n\nMet vriendelijke groet,\nAnna"


def jpeg(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def form_of(page: str) -> dict:
    return dict(re.findall(r'name="(token|seen_message_id)" (?:type="hidden" )?value="([^"]*)"', page))


@pytest.fixture
def smtp_shop(shop, smtp_sink):
    from inbox.models import MailSettings
    db.session.add(MailSettings(shop_id=shop.id, smtp_host=smtp_sink.host, smtp_port=smtp_sink.port,
                                smtp_security="none", from_address="support@demo-shop.example"))
    db.session.commit()
    return shop


@pytest.fixture
def page(client, login_as, make_ticket, smtp_shop):
    """The agent on a fresh ticket's page: answers (ticket, the form's hidden fields)."""
    ticket = make_ticket(smtp_shop)
    login_as("agent")
    return ticket, form_of(client.get(f"/tickets/{ticket.id}").get_data(as_text=True))


def fresh_page(client, ticket) -> str:
    """The ticket page as a new request sees it (the test's app context keeps `g`, and the thread in it)."""
    g.pop("_thread_mail", None)
    return client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def files_on(message_id: int) -> list[MailAttachment]:
    return list(db.session.scalars(sa.select(MailAttachment).where(MailAttachment.message_id == message_id)
                                   .order_by(MailAttachment.id).options(sa.orm.undefer(MailAttachment.data))))


def test_without_javascript_the_files_go_with_the_reply_and_reach_the_customer_byte_for_byte(
        app, client, page, smtp_sink):
    ticket, form = page
    photo = jpeg()
    response = client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": BODY, "kind": "reply", "status": "pending", **form,
        "files": [(io.BytesIO(PDF), "Überweisung März 2026.pdf"), (io.BytesIO(photo), "pakket.jpg")]})
    assert response.status_code == 303
    reply = db.session.scalar(sa.select(Message).where(Message.ticket_id == ticket.id, Message.kind == "reply"))
    assert [(f.filename, f.content_type, f.data) for f in files_on(reply.id)] == [
        ("Überweisung März 2026.pdf", "application/pdf", PDF), ("pakket.jpg", "image/jpeg", photo)]

    [result] = outbox.run_queue()
    assert result.state == "sent"
    [mail] = smtp_sink.wait_for(1)
    assert b"filename*=utf-8''%C3%9Cberweisung%20M%C3%A4rz%202026.pdf" in mail.raw   # RFC 2231
    parts = list(mail.message.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ("Überweisung März 2026.pdf", "application/pdf", PDF), ("pakket.jpg", "image/jpeg", photo)]
    assert mail.message.get_body(("plain",)).get_content().startswith("Beste Ingrid")

    # The thread lists them with their size; the photo as a thumbnail.
    html = fresh_page(client, ticket)
    assert "Überweisung März 2026.pdf" in html and "pakket.jpg" in html
    thumb_id = files_on(reply.id)[1].id
    assert f"/attachments/{thumb_id}/thumbnail" in html
    thumb = client.get(f"/attachments/{thumb_id}/thumbnail")
    assert thumb.mimetype == "image/jpeg" and len(thumb.data) < len(photo) / 3


def test_with_javascript_files_wait_on_the_draft_can_be_removed_and_are_sent_once(app, client, page, smtp_sink):
    ticket, form = page
    added = client.post(f"/tickets/{ticket.id}/attachments", headers=HX, content_type="multipart/form-data",
                        data={"body": BODY, "kind": "reply", **form,
                              "files": [(io.BytesIO(PDF), "factuur.pdf"), (io.BytesIO(b"a;b\n1;2\n"), "lijst.csv")]})
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert 'id="ticket-%d-attachments"' % ticket.id in html and "factuur.pdf" in html and "lijst.csv" in html
    csv_id = db.session.scalar(sa.select(Upload.id).where(Upload.filename == "lijst.csv"))
    # The draft keeps the files and the text: a reload shows both.
    reloaded = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "factuur.pdf" in reloaded and "In de bijlage vindt u de factuur" in reloaded

    removed = client.post(f"/tickets/{ticket.id}/attachments/{csv_id}/remove", headers=HX, data={"body": BODY})
    assert "lijst.csv" not in removed.get_data(as_text=True) and "factuur.pdf" in removed.get_data(as_text=True)

    send = {"body": BODY, "kind": "reply", "status": "pending", **form}
    first = client.post(f"/tickets/{ticket.id}/reply", headers=HX, data=send)
    again = client.post(f"/tickets/{ticket.id}/reply", headers=HX, data=send)   # a double click, a retried POST
    assert first.status_code == again.status_code == 204    # htmx is sent to the ticket page
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "reply")) == 1
    assert db.session.scalar(sa.select(sa.func.count(MailAttachment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 0
    outbox.run_queue()
    [mail] = smtp_sink.wait_for(1)
    assert [p.get_filename() for p in mail.message.iter_attachments()] == ["factuur.pdf"]


# Werkzeug's test client spools a body over 500 KB to a temporary file it never closes (the app closes its own).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_file_too_large_or_a_program_keeps_the_typed_reply_and_the_good_files(app, client, page, smtp_shop):
    ticket, form = page
    smtp_shop.attachment_file_mb = 1
    db.session.commit()
    big = b"%PDF-" + b"x" * (1024 * 1024 + 1)
    response = client.post(f"/tickets/{ticket.id}/reply", headers=HX, content_type="multipart/form-data", data={
        "body": BODY, "kind": "reply", "status": "pending", **form,
        "files": [(io.BytesIO(big), "catalogus.pdf"), (io.BytesIO(b"MZ\x90\x00rest"), "factuur.pdf"),
                  (io.BytesIO(PDF), "goed.pdf")]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "In de bijlage vindt u de factuur" in html                       # the typed reply is kept
    assert "catalogus.pdf" in html and "at most 1 MB" in html
    assert "factuur.pdf" in html and "Windows program" in html               # by its bytes, not its name
    assert "goed.pdf" in html                                                # the good one waits on the draft
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "reply")) == 0
    assert db.session.scalars(sa.select(Upload.filename)).all() == ["goed.pdf"]
    del response
    gc.collect()


def test_a_note_keeps_its_files_in_the_thread_and_sends_no_mail(app, client, page):
    ticket, form = page
    client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": "Foto van de schade, van de klant per WhatsApp.", "kind": "note", "status": "", **form,
        "files": [(io.BytesIO(jpeg()), "schade.jpg")]})
    note = db.session.scalar(sa.select(Message).where(Message.kind == "note"))
    assert [f.filename for f in files_on(note.id)] == ["schade.jpg"]
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 0


def test_downloads_are_for_the_shops_users_only_and_only_safe_images_show_inline(
        app, client, page, make_shop, make_user):
    ticket, form = page
    client.post(f"/tickets/{ticket.id}/reply", content_type="multipart/form-data", data={
        "body": BODY, "kind": "note", "status": "", **form,
        "files": [(io.BytesIO(PDF), "factuur.pdf"), (io.BytesIO(jpeg()), "foto.jpg"),
                  (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")]})
    pdf, photo, svg = files_on(db.session.scalar(sa.select(Message.id).where(Message.kind == "note")))
    for row, disposition, mimetype in ((pdf, "attachment", "application/octet-stream"),
                                       (photo, "inline", "image/jpeg"),
                                       (svg, "attachment", "application/octet-stream")):
        response = client.get(f"/mail/attachments/{row.id}")
        assert response.headers["Content-Disposition"].startswith(disposition), row.filename
        assert response.mimetype == mimetype and response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == row.data
    outsider = make_user(make_shop("Other Shop"), role="owner", email="owner@other.example")
    client.post("/logout")
    sign_in(client, outsider.email)
    assert client.get(f"/mail/attachments/{pdf.id}").status_code == 404
    assert client.get(f"/attachments/{photo.id}/thumbnail").status_code == 404


def test_a_draft_file_is_its_writers_and_another_shop_cannot_attach(app, client, page, staff, make_shop, make_user):
    ticket, form = page
    client.post(f"/tickets/{ticket.id}/attachments", headers=HX, content_type="multipart/form-data",
                data={"files": [(io.BytesIO(PDF), "factuur.pdf")]})
    upload_id = db.session.scalar(sa.select(Upload.id))
    assert client.get(f"/attachments/uploads/{upload_id}").data == PDF
    client.post("/logout")
    sign_in(client, staff["owner"].email)
    assert client.get(f"/attachments/uploads/{upload_id}").status_code == 404     # a colleague's draft
    assert client.post(f"/tickets/{ticket.id}/attachments/{upload_id}/remove", headers=HX).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 1            # not theirs to remove
    outsider = make_user(make_shop("Other Shop"), role="owner", email="owner@other.example")
    client.post("/logout")
    sign_in(client, outsider.email)
    assert client.post(f"/tickets/{ticket.id}/attachments", headers=HX, content_type="multipart/form-data",
                       data={"files": [(io.BytesIO(PDF), "x.pdf")]}).status_code == 404


def test_a_template_carries_a_standard_attachment_into_the_reply(app, client, page, staff, smtp_shop, smtp_sink):
    ticket, form = page
    template = ReplyTemplate(shop_id=smtp_shop.id, title="Retourvoorwaarden", language="nl",
                             body="Beste {customer_name},\n\nIn de bijlage vindt u onze retourvoorwaarden.")
    db.session.add(template)
    db.session.commit()
    client.post("/logout")
    sign_in(client, staff["owner"].email)
    client.post(f"/templates/{template.id}/attachments", content_type="multipart/form-data",
                data={"files": [(io.BytesIO(PDF), "Retourvoorwaarden.pdf")]})
    edit = client.get(f"/templates/{template.id}/edit").get_data(as_text=True)
    assert "Retourvoorwaarden.pdf" in edit

    inserted = client.post(f"/tickets/{ticket.id}/templates/{template.id}/insert", headers=HX, data={"body": ""})
    assert "Retourvoorwaarden.pdf" in inserted.get_data(as_text=True)
    client.post(f"/tickets/{ticket.id}/templates/{template.id}/insert", headers=HX, data={"body": ""})  # twice
    client.post(f"/tickets/{ticket.id}/reply", headers=HX, data={
        "body": "Beste Ingrid,\n\nIn de bijlage vindt u onze retourvoorwaarden.", "kind": "reply",
        "status": "pending", **form_of(client.get(f"/tickets/{ticket.id}").get_data(as_text=True))})
    outbox.run_queue()
    [mail] = smtp_sink.wait_for(1)
    assert [(p.get_filename(), p.get_content()) for p in mail.message.iter_attachments()] == [
        ("Retourvoorwaarden.pdf", PDF)]
    assert [u.filename for u in db.session.scalars(sa.select(Upload))] == ["Retourvoorwaarden.pdf"]  # the template's


def test_the_owner_sets_the_attachment_limits_in_the_shop_settings(client, login_as, shop):
    login_as("owner")
    details = {"name": "Demo Shop", "country": "NL", "timezone": "Europe/Amsterdam"}
    assert 'value="10"' in client.get("/settings/shop").get_data(as_text=True)
    bad = client.post("/settings/shop", data={**details, "attachment_file_mb": "0", "attachment_message_mb": "5"})
    assert bad.status_code == 422
    bad = client.post("/settings/shop", data={**details, "attachment_file_mb": "20", "attachment_message_mb": "5"})
    assert bad.status_code == 422 and "At least the largest attachment (20 MB)." in bad.get_data(as_text=True)
    assert client.post("/settings/shop", data={**details, "attachment_file_mb": "5",
                                               "attachment_message_mb": "15"}).status_code == 303
    assert (shop.attachment_file_mb, shop.attachment_message_mb) == (5, 15)
    client.post("/settings/shop", data=details)          # left out: kept
    assert (shop.attachment_file_mb, shop.attachment_message_mb) == (5, 15)


def test_the_api_sends_a_reply_with_base64_files_once(app, client, staff, make_ticket, smtp_shop, smtp_sink):
    from inbox.models import ApiToken
    from inbox.tokens import hash_token

    ticket = make_ticket(smtp_shop)
    db.session.add(ApiToken(shop_id=smtp_shop.id, name="Boekhouding", token_hash=hash_token("inb_attach-test"),
                            prefix="inb_attach", created_by=staff["agent"].id, scope="write"))
    db.session.commit()
    api = {"Authorization": "Bearer inb_attach-test", "Idempotency-Key": "order-1187-invoice"}
    photo = jpeg()
    payload = {"body": BODY, "attachments": [
        {"filename": "Factuur 2026-1187.pdf", "content_base64": base64.b64encode(PDF).decode()},
        {"filename": "pakket.jpg", "content_base64": base64.b64encode(photo).decode()}]}
    first = client.post(f"/api/v1/tickets/{ticket.id}/messages", json=payload, headers=api)
    again = client.post(f"/api/v1/tickets/{ticket.id}/messages", json=payload, headers=api)
    assert (first.status_code, again.status_code) == (201, 200)
    assert [a["filename"] for a in first.get_json()["message"]["attachments"]] == ["Factuur 2026-1187.pdf",
                                                                                  "pakket.jpg"]
    outbox.run_queue()
    [mail] = smtp_sink.wait_for(1)
    assert [(p.get_filename(), p.get_content()) for p in mail.message.iter_attachments()] == [
        ("Factuur 2026-1187.pdf", PDF), ("pakket.jpg", photo)]

    refused = client.post(f"/api/v1/tickets/{ticket.id}/messages", headers={**api, "Idempotency-Key": "x"}, json={
        "body": BODY, "attachments": [{"filename": "tool.pdf", "content_base64": base64.b64encode(b"\x7fELF..").decode()}]})
    assert refused.status_code == 422 and "Linux program" in refused.get_json()["error"]
    broken = client.post(f"/api/v1/tickets/{ticket.id}/messages", headers={**api, "Idempotency-Key": "y"}, json={
        "body": BODY, "attachments": [{"filename": "a.pdf", "content_base64": "not base64!"}]})
    assert broken.status_code == 422 and broken.get_json()["fields"][0]["field"] == "attachments.0.content_base64"
