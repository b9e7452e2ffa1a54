"""A customer starts typing a question on the contact form, finds the answer beside it, and sends nothing."""
from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from inbox.extensions import db
from inbox.models import Shop, Ticket

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


def _shop_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Shop.id).where(Shop.name == "Demo Shop"))


def test_suggestions_appear_while_typing_and_answer_the_question(page: Page, browser_app):
    shop_id = _shop_id(browser_app)
    with browser_app.app_context():
        tickets_before = db.session.scalar(sa.select(sa.func.count(Ticket.id)))
    page.add_init_script(WATCH)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/contact/{shop_id}")
    suggestions = page.locator("#help-suggestions")
    expect(suggestions).to_have_attribute("aria-live", "polite")

    page.get_by_label("Subject").press_sequentially("Pakket terugsturen", delay=20)
    hit = suggestions.get_by_role("link", name="How do I return something?")
    expect(hit).to_be_visible()
    expect(page.locator('#help-shown input[name="shown"]')).not_to_have_count(0)   # remembered for the counters
    # On the phone the suggestions are below the form: a line under the question points to them.
    expect(page.locator("#help-suggest-note a")).to_be_visible()

    # The keyboard reaches the suggestion from the question field; Enter reads it in place.
    page.locator("#body").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "How do I return something?":
            break
    expect(hit).to_be_focused()
    page.keyboard.press("Enter")
    expect(suggestions.locator(".help-reading")).to_contain_text("30 days")

    suggestions.locator(".help-reading").get_by_role("button", name="This answered my question").click()
    page.wait_for_url(f"**/help/{shop_id}?lang=en")
    expect(page.locator(".flash-success")).to_contain_text("has not been sent")
    with browser_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == tickets_before
    assert page.evaluate("window.__csp") == []


def test_the_help_page_is_searchable_in_dutch(page: Page, browser_app):
    shop_id = _shop_id(browser_app)
    page.goto(f"/help/{shop_id}?lang=nl")
    expect(page.get_by_role("heading", name="Hoe kunnen we helpen?")).to_be_visible()
    page.get_by_label("Zoeken in de hulpartikelen").fill("factuur")
    page.get_by_label("Zoeken in de hulpartikelen").press("Enter")
    page.get_by_role("link", name="Waar vind ik mijn factuur?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waar vind ik mijn factuur?")
    expect(page.locator(".help-body")).to_contain_text("Mijn account")
