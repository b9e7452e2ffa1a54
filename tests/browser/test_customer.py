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
    page.keyboard.press("Tab")
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
