"""An agent attaches files to a reply: picks two, drops one on the text, pastes a screenshot, removes one, is
stopped before uploading one that is too large, and sends; the thread shows the files with a thumbnail. The
composer with files fits a phone and passes axe."""
from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from inbox import clock
from inbox.extensions import db
from inbox.models import MailAttachment, Message, OutboundEmail, Shop
from tests.browser.conftest import PHONE, assert_axe_clean, assert_fits, with_axe

DESKTOP = {"width": 1280, "height": 900}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
LONG_NAME = "foto-van-het-beschadigde-pakket-bij-aankomst-op-de-stoep-2026-12-03.png"
BODY = ("Beste mevrouw Van Dijk,\n\nIn de bijlage vindt u de factuur en het retourlabel. Plak het label op de doos "
        "en geef hem af bij een PostNL-punt; u krijgt het bedrag binnen drie werkdagen terug.\n\n"
        "Met vriendelijke groet,\nAnna\nDemo Shop")

# A drop and a paste as the browser makes them: a DataTransfer holding a file (Playwright cannot drag from the desktop).
DROP = """([selector, name, type]) => {
  const dt = new DataTransfer();
  dt.items.add(new File(['%PDF-1.4 label'], name, {type}));
  const target = document.querySelector(selector);
  target.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
  target.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""
PASTE = """async ([selector]) => {
  const canvas = new OffscreenCanvas(320, 200);
  const ctx = canvas.getContext('2d'); ctx.fillStyle = '#0f5f5c'; ctx.fillRect(0, 0, 320, 200);
  const blob = await canvas.convertToBlob({type: 'image/png'});
  const dt = new DataTransfer();
  dt.items.add(new File([blob], 'image.png', {type: 'image/png'}));
  document.querySelector(selector).dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
}"""


def settled(page):
    """htmx binds new content a moment after swapping it in; a robot clicks faster than that, a person does not."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def question(browser_app):
    from inbox.services import tickets

    with browser_app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        ticket = tickets.create_ticket(shop, subject="Retour van een beschadigd pakket", body="Het pakket kwam kapot aan.",
                                       customer_name="Ingrid van Dijk", customer_email="ingrid@example.com",
                                       received_at=clock.now())
        db.session.commit()
        return ticket.id


def test_attach_drop_paste_remove_and_send(page, login, browser_app, question, artifacts):
    with_axe(page)
    page.set_viewport_size(DESKTOP)
    login("agent1@example.com")
    try:
        tid = question
        page.goto(f"/tickets/{tid}")
        page.locator(f"#ticket-{tid}-body").fill(BODY)
        files = page.locator(f"#ticket-{tid}-attachments .attachment")

        page.get_by_label("Attach files").set_input_files([
            {"name": "factuur 2026-1187.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": LONG_NAME, "mimeType": "image/png", "buffer": png()}])
        expect(files).to_have_count(2)
        expect(files.first).to_contain_text("factuur 2026-1187.pdf")
        settled(page)
        page.evaluate(DROP, [f"#ticket-{tid}-body", "retourlabel.pdf", "application/pdf"])
        expect(files).to_have_count(3)
        settled(page)
        page.evaluate(PASTE, [f"#ticket-{tid}-body"])
        expect(files).to_have_count(4)
        expect(files.nth(3)).to_contain_text("screenshot")
        settled(page)

        # Too large for the shop's 10 MB: refused in the browser, nothing uploaded.
        page.get_by_label("Attach files").set_input_files([
            {"name": "catalogus.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"x" * (10 * 1024 * 1024 + 1)}])
        expect(page.locator(f"#ticket-{tid}-attachments [role=alert]")).to_contain_text("catalogus.pdf")
        expect(files).to_have_count(4)

        page.get_by_role("button", name="Remove retourlabel.pdf").click()
        expect(files).to_have_count(3)
        settled(page)
        expect(files.nth(1).locator("img.attachment-thumb")).to_be_visible()
        page.screenshot(path=os.path.join(artifacts, "attachments-composer-desktop.png"), full_page=False)

        page.set_viewport_size(PHONE)
        page.locator(f"#ticket-{tid}-attachments").scroll_into_view_if_needed()
        assert_fits(page, "the composer with attached files", widths=(320, 390))
        assert_axe_clean(page, "the composer with attached files", f"#ticket-{tid}-attachments")
        page.screenshot(path=os.path.join(artifacts, "attachments-composer-phone.png"), full_page=False)
        page.set_viewport_size(DESKTOP)

        page.get_by_role("button", name="Send & wait for customer").click()
        reply_files = page.locator(".msg-reply .msg-attachments li")
        expect(reply_files).to_have_count(3)
        expect(page.locator(".msg-reply .att-thumb img")).to_have_count(2)
        assert_axe_clean(page, "the thread with sent files", ".msg-reply .msg-attachments")
        page.locator(".msg-reply .msg-attachments").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(artifacts, "attachments-thread-desktop.png"), full_page=False)
    finally:
        page.set_viewport_size(DESKTOP)

    with browser_app.app_context():
        reply = db.session.scalar(sa.select(Message).where(Message.ticket_id == tid, Message.kind == "reply"))
        names = db.session.scalars(sa.select(MailAttachment.filename).where(MailAttachment.message_id == reply.id)
                                   .order_by(MailAttachment.id)).all()
        assert names[0] == "factuur 2026-1187.pdf" and names[1] == LONG_NAME and names[2].startswith("screenshot")
        assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id)).where(OutboundEmail.message_id == reply.id)) == 1
