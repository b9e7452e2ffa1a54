"""The customer's journey in a real browser, by keyboard: the contact page's promise, their question's private
page, a reply, and "How did we do?"."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect


def _question_link(browser_app) -> tuple[str, int]:
    """A private link to an open demo question, as a mail to its customer would carry it."""
    from inbox.extensions import db
    from inbox.models import Shop, Ticket
    from inbox.services import customer_links
    with browser_app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.status == "open",
                                                           Ticket.customer_email.is_not(None)).limit(1))
        key = customer_links.make_link(ticket).rpartition("/")[2]
        db.session.commit()
        return f"/q/{key}", shop.id


def test_contact_page_promises_a_moment_with_its_offset(page: Page, browser_app):
    _link, shop_id = _question_link(browser_app)
    page.goto(f"/contact/{shop_id}")
    when = page.locator("#promise time")
    expect(when).to_be_visible()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:(00|15|30|45)[+-]\d\d:\d\d", when.get_attribute("datetime"))
    expect(page.locator("#team")).to_contain_text("Anna")


def test_customer_replies_and_rates_by_keyboard(page: Page, browser_app):
    link, _shop_id = _question_link(browser_app)
    page.goto(link)
    expect(page.locator("#question-status")).to_contain_text("We are working on your question.")
    page.get_by_label("Your reply").focus()
    page.keyboard.type("Is er al nieuws?")
    page.keyboard.press("Tab")   # the file input (optional)
    expect(page.get_by_label("Attach files (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".thread .msg-customer").last).to_contain_text("Is er al nieuws?")
    # The rating links of a solve mail open a page that asks first; the choice is made with the arrow keys.
    page.goto(f"{link}/rate/okay")
    okay = page.get_by_label("Okay")
    expect(okay).to_be_checked()
    okay.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Bad")).to_be_checked()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Het duurde lang.")
    page.get_by_role("button", name="Send my rating").press("Enter")
    expect(page.locator("#rating")).to_contain_text("Your rating: Bad")


def _png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 60, 60)).save(out, "PNG")
    return out.getvalue()


def test_the_customers_photo_reaches_the_agent_and_a_program_is_refused_with_the_text_kept(page: Page, browser_app,
                                                                                            login):
    from tests.browser.conftest import assert_axe_clean, assert_fits, with_axe
    link, _shop_id = _question_link(browser_app)
    with_axe(page)
    page.goto(link)
    files = page.get_by_label("Attach files (optional)")
    page.get_by_label("Your reply").fill("Hier is het programma dat jullie vroegen")
    files.set_input_files([{"name": "factuur.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + bytes(200)}])
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#files-errors")).to_contain_text("a Windows program")
    expect(page.get_by_label("Your reply")).to_have_value("Hier is het programma dat jullie vroegen")
    assert_axe_clean(page, "the question page with a refused file", "#thread-end")
    assert_fits(page, "the question page with a refused file")

    page.get_by_label("Your reply").fill("Zo ziet de scheur eruit.")
    page.get_by_label("Attach files (optional)").set_input_files(
        [{"name": "scheur.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".thread .msg-customer").last).to_contain_text("scheur.png")
    ticket_id = int(page.locator(".thread").get_attribute("id").split("-")[1])
    login("agent1@example.com")
    page.goto(f"/tickets/{ticket_id}")
    expect(page.locator(".thread").get_by_text("scheur.png").first).to_be_visible()


def test_a_colleague_puts_a_photo_on_the_contact_page(page: Page, browser_app, login):
    import io

    from PIL import Image

    from tests.browser.conftest import assert_axe_clean, assert_fits, with_axe
    _link, shop_id = _question_link(browser_app)
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (60, 120, 180)).save(out, "JPEG")
    with_axe(page)
    login("agent1@example.com")   # Anna, shown on the contact page in the demo
    page.goto("/account")
    page.locator("input#photo").set_input_files([{"name": "anna.jpg", "mimeType": "image/jpeg",
                                                             "buffer": out.getvalue()}])
    page.locator("#photo-card button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#photo-card .account-photo img")).to_be_visible()
    assert_axe_clean(page, "the account page with a photo", "#photo-card")
    page.goto(f"/contact/{shop_id}")
    photo = page.locator("#team img.face-photo")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()   # a lazy image loads when it nears the screen, on a loaded machine later
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert page.evaluate("(img) => img.naturalWidth", photo.element_handle()) == 256
    assert_axe_clean(page, "the contact page's team with a photo", "#team")
    assert_fits(page, "the contact page with a team photo")


def test_asking_for_a_fresh_link_answers_alike_for_a_known_and_an_unknown_address(page: Page, browser_app):
    from inbox.extensions import db
    from inbox.models import Ticket

    from tests.browser.conftest import assert_axe_clean, assert_fits, with_axe
    _link, shop_id = _question_link(browser_app)
    with browser_app.app_context():
        known = db.session.scalar(sa.select(Ticket.customer_email).where(Ticket.shop_id == shop_id,
                                                                          Ticket.customer_email.is_not(None)).limit(1))
    with_axe(page)
    answers = []
    for address in (known, "nobody-here@example.org"):
        page.goto(f"/contact/{shop_id}")
        page.get_by_role("link", name="Already asked us something? Get a link to follow your question.").click()
        page.get_by_label("Your e-mail address").fill(address)
        page.get_by_label("Your e-mail address").press("Enter")
        answers.append(page.locator("#link-sent").inner_text().replace(address, "…"))
    assert answers[0] == answers[1]
    assert_axe_clean(page, "the fresh-link answer")
    assert_fits(page, "the fresh-link answer")


def test_an_agent_suggests_a_good_reply_as_a_draft_article_by_keyboard(page: Page, browser_app, login):
    from inbox.extensions import db
    from inbox.models import HelpArticle, Message, Ticket
    with browser_app.app_context():
        ticket_id, reply_id = db.session.execute(
            sa.select(Ticket.id, Message.id).join(Message, Message.ticket_id == Ticket.id)
            .where(Message.kind == "reply", Ticket.status == "solved").limit(1)).one()
        drafts = db.session.scalar(sa.select(sa.func.count(HelpArticle.id)).where(HelpArticle.published.is_(False)))
    login("agent1@example.com")
    page.goto(f"/tickets/{ticket_id}")
    button = page.locator(f"#message-{reply_id}").get_by_role("button", name="Suggest as a help article")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Saved as a draft help article")
    with browser_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HelpArticle.id))
                                 .where(HelpArticle.published.is_(False))) == drafts + 1
