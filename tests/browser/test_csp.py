"""Every page satisfies the Content-Security-Policy (inbox/headers.py): the browser reports no violation.

The pages come from the app's URL map, so a new page is visited without anyone adding it here; an endpoint that is
not a page (a download, a fragment) must be named in NOT_PAGES with the reason.
"""
import sqlalchemy as sa
from playwright.sync_api import Page

from inbox.extensions import db
from inbox.models import HelpArticle, ReplyTemplate, Shop, Ticket, User

NOT_PAGES = {
    "static": "files, not pages",
    "assets.vendor": "htmx itself",
    "reports.download": "a CSV download",
    "mail.attachment": "a file download",
    "mail.review_download": "an .eml download",
    "mail.original": "an .eml download",
    "live.badges": "an htmx fragment (the ticket page polls it)",
    "live.changes": "an htmx fragment (the ticket page polls it)",
    "live.inbox": "an htmx fragment (the open inbox polls it)",
    "replies.option_row": "an htmx fragment (the template editor adds it)",
    "composer.article_list": "an htmx fragment (the composer opens it)",
    "composer.template_list": "an htmx fragment (the composer opens it)",
    "composer.pick_template": "an htmx fragment (the composer opens it)",
    "auth.login": "visited signed out, first",
    "team.accept": "visited signed out, first",
    "contact.form": "visited signed out, first",
    "contact.thanks": "visited signed out, first",
}
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));
"""


def _webhook_endpoint(shop_id: int) -> int:
    """A webhook endpoint of the shop, for its delivery log's page."""
    from inbox.models import WebhookEndpoint
    endpoint = db.session.scalar(sa.select(WebhookEndpoint).where(WebhookEndpoint.shop_id == shop_id))
    if endpoint is None:
        endpoint = WebhookEndpoint(shop_id=shop_id, url="https://hooks.example.com/csp", events="ticket.created",
                                   secret="whsec_csp")
        db.session.add(endpoint)
        db.session.commit()
    return endpoint.id


def _page_urls(app):
    """Every GET page of the URL map with ids from the first demo shop."""
    with app.app_context():
        shop = db.session.scalar(sa.select(Shop).order_by(Shop.id))
        endpoint_id = _webhook_endpoint(shop.id)
        values = {
            "ticket_id": db.session.scalar(sa.select(Ticket.id).where(Ticket.shop_id == shop.id).order_by(Ticket.id)),
            "user_id": db.session.scalar(sa.select(User.id).where(User.shop_id == shop.id, User.role == "agent")
                                         .order_by(User.id)),
            "template_id": db.session.scalar(sa.select(ReplyTemplate.id).where(ReplyTemplate.shop_id == shop.id)),
            "shop_id": shop.id,
            "endpoint_id": endpoint_id,
            "article_id": db.session.scalar(sa.select(HelpArticle.id).where(HelpArticle.shop_id == shop.id,
                                                                            HelpArticle.published.is_(True))),
            "slug": "old-title",   # answered with a redirect to the article's current address
        }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
                continue   # the JSON API is not a page: a token instead of a session, no HTML to protect
            missing = set(rule.arguments) - set(values)
            assert not missing, f"{rule.rule}: no demo value for {missing}; add one or name it in NOT_PAGES"
            urls.append(app.url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return shop.id, sorted(set(urls))


def _violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp || []") + [m for m in console if "Content Security Policy" in m]


def test_no_page_reports_a_csp_violation(page: Page, browser_app, login):
    shop_id, urls = _page_urls(browser_app)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    found = {}
    for url in ["/login", "/invite/no-such-token", f"/contact/{shop_id}", f"/contact/{shop_id}/thanks"]:
        page.goto(url)
        found[url] = _violations(page, console)
        console.clear()
    login("owner@example.com")
    assert len(urls) >= 20, urls
    for url in urls:
        response = page.goto(url)
        assert response.status < 500, url
        if url.startswith("/tickets/") and url[len("/tickets/"):].isdigit():
            page.locator("textarea").first.fill("Dank voor uw bericht.")   # the composer's htmx requests
            page.wait_for_timeout(4500)                                    # one presence poll
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
