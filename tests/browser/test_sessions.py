"""Signed-in browsers in a real browser: the account page lists them and signs them all out; the handlers that
used to be inline (now in static/app.js, for the Content-Security-Policy) still work."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect


def test_sign_out_everywhere_ends_the_other_browser_too(page: Page, browser: Browser, login, base_url, artifacts):
    phone = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    try:
        other = phone.new_page()
        login("agent2@example.com", target=other)
        login("agent2@example.com")
        page.goto("/account")
        # Two of them are these (other tests may have signed in as agent2 in this shared database too).
        expect(page.locator("#browsers li").nth(1)).to_be_visible()
        expect(page.get_by_text("this browser")).to_be_visible()
        page.screenshot(path=f"{artifacts}/account-browsers.png", full_page=True)
        page.get_by_role("button", name="Sign out everywhere").click()
        expect(page).to_have_url(re.compile(r"/login"))
        expect(page.get_by_text("You are signed out on every browser.")).to_be_visible()
        other.reload()
        expect(other).to_have_url(re.compile(r"/login"))
    finally:
        phone.close()


def test_the_role_menu_saves_on_change_without_inline_script(page: Page, login):
    login("owner@example.com")
    page.goto("/team")
    page.get_by_label("Role of Youssef El Amrani").select_option("manager")
    expect(page.locator(".flash-success")).to_contain_text("Youssef El Amrani is now Manager")
    # The page after the save shows its flash before its deferred scripts wire the menu (a busy machine chose
    # before that: nothing was sent).
    page.wait_for_load_state()
    page.get_by_label("Role of Youssef El Amrani").select_option("agent")
    expect(page.locator(".flash-success")).to_contain_text("Youssef El Amrani is now Agent")
