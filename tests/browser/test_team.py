"""The owner invites an employee and closes the shop for a holiday, in a real browser."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from inbox import clock, planning


def test_owner_invites_an_employee_who_sets_a_password_and_lands_in_the_inbox(page: Page, browser: Browser, login,
                                                                               base_url, artifacts):
    login("owner@example.com")
    page.get_by_role("link", name="Team").click()
    page.get_by_label("E-mail").fill("lotte@example.com")
    page.get_by_label("Role", exact=True).select_option(label="Agent")
    page.get_by_role("button", name="Create invitation").click()
    link = page.locator("#shown-link").input_value()
    assert re.search(r"/invite/[\w-]{30,}$", link)
    expect(page.get_by_text("lotte@example.com").first).to_be_visible()
    page.screenshot(path=f"{artifacts}/team.png", full_page=True)

    other = browser.new_context(base_url=base_url)  # the employee, on their own computer
    try:
        newcomer = other.new_page()
        newcomer.goto(link)
        expect(newcomer.get_by_role("heading", name="Join Demo Shop")).to_be_visible()
        newcomer.get_by_label("Your name").fill("Lotte Visser")
        newcomer.get_by_label("Password", exact=True).fill("a long enough secret")
        newcomer.get_by_label("Repeat the password").fill("a long enough secret")
        newcomer.get_by_role("button", name="Save and sign in").click()
        newcomer.wait_for_url("**/tickets**")
        expect(newcomer.get_by_role("heading", name="Inbox")).to_be_visible()
        expect(newcomer.locator(".usermenu")).to_contain_text("Lotte Visser")
        # The link worked once.
        assert newcomer.goto(link).status == 410
    finally:
        other.close()
    page.reload()
    expect(page.locator(".team-table")).to_contain_text("Lotte Visser")


def test_vacation_mode_on_and_off_shows_and_hides_the_banner(page: Page, login, artifacts):
    login("owner@example.com")
    closed_banner = page.locator(".banner", has_text="temporarily closed")
    expect(closed_banner).to_have_count(0)
    page.goto("/settings/vacation")
    until = (clock.now() + timedelta(days=14)).astimezone().strftime("%Y-%m-%dT10:00")
    page.get_by_label("Open again on").fill(until)
    page.get_by_label("Send customers an automatic acknowledgement").check()
    page.get_by_role("button", name="Close the shop").click()
    expect(closed_banner).to_be_visible()
    expect(closed_banner).to_contain_text("8 business hours")
    expect(page.locator("#contact-details")).to_contain_text("not offered while closed")
    page.screenshot(path=f"{artifacts}/vacation.png", full_page=True)
    page.get_by_role("link", name="Inbox", exact=True).click()
    expect(closed_banner).to_be_visible()

    page.goto("/settings/vacation")
    page.get_by_role("button", name="Open the shop now").click()
    expect(closed_banner).to_have_count(0)
    expect(page.locator("#contact-details")).to_contain_text("offered to customers")


def test_planning_page_charts_a_year_and_suggests_quiet_weeks(page: Page, login, artifacts):
    login("owner@example.com")
    page.goto("/planning")
    expect(page.locator("svg.volume-chart .bar")).to_have_count(52 + planning.AHEAD_WEEKS)  # a year back, half ahead
    expect(page.locator(".suggestions li")).to_have_count(3)
    expect(page.locator("#estimate")).to_contain_text("per business day")
    page.screenshot(path=f"{artifacts}/planning.png", full_page=True)
