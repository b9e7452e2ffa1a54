"""A search answer that arrives late never overwrites what the user clicked since: a view link (or a page link)
clicked while the search is on its way replaces that request, so the list and the URL are the view's."""
from __future__ import annotations

import re
import time

from flask import request
from playwright.sync_api import Page, expect


def test_a_slow_search_does_not_overwrite_a_view_clicked_meanwhile(page: Page, login, browser_app):
    index = browser_app.view_functions["tickets.index"]

    def slow_index(*args, **kwargs):
        if request.args.get("q") == "langzaam":
            time.sleep(2)   # a search over a large shop, answering after the user moved on
        return index(*args, **kwargs)

    browser_app.view_functions["tickets.index"] = slow_index
    try:
        login("agent1@example.com")
        page.goto("/tickets?view=all")
        with page.expect_request(re.compile(r"q=langzaam")):
            page.locator("#inbox-q").fill("langzaam")
        page.get_by_role("link", name=re.compile("^Pending")).click()
        expect(page).to_have_url(re.compile(r"view=pending"))
        page.wait_for_timeout(2500)   # past the moment the search would have answered
        expect(page).to_have_url(re.compile(r"view=pending"))
        expect(page).not_to_have_url(re.compile(r"langzaam"))
        expect(page.locator("#inbox-views a[aria-current=page]")).to_contain_text("Pending")
    finally:
        browser_app.view_functions["tickets.index"] = index
