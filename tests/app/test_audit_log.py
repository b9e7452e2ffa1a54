"""The audit log pages by keyset like the call log: Older and Newer carry the last or first event shown, keep
the filters, and a page deep in a long log costs the queries of the first."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from inbox.extensions import db
from inbox.services import audit
from inbox.services.keyset import key_text

START = datetime(2026, 9, 1, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def events(shop, staff):
    """120 status changes by the agent, one a minute (two at the same minute: the id breaks the tie), each
    naming its number in `new`."""
    rows = []
    for i in range(120):
        event = audit.record(shop.id, "ticket.status", actor=staff["agent"], field="status", old="open", new=f"n{i}")
        event.created_at = START + timedelta(minutes=i - (i == 60))
        rows.append(event)
    db.session.commit()
    return rows


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"\bn(\d+)\b", html)]


def _link(html: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    return match and match.group(1).replace("&amp;", "&")


def test_older_walks_every_event_of_the_filter_once_newest_first_and_newer_goes_back(client, login_as, staff,
                                                                                     events):
    login_as("owner")
    url, seen, positions = f"/audit?person={staff['agent'].id}", [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        assert "signed in" not in html   # the owner's own sign-in is another person's event
        seen += _numbers(html)
        positions.append(re.search(r"\d+–\d+ of \d+ events", html).group(0))
        url = _link(html, "next")
        assert url is None or f"person={staff['agent'].id}" in url
    assert positions == ["1–50 of 120 events", "51–100 of 120 events", "101–120 of 120 events"]
    assert seen == [int(e.new[1:]) for e in sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)]
    back = client.get(_link(html, "prev")).get_data(as_text=True)
    assert "51–100 of 120 events" in back and _numbers(back) == seen[50:100]
    mine = client.get(f"/audit?person={staff['owner'].id}").get_data(as_text=True)
    assert "signed in" in mine and not _numbers(mine)


def test_a_deep_page_costs_the_queries_of_the_first(client, login_as, events, count_queries):
    login_as("owner")
    client.get("/audit")
    with count_queries() as newest:
        client.get("/audit", headers={"HX-Request": "true"})
    with count_queries() as deep:
        html = client.get(f"/audit?before={events[30].id}.{key_text(events[30].created_at)}&start=91",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="audit-log"') and _numbers(html) == list(range(29, -1, -1))
    assert "91–120 of 120 events" in html
    assert len(deep) <= len(newest), "\n\n".join(newest + ["-----"] + deep)


@pytest.mark.parametrize("query", ["before=nonsense", "after=%C2%B2", "start=%C2%B2", "start=99999999999999999999",
                                   "person=99999999999999999999", "person=%00", "before=2147483648.1"])
def test_a_hostile_cursor_or_filter_is_the_newest_page_not_an_error(client, login_as, events, query):
    login_as("owner")
    assert client.get(f"/audit?{query}").status_code == 200


def test_a_cursor_from_another_shop_shows_this_shops_newest_page(client, login_as, events, make_shop):
    other = make_shop("Other Shop", "NL")
    theirs = audit.record(other.id, "shop.update", field="name", old="a", new="secret-name")
    db.session.commit()
    login_as("owner")
    html = client.get(f"/audit?before={theirs.id}").get_data(as_text=True)
    assert "secret-name" not in html and _numbers(html)[:1] == [119]
