"""The call log and the order lines page through every row, newest first, with keyset links (no OFFSET)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from inbox.extensions import db
from inbox.models import Call, Order
from inbox.services import keyset
from tests.conftest import local

START = local(2026, 9, 1, 9)


@pytest.fixture
def calls(shop):
    """120 calls, one a minute (two at the same minute, so the id breaks the tie): the newest is "+31600000119"."""
    rows = [Call(shop_id=shop.id, at=START + timedelta(minutes=i - (i == 60)), direction="in", answered=True,
                 duration_s=60, caller=f"+316{i:08d}", source="api") for i in range(120)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _callers(html: str) -> list[str]:
    return re.findall(r"<td>(\+316\d{8})</td>", html)


def _link(html: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    return match and match.group(1).replace("&amp;", "&")


def test_the_call_log_pages_through_every_call_newest_first(client, login_as, calls):
    login_as("manager")
    seen, url, positions = [], "/reports/calls", []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _callers(html)
        positions.append(re.search(r"(\d+)–(\d+) of 120 calls", html).group(0))
        url = _link(html, "next")
    assert positions == ["1–50 of 120 calls", "51–100 of 120 calls", "101–120 of 120 calls"]
    assert seen == [c.caller for c in sorted(calls, key=lambda c: (c.at, c.id), reverse=True)]
    # And back: "Newer" on the last page shows the calls just before it.
    back = client.get(_link(html, "prev")).get_data(as_text=True)
    assert "51–100 of 120 calls" in back and _callers(back) == seen[50:100] and ">Newest</a>" in back
    assert _link(client.get("/reports/calls").get_data(as_text=True), "prev") is None


def test_newer_than_a_recent_call_is_the_full_newest_page(client, login_as, calls):
    login_as("manager")
    html = client.get(f"/reports/calls?after={calls[100].id}").get_data(as_text=True)
    assert "1–50 of 120 calls" in html and len(_callers(html)) == 50


def test_a_cursor_from_another_shop_shows_this_shops_newest_page(client, login_as, calls, make_shop):
    other = make_shop("Other Shop", "NL")
    theirs = Call(shop_id=other.id, at=START, direction="in", answered=True, duration_s=1, caller="+32999", source="api")
    db.session.add(theirs)
    db.session.commit()
    login_as("manager")
    html = client.get(f"/reports/calls?before={theirs.id}").get_data(as_text=True)
    assert "1–50 of 120 calls" in html and "+32999" not in html
    assert client.get("/reports/calls?before=nonsense").status_code == 200


def test_htmx_gets_only_the_list_and_the_query_count_stays_the_same_deep_in_the_log(client, login_as, calls,
                                                                                       count_queries):
    login_as("manager")
    cursor = calls[30].id
    client.get("/reports/calls")
    with count_queries() as newest:
        client.get("/reports/calls", headers={"HX-Request": "true"})
    with count_queries() as deep:
        response = client.get(f"/reports/calls?before={cursor}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card" id="call-log"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert "91–120 of 120 calls" in html
    assert len(deep) <= len(newest) + 1, "\n\n".join(newest + ["-----"] + deep)


def test_the_order_lines_page_through_every_line(client, login_as, shop):
    db.session.add_all([Order(shop_id=shop.id, order_number=f"10{i:03d}", ordered_at=START + timedelta(hours=i),
                              product="Regenjas", quantity=1) for i in range(75)])
    db.session.commit()
    login_as("owner")
    first = client.get("/reports/orders").get_data(as_text=True)
    assert "1–50 of 75 order lines" in first and first.count("<td>Regenjas</td>") == 50 and "<td>10074</td>" in first
    second = client.get(_link(first, "next")).get_data(as_text=True)
    assert "51–75 of 75 order lines" in second and second.count("<td>Regenjas</td>") == 25
    assert "<td>10000</td>" in second and _link(second, "next") is None


def _walk(client, url: str) -> tuple[list[str], list[str]]:
    """Every page's callers following Older from `url`, and the position labels met."""
    seen, positions = [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += _callers(html)
        positions.append(re.search(r'<small class="muted">([^<]*)</small>', html).group(1))
        url = _link(html, "next")
    return seen, positions


def test_calls_at_the_same_instant_across_a_page_boundary_are_each_shown_once(client, login_as, shop):
    rows = [Call(shop_id=shop.id, at=START + timedelta(minutes=i // 40), direction="in", answered=True,
                 duration_s=1, caller=f"+316{i:08d}", source="api") for i in range(120)]
    db.session.add_all(rows)
    db.session.commit()
    login_as("manager")
    seen, _positions = _walk(client, "/reports/calls")
    assert seen == [c.caller for c in sorted(rows, key=lambda c: (c.at, c.id), reverse=True)]


def test_past_the_cap_the_log_says_more_than_and_counts_no_further(client, login_as, calls, monkeypatch,
                                                                   count_queries):
    monkeypatch.setattr(keyset, "COUNT_CAP", 30)
    login_as("manager")
    seen, positions = _walk(client, "/reports/calls")
    assert positions == ["1–50 of more than 80 calls", "51–100 of 120 calls", "101–120 of 120 calls"]
    assert len(seen) == 120
    with count_queries() as queries:
        client.get("/reports/calls", headers={"HX-Request": "true"})
    counts = [q for q in queries if "count(" in q.lower()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()


def test_a_row_deleted_between_pages_still_marks_the_place(client, login_as, calls):
    login_as("manager")
    first = client.get("/reports/calls").get_data(as_text=True)
    older = _link(first, "next")
    newest_order = sorted(calls, key=lambda c: (c.at, c.id), reverse=True)
    db.session.delete(db.session.get(Call, newest_order[49].id))   # the last call shown: the cursor's own row
    db.session.commit()
    html = client.get(older).get_data(as_text=True)
    assert _callers(html) == [c.caller for c in newest_order[50:100]]


def test_an_old_link_deep_past_the_cap_pages_on_without_a_position(client, login_as, calls, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 10)
    login_as("manager")
    html = client.get(f"/reports/calls?before={calls[30].id}").get_data(as_text=True)
    assert len(_callers(html)) == 30 and " of " not in re.search(r'<small class="muted">([^<]*)</small>', html).group(1)
    assert client.get("/reports/calls?before=12.notakey&after=x&start=y").status_code == 200


def test_newer_calls_logged_meanwhile_keep_the_way_to_the_newest(client, login_as, calls, shop):
    # "Newer" from page 2 says "1–50" in its link; with calls logged meanwhile it is not the newest page, and its
    # links must still lead there (whether newer rows exist is read off the rows, not the position in the link).
    login_as("manager")
    second = client.get(_link(client.get("/reports/calls").get_data(as_text=True), "next")).get_data(as_text=True)
    db.session.add_all([Call(shop_id=shop.id, at=START + timedelta(hours=5, minutes=i), direction="in", answered=True,
                             duration_s=60, caller=f"+317{i:08d}", source="api") for i in range(3)])
    db.session.commit()
    newer = client.get(_link(second, "prev")).get_data(as_text=True)
    assert len(_callers(newer)) == 50 and "+31700000002" not in newer
    assert _link(newer, "prev") is not None and ">Newest</a>" in newer


def test_newer_starts_a_page_of_the_pages_own_size_back(shop, calls):
    cursor = f"{calls[90].id}.{keyset.key_text(calls[90].at)}"
    page = keyset.newest_first(Call, Call.at, shop.id, size=10, before=cursor, start=31)
    assert len(page.rows) == 10 and page.previous_from == 21 and page.next_from == 41
