"""The API reference and the tokens page that links to it: readable on a phone, no sideways scrolling, no
WCAG 2.1 A/AA violation that axe-core finds, and the owner can create a read-only token there."""
from __future__ import annotations

from tests.browser.conftest import PHONE, sideways, violations, with_axe


def test_reference_page_reads_on_a_phone_and_passes_axe(page, login):
    with_axe(page).set_viewport_size(PHONE)
    login("owner@example.com")
    page.goto("/reports/tokens")
    page.get_by_label("Name").fill("Dashboard")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("inb_")
    assert page.get_by_role("cell", name="Read only").count() >= 1
    assert sideways(page) == [] and violations(page) == []
    page.get_by_role("link", name="API reference").click()
    page.wait_for_url("**/api/reference")
    assert page.get_by_role("heading", name="POST /api/v1/tickets/{ticket_id}/messages").is_visible()
    assert sideways(page) == []
    assert violations(page) == []
    page.get_by_role("link", name="The OpenAPI document (JSON)").is_visible()


def test_webhooks_page_reads_on_a_phone_and_passes_axe(page, login):
    with_axe(page).set_viewport_size(PHONE)
    login("owner@example.com")
    page.goto("/reports/tokens")
    page.get_by_role("link", name="Webhooks: tell your own systems when something happens").click()
    page.wait_for_url("**/settings/webhooks")
    assert sideways(page) == [] and violations(page) == []
    page.get_by_label("URL").fill("http://10.1.2.3/hook")   # a private network: refused, with the reason
    page.get_by_label("A question came in").check()
    page.get_by_role("button", name="Add webhook").click()
    assert page.get_by_text("private or local network").is_visible()
    assert sideways(page) == [] and violations(page) == []
