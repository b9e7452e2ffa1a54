"""The new API token is copied with one click (and without the clipboard API, selected for Ctrl+C), the curl
example fits its card on a desktop and on phones, and the call log pages with htmx and without JavaScript."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sideways, violations, with_axe


def _new_token(page: Page) -> str:
    page.goto("/reports/tokens")
    page.get_by_label("Name").fill("Voys")
    page.get_by_role("button", name="Create token").click()
    return page.locator("#new-token").inner_text()


def test_the_copy_button_puts_the_new_token_on_the_clipboard(page: Page, login):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login("owner@example.com")
    token = _new_token(page)
    page.get_by_role("button", name="Copy token").click()
    expect(page.locator("#new-token-copied")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == token


def test_without_the_clipboard_api_the_token_is_selected_to_copy_by_hand(browser: Browser, base_url, artifacts):
    context = browser.new_context(base_url=base_url)
    # A page served over plain http from another machine has no navigator.clipboard.
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})")
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("owner@example.com")
        page.get_by_label("Password").fill("inbox-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/tickets**")
        token = _new_token(page)
        page.get_by_role("button", name="Copy token").click()
        expect(page.locator("#new-token-copied")).to_have_text(re.compile(r"Copied to the clipboard\.|press Ctrl\+C"))
        assert page.evaluate("window.getSelection().toString()") == token
    finally:
        context.close()


def test_the_tokens_page_fits_a_desktop_and_phones_and_passes_axe(page: Page, login, artifacts):
    with_axe(page)
    login("owner@example.com")
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        _new_token(page)
        example = page.get_by_role("region", name="Examples with curl")
        card = page.locator("section.card", has=example)
        box, inner = card.bounding_box(), example.bounding_box()
        assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 1, width
        assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth", example.element_handle()), width
        assert sideways(page) == [], width
        assert violations(page) == [], width
    page.screenshot(path=f"{artifacts}/tokens-320.png", full_page=True)


def test_the_call_log_pages_with_htmx_and_keeps_the_address(page: Page, login):
    login("manager@example.com")
    page.goto("/reports/calls")
    position = page.locator("#call-log-title small")
    expect(position).to_have_text(re.compile(r"^1–50 of [\d,]+ calls$"))
    page.get_by_role("link", name="Older →").click()
    expect(position).to_have_text(re.compile(r"^51–100 of "))
    assert "before=" in page.url
    page.go_back()
    expect(position).to_have_text(re.compile(r"^1–50 of "))


def test_the_call_log_pages_without_javascript(browser: Browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill("manager@example.com")
        page.get_by_label("Password").fill("inbox-demo")
        page.get_by_role("button", name="Sign in").click()
        page.goto("/reports/orders")
        page.get_by_role("link", name="Older →").click()
        expect(page.locator("#order-lines-title small")).to_have_text(re.compile(r"^51–100 of "))
    finally:
        context.close()
