"""Every page satisfies the Content-Security-Policy (inbox/headers.py): the browser reports no violation.

The pages come from the app's URL map (tests/browser/pages.py, shared with the phone and axe sweep), so a new page
is visited without anyone adding it here; an endpoint that is not a page is named in pages.NOT_PAGES with the reason.
"""
from playwright.sync_api import Page

from tests.browser.pages import PUBLIC, page_urls, sample

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));
"""


def _violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp || []") + [m for m in console if "Content Security Policy" in m]


def test_no_page_reports_a_csp_violation(page: Page, browser_app, login):
    urls = page_urls(browser_app, sample(browser_app))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    found = {}
    signed_out = [urls[endpoint] for endpoint in sorted(PUBLIC)] + ["/invite/no-such-token"]
    signed_in = sorted(url for endpoint, url in urls.items() if endpoint not in PUBLIC)
    for url in signed_out:
        page.goto(url)
        found[url] = _violations(page, console)
        console.clear()
    login("owner@example.com")
    assert len(signed_in) >= 20, signed_in
    for url in signed_in:
        response = page.goto(url)
        assert response.status < 500, url
        if url.startswith("/tickets/") and url[len("/tickets/"):].isdigit():
            # The composer's htmx requests, and the heartbeat typing sends at once: its answer swapped in (waiting
            # out the 4 s poll instead cost 4.5 s).
            with page.expect_response(lambda r: "/presence" in r.url and r.request.method == "POST"):
                page.locator("textarea").first.fill("Dank voor uw bericht.")
        page.wait_for_load_state("networkidle")
        found[url] = _violations(page, console)
        console.clear()
    bad = {url: v for url, v in found.items() if v}
    assert not bad, f"CSP violations: {bad}"


def test_every_response_carries_the_security_headers(page: Page, live_server):
    headers = page.goto("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
