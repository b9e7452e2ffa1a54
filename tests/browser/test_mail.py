"""The owner's mail pages and a reply's delivery state, in a real browser."""
from __future__ import annotations

import os

import sqlalchemy as sa
from playwright.sync_api import expect

from inbox.extensions import db
from inbox.models import MailSettings, OutboundEmail, Shop, Ticket
from inbox.services import intake, outbox, tickets as ticket_service
from tests.conftest import customer_mail


def test_owner_sees_mail_settings_and_the_review_list(browser_app, page, login, artifacts):
    with browser_app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        broken = b"X-Junk: " + b"a" * (300 * 1024) + b"\r\nSubject: Retour aanvraag 4471\r\n\r\nbody\r\n"
        intake.receive_email(shop, broken, source="imap")
        shop_id = shop.id
    login("owner@example.com")
    page.get_by_role("link", name="Mail", exact=True).click()
    expect(page.get_by_role("heading", name="Mail settings")).to_be_visible()
    expect(page.locator("#mail-local-notice")).to_contain_text("written to the local folder, not sent")
    expect(page.locator("#inbound-address")).to_have_text(f"shop-{shop_id}@inbox.localhost")
    page.get_by_label("IMAP server").fill("imap.demo-shop.example")
    page.get_by_label("Password").first.fill("geheim-123")
    page.get_by_label("Sender").fill("*@marketplace.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Mail settings saved.")).to_be_visible()
    assert "geheim-123" not in page.content()
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#mail-test-result")).to_contain_text("SMTP: not set up")
    page.screenshot(path=os.path.join(artifacts, "mail-settings.png"), full_page=True)

    # The banner on every page tells the owner that mail waits for review; it leads to the list.
    expect(page.locator(".banner", has_text="could not be read")).to_be_visible()
    page.locator(".banner").get_by_role("link", name="review list").click()
    row = page.locator("tr", has_text="Retour aanvraag 4471")
    expect(row).to_contain_text("headers too large")
    expect(row.get_by_role("link", name="Download .eml")).to_be_visible()
    page.screenshot(path=os.path.join(artifacts, "mail-review.png"), full_page=True)
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Nothing to review")).to_be_visible()


def test_an_undelivered_reply_shows_the_server_answer_and_can_be_retried(browser_app, page, login, artifacts,
                                                                         smtp_sink):
    with browser_app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        from inbox.models import User
        agent = db.session.scalar(sa.select(User).where(User.email == "agent1@example.com"))
        result = intake.receive_email(shop, customer_mail(subject="Fiets zonder zadel", message_id="<fiets@example.nl>",
                                                          body="Mijn fiets kwam zonder zadel. Kan dat nagestuurd worden?",
                                                          sender="Jan de Vries <jan@example.nl>"), source="smtp")
        ticket = db.session.get(Ticket, result.ticket_id)
        reply = ticket_service.reply(ticket, shop, "Beste Jan, excuses! Het zadel gaat vandaag op de post.", by=agent)
        db.session.flush()
        outbox.enqueue_reply(ticket, reply, shop)
        settings = db.session.scalar(sa.select(MailSettings).where(MailSettings.shop_id == shop.id)) \
            or MailSettings(shop_id=shop.id)
        settings.smtp_host, settings.smtp_port, settings.smtp_security = smtp_sink.host, smtp_sink.port, "none"
        db.session.add(settings)
        db.session.commit()
        smtp_sink.answer_next("550 5.1.1 <jan@example.nl>: Recipient address rejected: User unknown")
        row_id = db.session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.message_id == reply.id))
        assert outbox.send_one(row_id).state == "failed"
        settings.smtp_host = None  # the rest of the browser tests run without a mail server again
        db.session.commit()
        ticket_id = ticket.id
    login("agent1@example.com")
    page.goto(f"/tickets/{ticket_id}")
    problem = page.locator(".delivery-problem")
    expect(problem).to_contain_text("This reply was not delivered to jan@example.nl")
    expect(problem).to_contain_text("User unknown")
    page.screenshot(path=os.path.join(artifacts, "mail-delivery-failed.png"), full_page=True)
    problem.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("The reply is queued again.")).to_be_visible()
    expect(page.locator(".delivery-problem")).to_have_count(0)


def test_a_stranger_gets_a_question_of_their_own_and_a_copied_in_partner_is_marked(browser_app, page, login,
                                                                                   artifacts):
    with browser_app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        first = intake.receive_email(shop, customer_mail(subject="Lamp kapot", message_id="<lamp@example.nl>",
                                                         sender="Ingrid van Dijk <ingrid@example.nl>",
                                                         Cc="Piet van Dijk <piet@example.nl>"), source="smtp")
        intake.receive_email(shop, customer_mail(subject=f"Re: Lamp kapot [#{first.ticket_id}]",
                                                 message_id="<piet@example.nl>", body="Het is de rode lamp.",
                                                 sender="Piet van Dijk <piet@example.nl>"), source="smtp")
        stranger = intake.receive_email(shop, customer_mail(subject=f"Re: Lamp kapot [#{first.ticket_id}]",
                                                            message_id="<m@evil.example>", body="Betaal hier.",
                                                            sender="Ingrid van Dijk <mallory@evil.example>"),
                                        source="smtp")
        old_id, new_id = first.ticket_id, stranger.ticket_id
    login("agent1@example.com")
    page.goto(f"/tickets/{new_id}")
    notice = page.locator(".refers-to")
    expect(notice).to_contain_text("not part of that conversation")
    notice.get_by_role("link", name=f"Go to question #{old_id}").click()
    expect(page.get_by_role("heading", name="Lamp kapot")).to_be_visible()
    partner = page.locator(".msg", has_text="Het is de rode lamp.")
    expect(partner.locator(".msg-author")).to_have_text("Piet van Dijk")
    expect(partner.locator(".msg-not-customer")).to_have_text("Not the customer")
    expect(partner.get_by_role("link", name="Original message (.eml)")).to_be_visible()
    expect(page.locator(".refers-to")).to_contain_text("mallory@evil.example")
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.screenshot(path=os.path.join(artifacts, "ticket-stranger-and-partner.png"), full_page=True)
