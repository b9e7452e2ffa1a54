"""The live inbox in two browsers: a colleague's reply moves the side panel of the agent on the same question,
and a question that arrives while the inbox is open waits behind a calm bar, on a phone."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inbox import clock
from inbox.extensions import db
from inbox.models import Shop
from tests.browser.conftest import AXE, PHONE, assert_axe_clean, assert_fits

# The presence heartbeat brings the side panel every 4 s; the inbox is asked every second here (20 s in use).
WAIT_MS = 9000


@pytest.fixture
def quick_inbox_poll(browser_app):
    browser_app.config["LIVE_POLL_SECONDS"] = 1
    yield
    browser_app.config["LIVE_POLL_SECONDS"] = 20


def new_question(app, subject: str) -> int:
    """A customer's question arriving (as the mail intake would store it)."""
    from inbox.services import tickets

    with app.app_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        ticket = tickets.create_ticket(shop, subject=subject, customer_name="Noor Vermeulen",
                                       customer_email="noor@example.com", received_at=clock.now(),
                                       body="Ik kreeg de kussenslopen in grijs in plaats van oker. Kan ik ruilen?")
        db.session.commit()
        return ticket.id


def test_a_colleagues_reply_and_a_new_question_show_without_reload(browser, live_server, browser_app, login,
                                                                   quick_inbox_poll):
    ticket_id = new_question(browser_app, "Kussensloop verkeerde kleur")
    anna_ctx = browser.new_context(base_url=live_server, viewport=PHONE, has_touch=True, is_mobile=True)
    anna_ctx.add_init_script(path=str(AXE))
    youssef_ctx = browser.new_context(base_url=live_server)
    try:
        anna, youssef = login("agent1@example.com", target=anna_ctx.new_page()), \
            login("agent2@example.com", target=youssef_ctx.new_page())
        anna.goto(f"/tickets/{ticket_id}")
        expect(anna.locator(f"#ticket-{ticket_id}-status")).to_contain_text("Open")
        expect(anna.locator(f"#ticket-{ticket_id}-assignee")).to_contain_text("Unassigned")

        youssef.goto(f"/tickets/{ticket_id}")
        youssef.locator(f"#ticket-{ticket_id}-reply textarea").first.fill(
            "Beste Noor, wat vervelend. We sturen vandaag de okergele kussenslopen; de grijze mag u houden.")
        youssef.get_by_role("button", name="Send & wait for customer").click()
        expect(youssef.locator(f"#ticket-{ticket_id}-status")).to_contain_text("Pending")

        # Anna, without reloading: the notice, and the side panel as the ticket now is.
        expect(anna.locator(f"#ticket-{ticket_id}-changes")).to_contain_text("Youssef El Amrani replied",
                                                                           timeout=WAIT_MS)
        expect(anna.locator(f"#ticket-{ticket_id}-status")).to_contain_text("Pending")
        expect(anna.locator(f"#ticket-{ticket_id}-assignee")).to_contain_text("Youssef El Amrani")
        expect(anna.locator(f"#ticket-{ticket_id}-due")).to_contain_text("Answered on time")
        assert_fits(anna, "the ticket page after a colleague's reply", widths=(320, 390))
        assert_axe_clean(anna, "the refreshed side panel on a phone", ".ticket-side")

        # The inbox: a question that arrives waits behind the bar; the rows stay where they are.
        anna.goto("/tickets")
        count = int(anna.locator("#count-needs_reply").inner_text().replace(",", ""))
        first_row = anna.locator("#ticket-list tr.ticket-row").first.get_attribute("id")
        new_question(browser_app, "Retour van de plaid")
        bar = anna.locator("#inbox-new a")
        expect(bar).to_have_text("1 new question — show", timeout=WAIT_MS)
        expect(anna.locator("#count-needs_reply")).to_have_text(f"{count + 1:,}")
        assert anna.locator("#ticket-list tr.ticket-row").first.get_attribute("id") == first_row
        assert_fits(anna, "the inbox with the new-questions bar", widths=(320, 390))
        assert_axe_clean(anna, "the new-questions bar on a phone", "#inbox-new")
        bar.click()
        expect(anna.locator("#ticket-list")).to_contain_text("Retour van de plaid")
        expect(anna.locator("#inbox-new a")).to_have_count(0)
        assert re.search(r"/tickets$", anna.url)
    finally:
        anna_ctx.close()
        youssef_ctx.close()
