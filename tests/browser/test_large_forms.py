"""Without JavaScript, a reply with a file over the 32 MB a request may carry keeps its text: the ticket page
comes back with the text in the composer and says which file did not fit. A form over even the files' limit
gets the app's own 413 page, and the browser's Back brings the typed text back."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, assert_fits

MB = 1024 * 1024
BODY = "Beste Ingrid,\n\nHierbij de video van de montage.\n\nMet vriendelijke groet,\nAnna"


@pytest.fixture
def no_script(browser: Browser, base_url):
    """A tab without JavaScript, signed in as the first agent."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/login")
    page.get_by_label("E-mail").fill("agent1@example.com")
    page.get_by_label("Password").fill("inbox-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/tickets**")
    yield page
    context.close()


def video(size: int) -> dict:
    return {"name": "montage.mp4", "mimeType": "video/mp4", "buffer": b"\x00\x00\x00\x18ftypmp42" + bytes(size - 12)}


def test_a_reply_with_a_file_too_large_for_a_request_keeps_the_text(no_script, new_question, browser_app, artifacts):
    page = no_script
    tid = new_question(subject="Montage van de kast", body="Hoe zet ik de kast in elkaar?")
    page.goto(f"/tickets/{tid}")
    page.locator(f"#ticket-{tid}-body").fill(BODY)
    page.get_by_label("Attach files").set_input_files([video(3 * MB)])
    # The request's 32 MB of files, scaled down: a 40 MB file through the browser took a minute and more.
    browser_app.config["MAX_CONTENT_LENGTH"] = 2 * MB
    try:
        page.get_by_role("button", name="Send & wait for customer").click()
        page.wait_for_url(f"**/tickets/{tid}")
        expect(page.locator("#flashes")).to_contain_text("montage.mp4")
    finally:
        browser_app.config["MAX_CONTENT_LENGTH"] = 32 * MB
    expect(page.locator("#flashes")).to_contain_text("does not fit")
    expect(page.locator(f"#ticket-{tid}-body")).to_have_value(BODY)
    page.screenshot(path=f"{artifacts}/large-file-no-js-390.png")


def test_a_form_over_what_the_server_reads_gets_the_apps_page_and_back_keeps_the_text(
        no_script, new_question, browser_app, artifacts):
    page = no_script
    tid = new_question(subject="Montage van de kast", body="Hoe zet ik de kast in elkaar?")
    page.goto(f"/tickets/{tid}")
    page.locator(f"#ticket-{tid}-body").fill(BODY)
    page.get_by_label("Attach files").set_input_files([video(3 * MB)])
    browser_app.config["UPLOAD_REQUEST_MAX_BYTES"] = 2 * MB
    try:
        page.get_by_role("button", name="Send & wait for customer").click()
        expect(page.get_by_role("heading", name="Too large to send")).to_be_visible()
    finally:
        browser_app.config["UPLOAD_REQUEST_MAX_BYTES"] = 1024 * MB
    expect(page.locator("#error")).to_contain_text("at most 2 MB")
    expect(page.get_by_role("link", name="Open that page again")).to_have_attribute("href", f"/tickets/{tid}")
    page.screenshot(path=f"{artifacts}/too-large-390.png")
    assert_fits(page, "the 413 page")
    page.go_back()
    expect(page.locator(f"#ticket-{tid}-body")).to_have_value(BODY)
