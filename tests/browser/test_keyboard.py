"""The keyboard never lies: a focused link or button does what it says, the shortcuts act only where the help
says, and `r` continues a restored draft."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def quiet_ticket(new_question):
    """A question of its own, so its draft is nobody else's."""
    return new_question(subject="Past de hoes om een 30 cm kussen?", customer_name="Bram Smit",
                        customer_email="bram@example.com", body="Past de velvet hoes ook om een kussen van 30 bij 30?")


def test_enter_on_a_focused_link_or_button_does_what_it_says(page: Page, login):
    login("agent1@example.com")
    page.goto("/tickets")
    rows = page.locator("#ticket-list tr.ticket-row")
    expect(rows.first).to_have_class(re.compile("is-selected"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/team$"))

    page.goto("/tickets")
    page.locator(".page-head").get_by_role("link", name="Log a question").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tickets/new$"))

    page.goto("/tickets")
    third = rows.nth(2).locator(".subject a")
    third_id = rows.nth(2).get_attribute("id").split("-")[1]
    third.focus()
    expect(rows.nth(2)).to_have_class(re.compile("is-selected"))  # the keyboard's row is the highlighted one
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tickets/{third_id}\?"))

    # Keys that are shortcuts elsewhere do nothing to the list while a button has keyboard focus.
    page.goto("/tickets")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link
    outline = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                            "return [document.activeElement.className, s.outlineStyle, s.outlineColor]; }")
    assert outline == ["brand", "solid", "rgb(255, 255, 255)"], "focus on the green bar must show in white"
    page.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile("is-selected"))
    page.locator("body").evaluate("(b) => document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("is-selected"))
    second_id = rows.nth(1).get_attribute("id").split("-")[1]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tickets/{second_id}\?pos=1"))
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()

    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_r_continues_a_restored_draft_at_its_end(page: Page, login, quiet_ticket):
    login("agent1@example.com")
    page.goto(f"/tickets/{quiet_ticket}")
    body = page.locator(f"#ticket-{quiet_ticket}-body")
    body.fill("Beste Bram, ja, de hoes past om een kussen van 30 bij 30.")
    expect(page.locator(f"#ticket-{quiet_ticket}-draft-status")).to_contain_text("Draft saved")
    page.reload()
    expect(page.locator(".draft-restored")).to_be_visible()
    page.keyboard.press("r")
    expect(body).to_be_focused()
    page.keyboard.type(" Groet, Anna")
    expect(body).to_have_value("Beste Bram, ja, de hoes past om een kussen van 30 bij 30. Groet, Anna")
