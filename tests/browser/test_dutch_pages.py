"""Every page of the seeded demo, shown in Dutch, holds none of the English words a leak would bring: texts built
in f-strings, codes shown as stored ("manual", "pending"), audit details, labels from enums.

It reads the HTML from the app directly (no browser is needed for the words), but lives here because it needs
the seeded demo shop and the page list of the browser sweep, so a new page is checked too."""
from __future__ import annotations

import html as htmlmod
import re
from html.parser import HTMLParser

from inbox.audit_texts import ACTION_LABELS
from tests.browser import pages
from tests.browser.conftest import DEMO_PASSWORD

# Words of the English UI that the demo's data (customer mails, English help articles and templates) never uses;
# a Dutch page showing one has a leak.
ENGLISH = re.compile(r"\b(?:assignee|unassigned|pending|late by|rejected|queued|overdue|due soon|signed (?:in|out)"
                     r"|settings|search|delete|previous|replies|reply to|first reaction|business hours"
                     r"|added|changed|none|yes|show all|log in|sign in|sign out|page \d)(?!\w)", re.IGNORECASE)
# Codes as stored, shown raw: call sources, channels, views, audit actions.
CODES = re.compile(r"\b(?:manual|csv|webform|needs_reply|due_soon|status:|"
                   + "|".join(re.escape(action) for action in sorted(ACTION_LABELS, key=len, reverse=True))
                   + r")(?![\w.])")
# The API reference is for developers and written in English on purpose (its field names are the API's).
NOT_CHECKED = {"api_docs.reference": "the API reference is English for developers"}


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: element text plus title, aria-label, placeholder and alt."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in ("title", "aria-label", "placeholder", "alt") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(htmlmod.unescape(" ".join(parser.parts)).split())


def _dutch_client(app, email: str | None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    if email:
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_dutch_pages_hold_no_english_ui_words(browser_app):
    urls = pages.page_urls(browser_app, pages.sample(browser_app))
    browser_app.config["WTF_CSRF_ENABLED"] = False
    try:
        visitor, owner = _dutch_client(browser_app, None), _dutch_client(browser_app, "owner@example.com")
        leaks = {}
        for endpoint, url in sorted(urls.items()):
            if endpoint in NOT_CHECKED:
                continue
            response = (visitor if endpoint in pages.PUBLIC else owner).get(url, follow_redirects=True)
            assert response.status_code == 200, (endpoint, response.status_code)
            text = visible_text(response.get_data(as_text=True))
            found = [m.group() for m in (*ENGLISH.finditer(text), *CODES.finditer(text))]
            if found:
                leaks[endpoint] = sorted(set(found))
    finally:
        browser_app.config["WTF_CSRF_ENABLED"] = True
    assert len(urls) > 20
    assert leaks == {}
