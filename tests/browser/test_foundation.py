"""A newcomer signs in with each demo account, sees the inbox, opens a question, signs out."""
import re

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.parametrize("email", ["owner@example.com", "manager@example.com", "agent1@example.com", "agent2@example.com"])
def test_each_demo_login_sees_the_inbox(page: Page, login, email, artifacts):
    login(email)
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator(".ticket-row").first).to_be_visible()
    if email == "owner@example.com":
        page.screenshot(path=f"{artifacts}/inbox.png", full_page=True)


def test_open_a_question_and_sign_out(page: Page, login, artifacts):
    login("agent1@example.com")
    first = page.locator(".ticket-row .subject a").first
    subject = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    expect(page.locator(".thread .msg").first).to_be_visible()
    page.screenshot(path=f"{artifacts}/ticket.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_second_shop_owner_cannot_reach_first_shops_ticket(page: Page, login):
    login("agent1@example.com")
    page.locator(".ticket-row .subject a").first.click()
    url = page.url
    page.get_by_role("button", name="Sign out").click()
    login("owner-be@example.com")
    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
