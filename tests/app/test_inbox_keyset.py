"""Deep pages of the inbox by keyset: Next and Previous carry a cursor (the last or first ticket shown, with its
sort key), so page 500 reads its rows off an index like page 1, and walking the pages visits every ticket once
in the view's order, as the numbered pages (OFFSET) do."""
import html as htmllib
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import ticket_list
from inbox.services import tickets as ticket_service

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)
ROW = re.compile(r'id="ticket-(\d+)-row"')


def ids(body: str) -> list[int]:
    return [int(i) for i in ROW.findall(body)]


def link(body: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', body)
    return htmllib.unescape(found.group(1)) if found else None


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 3)


@pytest.fixture
def history(small_pages, shop, staff):
    """Eleven questions: open ones (two due at the same minute, one kept open without a clock), pending and
    solved ones, two received at the same instant; every one mentions a parcel."""
    with time_machine.travel(MONDAY_11, tick=False):
        made = []
        for i in range(11):
            at = MONDAY_11 - timedelta(hours=30 - (i if i != 4 else 3))   # 3 and 4 arrive together
            t = ticket_service.create_ticket(shop, subject=f"Pakket {i}", body="Waar is mijn pakket?",
                                             customer_name=f"Klant {i}", received_at=at)
            made.append(t)
        for t in made[6:9]:
            ticket_service.reply(t, shop, "Onderweg.", by=staff["agent"], at=MONDAY_11 - timedelta(hours=1))
        for t in made[9:]:
            ticket_service.reply(t, shop, "Opgelost.", by=staff["agent"], at=MONDAY_11 - timedelta(hours=1),
                                 status="solved")
        made[5].due_at = None     # kept open without a clock: last in Needs reply
        made[5].waiting_since = None
        db.session.commit()
    return made


def walk(client, first: str) -> tuple[list[list[int]], list[list[int]]]:
    """The pages met following Next from `first` to the end, then Previous back to the start."""
    forward, body = [], get(client, first)
    forward.append(ids(body))
    while (url := link(body, "next")) is not None:
        assert "after_row=" in url
        body = get(client, url)
        forward.append(ids(body))
    backward = [ids(body)]
    while (url := link(body, "prev")) is not None:
        body = get(client, url)
        backward.append(ids(body))
    return forward, backward[::-1]


@pytest.mark.parametrize("query", ["view=needs_reply", "view=all", "view=pending", "view=solved",
                                   "view=all&q=pakket", "view=needs_reply&q=pakket"])
def test_next_and_previous_visit_every_ticket_once_in_the_order_of_the_numbered_pages(client, login_as, history,
                                                                                     query):
    login_as("agent")
    numbered, page = [], 1
    while rows := ids(get(client, f"/tickets?{query}&page={page}")):
        numbered.append(rows)
        page += 1
    forward, backward = walk(client, f"/tickets?{query}")
    assert forward == numbered and backward == numbered
    assert sum(map(len, numbered)) == len({i for rows in numbered for i in rows})   # no ticket twice


def test_a_deep_page_costs_the_queries_of_the_first(count_queries, client, login_as, history):
    login_as("agent")
    get(client, "/tickets?view=all")   # warm-up: the session, the kept counts
    with count_queries() as first:
        body = get(client, "/tickets?view=all")
    deep = link(get(client, link(body, "next")), "next")
    get(client, deep)
    with count_queries() as later:
        assert len(ids(get(client, deep))) == 3
    assert len(later) == len(first)


def test_a_cursor_that_cannot_be_read_leaves_the_numbered_page(client, login_as, history):
    login_as("agent")
    numbered = ids(get(client, "/tickets?view=all&page=2"))
    for bad in ("x", "12.abc", "-3", "99999999999.1", "7." + "9" * 30):
        assert ids(get(client, f"/tickets?view=all&page=2&after_row={bad}")) == numbered, bad


def test_a_cursor_only_pages_within_the_users_own_shop(client, login_as, history, make_shop):
    other = make_shop("Other Shop")
    with time_machine.travel(MONDAY_11, tick=False):
        foreign = ticket_service.create_ticket(other, subject="Pakket elders", body="Pakket", customer_name="X",
                                               received_at=MONDAY_11 - timedelta(hours=2))
        db.session.commit()
    login_as("agent")
    for cursor in (f"{foreign.id}.0", f"{foreign.id}", f"{foreign.id}.n"):
        for q in ("", "&q=pakket"):
            assert foreign.id not in ids(get(client, f"/tickets?view=all&page=2&after_row={cursor}{q}"))


def test_changing_the_view_or_a_filter_starts_again_at_the_first_page(history):
    state = ticket_list.ListState(view="all", page=4, after="12.5")
    assert state.args(view="solved", page=1) == {"view": "solved"}
    assert "after_row" not in state.args(channel="phone")
    assert state.args(page=5, after="15.1", before=None)["after_row"] == "15.1"


def path_id(url: str) -> int:
    return int(re.match(r"/tickets/(\d+)", url).group(1))


def ticket_walk(client, first: str) -> tuple[list[int], list[int]]:
    """The tickets met following the ticket page's Next from `first` to the end, then Previous back."""
    forward, url = [path_id(first)], first
    while (url := link(get(client, url), "next")) is not None:
        forward.append(path_id(url))
        last = url
    backward, url = [forward[-1]], last if len(forward) > 1 else first
    while (url := link(get(client, url), "prev")) is not None:
        backward.append(path_id(url))
    return forward, backward[::-1]


def first_row_link(body: str) -> str:
    return htmllib.unescape(re.search(r'<a href="(/tickets/\d+\?pos=0[^"]*)"', body).group(1))


@pytest.mark.parametrize("query", ["view=needs_reply", "view=all", "view=pending", "view=solved",
                                   "view=all&q=pakket", "view=needs_reply&q=pakket"])
def test_the_ticket_pages_previous_and_next_walk_the_whole_list_in_its_order(client, login_as, history, query):
    login_as("agent")
    numbered, page = [], 1
    while rows := ids(get(client, f"/tickets?{query}&page={page}")):
        numbered += rows
        page += 1
    forward, backward = ticket_walk(client, first_row_link(get(client, f"/tickets?{query}")))
    assert forward == numbered and backward == numbered   # ties in the sort key (same minute) included


def test_back_to_the_list_from_a_deep_ticket_is_its_page_by_cursor(client, login_as, history):
    login_as("agent")
    url = first_row_link(get(client, "/tickets?view=all"))
    for _ in range(7):
        url = link(get(client, url), "next")
    assert "pos=7" in url
    back = htmllib.unescape(re.search(r'<a href="([^"]+)" data-shortcut="list"', get(client, url)).group(1))
    assert "page=3" in back and "after_row=" in back
    assert path_id(url) in ids(get(client, back))
    assert ids(get(client, back)) == ids(get(client, "/tickets?view=all&page=3"))


def test_next_skips_a_ticket_deleted_meanwhile_and_a_solved_ticket_keeps_its_neighbours(client, login_as, shop,
                                                                                      history):
    login_as("agent")
    first = first_row_link(get(client, "/tickets?view=needs_reply"))
    order = ticket_walk(client, first)[0]
    url = link(get(client, link(get(client, first), "next")), "next")
    assert path_id(url) == order[2]
    db.session.delete(db.session.get(Ticket, order[3]))
    db.session.commit()
    opened = link(get(client, url), "next")
    assert path_id(opened) == order[4]
    # Solved (gone from Needs reply, its clock stopped): the page still knows where it stood in the list.
    ticket_service.change_status(db.session.get(Ticket, order[4]), shop, "solved", by=None)
    db.session.commit()
    body = get(client, opened)
    assert path_id(link(body, "prev")) == order[2] and path_id(link(body, "next")) == order[5]


def test_a_deep_ticket_page_costs_the_queries_of_the_first(count_queries, client, login_as, history):
    login_as("agent")
    urls = [first_row_link(get(client, "/tickets?view=all"))]
    for _ in range(8):
        urls.append(link(get(client, urls[-1]), "next"))
    counts = []
    for url in (urls[1], urls[-1]):
        get(client, url)
        with count_queries() as queries:
            get(client, url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_deep_numbered_page_without_a_cursor_is_refused_with_a_notice(client, login_as, history):
    login_as("agent")
    body = get(client, f"/tickets?view=all&page={ticket_list.NUMBERED_PAGES + 1}")
    assert "can only be reached with Next" in body and ids(body) == ids(get(client, "/tickets?view=all"))
    assert ids(get(client, f"/tickets?view=all&page={ticket_list.NUMBERED_PAGES}")) == []   # past the end, by OFFSET


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "1e3"])
def test_a_hostile_page_or_place_in_the_list_is_no_error(client, login_as, shop, make_ticket, value):
    ticket = make_ticket(shop)
    login_as("manager")
    assert client.get("/tickets", query_string={"page": value}).status_code == 200
    assert client.get(f"/tickets/{ticket.id}", query_string={"pos": value}).status_code == 200
    assert client.get("/reports/calls", query_string={"start": value}).status_code == 200
