"""Triage from the keyboard, live search, and two agents seeing each other on the same question."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def fresh_ticket(new_question):
    """A question for the presence test that nobody else touches."""
    return new_question(subject="Kussensloop verkeerde kleur", customer_name="Noor Vermeulen",
                        customer_email="noor@example.com",
                        body="Ik kreeg de kussenslopen in grijs in plaats van oker. Kan ik ruilen?")


def test_triage_from_the_keyboard(page: Page, login, artifacts):
    login("agent1@example.com")
    page.goto("/tickets")
    rows = page.locator("#ticket-list tr.ticket-row")
    expect(rows.first).to_have_class(re.compile("is-selected"))
    page.screenshot(path=os.path.join(artifacts, "inbox-list.png"), full_page=True)
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("is-selected"))
    second_subject = rows.nth(1).locator(".subject a").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tickets/\d+\?pos=1"))
    expect(page.locator("h1")).to_contain_text(second_subject.split(" ", 1)[1][:20])

    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()

    ticket_id = page.locator("#ticket-page").get_attribute("data-ticket-id")
    page.keyboard.press("a")  # assign to me
    expect(page.locator(f"#ticket-{ticket_id}-assignee")).to_contain_text("Anna Bakker")
    page.keyboard.press("r")
    expect(page.locator("form.composer textarea, [id$='-reply'] textarea").first).to_be_focused()
    page.keyboard.press("Escape")
    page.screenshot(path=os.path.join(artifacts, "ticket-page.png"), full_page=True)

    page.keyboard.press("j")  # next in the same view, without going back to the list
    page.wait_for_url(re.compile(r"/tickets/\d+\?pos=2"))
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/tickets/{ticket_id}\?pos=1"))
    page.keyboard.press("s")  # solve
    expect(page.locator(f"#ticket-{ticket_id}-status")).to_contain_text("Solved")
    page.keyboard.press("g")
    page.keyboard.press("i")
    page.wait_for_url(re.compile(r"/tickets$"))


def test_live_search_highlights_and_updates_the_url(page: Page, login, artifacts):
    login("agent1@example.com")
    page.goto("/tickets?view=all")
    page.locator("#inbox-q").press_sequentially("bestelling", delay=40)
    expect(page).to_have_url(re.compile(r"q=bestelling"))
    marks = page.locator("#ticket-list mark")
    expect(marks.first).to_be_visible()
    assert re.match(r"(?i)bestel", marks.first.inner_text())
    page.screenshot(path=os.path.join(artifacts, "inbox-search.png"), full_page=True)
    # A filter narrows the search; the URL keeps both.
    page.locator("select[name=language]").select_option("en")
    expect(page).to_have_url(re.compile(r"language=en"))
    expect(page.locator("#ticket-list")).to_contain_text("No questions match")
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=bestelling(?!.*language)"))
    page.locator("#inbox-q").fill("zzzznotfound")
    expect(page.locator("#ticket-list")).to_contain_text("No questions match")
    # A view link keeps the search.
    page.locator("#inbox-q").fill("")
    # The emptied search answers first, or its late answer would push its URL over the view link's.
    expect(page).not_to_have_url(re.compile(r"zzzznotfound"))
    page.get_by_role("link", name=re.compile("^Pending")).click()
    expect(page).to_have_url(re.compile(r"view=pending"))
    expect(page.locator("#inbox-views a[aria-current=page]")).to_contain_text("Pending")


def test_two_agents_see_each_other(browser, live_server, login, fresh_ticket, artifacts):
    anna_ctx, youssef_ctx = browser.new_context(base_url=live_server), browser.new_context(base_url=live_server)
    try:
        anna, youssef = anna_ctx.new_page(), youssef_ctx.new_page()
        login("agent1@example.com", target=anna)
        login("agent2@example.com", target=youssef)
        anna.goto(f"/tickets/{fresh_ticket}")
        youssef.goto(f"/tickets/{fresh_ticket}")
        presence_of = lambda p: p.locator(f"#ticket-{fresh_ticket}-presence")  # noqa: E731
        expect(presence_of(youssef)).to_contain_text("Anna Bakker is viewing", timeout=9000)
        expect(presence_of(anna)).to_contain_text("Youssef El Amrani is viewing", timeout=9000)

        anna.locator(f"#ticket-{fresh_ticket}-reply textarea").first.press_sequentially("Beste Noor, ", delay=30)
        expect(presence_of(youssef)).to_contain_text("Anna Bakker is typing a reply", timeout=9000)
        youssef.screenshot(path=os.path.join(artifacts, "ticket-presence.png"), full_page=False)

        # Youssef leaves a note; Anna, still composing, is told before she sends.
        youssef.locator(f"#ticket-{fresh_ticket}-reply input[name=kind][value=note]").check()
        youssef.locator(f"#ticket-{fresh_ticket}-reply textarea").first.fill("Ik bel haar even.")
        youssef.locator(f"#ticket-{fresh_ticket}-reply").locator("button[type=submit]:visible").first.click()
        expect(anna.locator(f"#ticket-{fresh_ticket}-changes")).to_contain_text("Youssef El Amrani added a note",
                                                                               timeout=9000)
        youssef.close()
        expect(presence_of(anna)).not_to_contain_text("Youssef", timeout=15000)
    finally:
        anna_ctx.close()
        youssef_ctx.close()
