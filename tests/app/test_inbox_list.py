"""The inbox: views with counts, combinable filters, pages of 50, bulk changes, and a constant query count."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import tickets as ticket_service

# Monday 16 November 2026, 11:00 in Amsterdam.
MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)
FRIDAY_1630 = datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_11, tick=False) as traveller:
        yield traveller


def html(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def subjects(body, *candidates):
    return {s for s in candidates if s in body}


@pytest.fixture
def inbox(clock, shop, staff, make_ticket):
    """One ticket per view, named for it."""
    agent, manager = staff["agent"], staff["manager"]
    t = {}
    t["fresh"] = make_ticket(shop, subject="Fresh question", received_at=MONDAY_11 - timedelta(minutes=20))
    t["due_soon"] = make_ticket(shop, subject="Nearly due", received_at=MONDAY_11 - timedelta(days=3, hours=-1))  # Fri 12:00
    t["overdue"] = make_ticket(shop, subject="Long overdue", received_at=MONDAY_11 - timedelta(days=6))
    t["mine"] = make_ticket(shop, subject="Assigned to the agent", received_at=MONDAY_11 - timedelta(hours=1),
                            assignee=agent, channel="phone", language="en", tags=["retour"])
    t["pending"] = make_ticket(shop, subject="Waiting on customer", received_at=MONDAY_11 - timedelta(days=1))
    ticket_service.reply(t["pending"], shop, "Welke maat wilt u?", by=manager, at=MONDAY_11 - timedelta(hours=2))
    t["solved"] = make_ticket(shop, subject="All done", received_at=MONDAY_11 - timedelta(days=2))
    ticket_service.reply(t["solved"], shop, "Opgelost!", by=manager, status="solved", at=MONDAY_11 - timedelta(hours=3))
    t["forwarded"] = make_ticket(shop, subject="Forwarded by bol", received_at=MONDAY_11 - timedelta(hours=5),
                                 forwarded_at=MONDAY_11 - timedelta(hours=2))
    db.session.commit()
    return t


ALL_SUBJECTS = ("Fresh question", "Nearly due", "Long overdue", "Assigned to the agent", "Waiting on customer",
                "All done", "Forwarded by bol")


@pytest.mark.parametrize("view, expected", [
    ("needs_reply", {"Fresh question", "Nearly due", "Long overdue", "Assigned to the agent", "Forwarded by bol"}),
    ("mine", {"Assigned to the agent"}),
    ("unassigned", {"Fresh question", "Nearly due", "Long overdue", "Forwarded by bol"}),
    ("due_soon", {"Nearly due"}),
    ("overdue", {"Long overdue"}),
    ("pending", {"Waiting on customer"}),
    ("solved", {"All done"}),
    ("all", set(ALL_SUBJECTS)),
])
def test_each_view_lists_its_tickets(client, login_as, inbox, view, expected):
    login_as("agent")
    assert subjects(html(client.get(f"/tickets?view={view}")), *ALL_SUBJECTS) == expected


def test_sidebar_counts_every_view(client, login_as, inbox):
    login_as("agent")
    body = html(client.get("/tickets"))
    for view, n in {"needs_reply": 5, "mine": 1, "unassigned": 4, "due_soon": 1, "overdue": 1, "pending": 1,
                    "solved": 1, "all": 7}.items():
        assert f'id="count-{view}">{n}<' in body, view


def test_solved_count_follows_every_process_at_once(client, login_as, inbox, shop, staff):
    login_as("agent")
    assert 'id="count-solved">1<' in html(client.get("/tickets"))
    client.post(f"/tickets/{inbox['fresh'].id}/status", data={"status": "solved"})
    assert 'id="count-solved">2<' in html(client.get("/tickets"))
    # Another worker solves one: the counts are read afresh on every page.
    db.session.execute(sa.update(Ticket).where(Ticket.id == inbox["overdue"].id).values(status="solved"))
    db.session.commit()
    body = html(client.get("/tickets"))
    assert 'id="count-solved">3<' in body and 'id="count-needs_reply">3<' in body


def test_counts_stop_at_the_cap_and_say_so(monkeypatch, client, login_as, inbox):
    # A view's count reads at most COUNT_CAP + 1 index entries, so a page costs the same at any size of history.
    from inbox.services import ticket_list
    monkeypatch.setattr(ticket_list, "COUNT_CAP", 4)
    login_as("agent")
    body = html(client.get("/tickets"))
    for view, shown in {"needs_reply": "4+", "unassigned": "4", "mine": "1", "solved": "1", "all": "4+"}.items():
        assert f'id="count-{view}">{shown}<' in body, view
    assert "of 4+" in body


def test_counts_are_grouped_as_the_reader_writes_numbers(app):
    from inbox.i18n import force_locale
    from inbox.services.ticket_list import count_label

    with app.test_request_context():
        assert (count_label(999), count_label(1000), count_label(1001)) == ("999", "1,000", "1,000+")
        with force_locale("nl"):
            assert (count_label(1000), count_label(5000)) == ("1.000", "1.000+")


def test_needs_reply_is_sorted_most_urgent_first(client, login_as, inbox):
    login_as("agent")
    body = html(client.get("/tickets"))
    order = sorted(["Long overdue", "Nearly due", "Fresh question"], key=body.index)
    assert order == ["Long overdue", "Nearly due", "Fresh question"]


def test_an_open_question_nobody_waits_on_goes_last_in_needs_reply(client, login_as, inbox, shop, staff):
    # Answered but kept open: no clock runs, so it sorts after every question with a due time.
    ticket_service.reply(inbox["overdue"], shop, "We zoeken het uit.", by=staff["agent"], status="open",
                         at=MONDAY_11 - timedelta(minutes=5))
    db.session.commit()
    assert inbox["overdue"].status == "open" and inbox["overdue"].due_at is None
    login_as("agent")
    body = html(client.get("/tickets"))
    order = sorted(["Long overdue", "Nearly due", "Fresh question"], key=body.index)
    assert order == ["Nearly due", "Fresh question", "Long overdue"]


def test_due_soon_counts_business_hours_not_wall_clock(client, login_as, shop, make_ticket):
    """Friday 16:30: a ticket due Monday 10:00 has 1.5 business hours left, though 65 wall-clock hours away."""
    with time_machine.travel(FRIDAY_1630, tick=False):
        make_ticket(shop, subject="Due Monday morning", received_at=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
        make_ticket(shop, subject="Due Monday afternoon", received_at=datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
        login_as("agent")
        body = html(client.get("/tickets?view=due_soon"))
    assert "Due Monday morning" in body
    assert "Due Monday afternoon" not in body


@pytest.mark.parametrize("query, expected", [
    ("assignee=me", {"Assigned to the agent"}),
    ("assignee=none&view=all", {"Fresh question", "Nearly due", "Long overdue", "Forwarded by bol"}),
    ("channel=phone", {"Assigned to the agent"}),
    ("language=en", {"Assigned to the agent"}),
    ("tag=retour", {"Assigned to the agent"}),
    ("forwarded=1", {"Forwarded by bol"}),
    ("view=all&from=2026-11-15&to=2026-11-16", {"Fresh question", "Assigned to the agent", "Waiting on customer",
                                                "Forwarded by bol"}),
    ("view=all&to=2026-11-10", {"Long overdue"}),
    ("view=all&channel=phone&language=en&tag=retour&assignee=me", {"Assigned to the agent"}),
    ("view=all&channel=phone&language=nl", set()),
])
def test_filters_combine(client, login_as, inbox, query, expected):
    login_as("agent")
    assert subjects(html(client.get(f"/tickets?{query}")), *ALL_SUBJECTS) == expected


def test_assignee_filter_by_colleague(client, login_as, inbox, staff):
    login_as("manager")
    body = html(client.get(f"/tickets?view=all&assignee={staff['agent'].id}"))
    assert subjects(body, *ALL_SUBJECTS) == {"Assigned to the agent"}


@pytest.mark.parametrize("query, notice", [
    ("view=bogus", "There is no view"),
    ("assignee=abc", "Unknown assignee"),
    ("assignee=99999", "Unknown assignee"),
    ("channel=pigeon", "Unknown channel"),
    ("language=klingon", "Unknown language"),
    ("tag=%21%21%21", "is not a tag"),
    ("from=yesterday", "is not a date"),
    ("to=2026-13-45", "is not a date"),
    ("page=0", "There is no page"),
    ("page=-3", "There is no page"),
    ("page=abc", "There is no page"),
    ("page=99999999999999999999", "There is no page"),
])
def test_invalid_filter_values_give_a_notice_not_an_error(client, login_as, inbox, query, notice):
    login_as("agent")
    body = html(client.get(f"/tickets?{query}"))
    assert notice in body
    assert "Fresh question" in body  # the list still shows, without the bad filter


def test_another_shops_user_id_is_not_a_valid_assignee(client, login_as, inbox, make_shop, make_user):
    stranger = make_user(make_shop("Other", "BE"), role="agent")
    login_as("agent")
    assert "Unknown assignee" in html(client.get(f"/tickets?assignee={stranger.id}"))


def test_empty_views_say_what_to_do(client, login_as, clock):
    login_as("agent")
    assert "Nothing waiting for a reply." in html(client.get("/tickets"))
    assert "Take a question from Unassigned" in html(client.get("/tickets?view=mine"))
    assert "Clear the filters" in html(client.get("/tickets?channel=phone"))
    assert "No questions match" in html(client.get("/tickets?q=nergens"))


@pytest.fixture
def many(clock, shop, make_ticket):
    """121 open tickets, due one minute apart, so the order is known."""
    shop_id = shop.id
    for i in range(121):
        ticket_service.create_ticket(shop, subject=f"Vraag nummer {i:03d}", body="Waar is mijn pakket?",
                                     customer_name="Klant", received_at=MONDAY_11 - timedelta(hours=3, minutes=-i))
    db.session.commit()
    return shop_id


def test_pages_of_fifty_in_stable_order(client, login_as, many):
    login_as("agent")
    page1, page2, page3 = (html(client.get(f"/tickets?page={p}")) for p in (1, 2, 3))
    assert page1.count('class="ticket-row') == 50 and page2.count('class="ticket-row') == 50
    assert page3.count('class="ticket-row') == 21
    assert "Vraag nummer 000" in page1 and "Vraag nummer 049" in page1 and "Vraag nummer 050" not in page1
    assert "Vraag nummer 050" in page2 and "Vraag nummer 099" in page2
    assert 'rel="next"' in page1 and 'rel="prev"' not in page1
    assert 'rel="next"' not in page3 and 'rel="prev"' in page3
    assert "1–50 of 121" in page1


def test_page_beyond_the_end_is_an_empty_state(client, login_as, many):
    login_as("agent")
    body = html(client.get("/tickets?page=9"))
    assert "This page is empty." in body and "Back to the first page" in body


def test_exactly_fifty_has_no_next_page(client, login_as, clock, shop):
    for i in range(50):
        ticket_service.create_ticket(shop, subject=f"Q{i}", body="x", received_at=MONDAY_11 - timedelta(minutes=i + 1))
    db.session.commit()
    login_as("agent")
    body = html(client.get("/tickets"))
    assert body.count('class="ticket-row') == 50 and 'rel="next"' not in body


def test_htmx_gets_a_fragment_and_the_canonical_url(client, login_as, inbox):
    login_as("agent")
    response = client.get("/tickets?view=all&q=&channel=&page=1", headers={"HX-Request": "true"})
    body = html(response)
    assert "<html" not in body and 'id="ticket-list"' in body
    views_nav = body[body.index('id="inbox-views"'):]
    assert 'hx-swap-oob="true"' in views_nav[:views_nav.index(">")]  # the counts and current view follow along
    assert response.headers["HX-Push-Url"] == "/tickets?view=all"
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/tickets?view=all")
    assert "<html" in html(full) and "HX-Request" in full.headers["Vary"]


def test_rows_show_customer_subject_snippet_channel_assignee_tags_age_badge(client, login_as, inbox):
    login_as("agent")
    body = html(client.get("/tickets?view=mine"))
    row = body[body.index(f'id="ticket-{inbox["mine"].id}-row"'):]
    row = row[:row.index("</tr>")]
    for part in ("Ingrid van Dijk", "Assigned to the agent", "Ik wacht al een week", "channel-phone", "Agent Demo",
                 '<span class="tag">retour</span>', "1 h", "sla-on_track"):
        assert part in row, part


def test_list_query_count_does_not_grow_with_rows(count_queries, client, login_as, clock, shop, staff):
    login_as("agent")
    for i in range(3):
        ticket_service.create_ticket(shop, subject=f"Q{i}", body="x", received_at=MONDAY_11 - timedelta(minutes=i + 1),
                                     assignee=staff["manager"], tags=["a", "b"])
    db.session.commit()
    client.get("/tickets")
    with count_queries() as few:
        html(client.get("/tickets"))
    for i in range(60):
        ticket_service.create_ticket(shop, subject=f"R{i}", body="x", received_at=MONDAY_11 - timedelta(minutes=i + 1),
                                     assignee=staff["agent"] if i % 2 else None, tags=["c"])
    db.session.commit()
    client.get("/tickets")  # the same warm-up as above: the test shares the app's session
    with count_queries() as more:
        body = html(client.get("/tickets"))
    assert body.count('class="ticket-row') == 50
    assert len(more) == len(few), "\n\n".join(few + ["-----"] + more)
    assert len(more) <= 10


def test_bulk_assign_tag_and_status(client, login_as, inbox, staff):
    login_as("manager")
    ids = [inbox["fresh"].id, inbox["overdue"].id]
    r = client.post("/tickets/bulk", data={"ids": ids, "action": "assign", "value": str(staff["agent"].id),
                                            "next": "/tickets?view=all"})
    assert r.status_code == 303 and r.headers["Location"] == "/tickets?view=all"
    client.post("/tickets/bulk", data={"ids": ids, "action": "tag", "tag_value": "Spoed"})
    client.post("/tickets/bulk", data={"ids": ids, "action": "status:solved"})
    for key in ("fresh", "overdue"):
        t = db.session.get(Ticket, inbox[key].id)
        db.session.refresh(t)
        assert (t.assignee_id, t.status, "spoed" in t.tags) == (staff["agent"].id, "solved", True)


def test_bulk_reports_tickets_that_cannot_change_and_ignores_other_shops(client, login_as, inbox, make_shop,
                                                                          make_ticket):
    foreign = make_ticket(make_shop("Other", "BE"), subject="Not yours")
    login_as("agent")
    r = client.post("/tickets/bulk", data={"ids": [inbox["solved"].id, inbox["fresh"].id, foreign.id],
                                            "action": "status:pending"}, follow_redirects=True)
    body = html(r)
    assert "1 question updated." in body and "1 question could not be changed" in body
    assert db.session.scalar(sa.select(Ticket.status).where(Ticket.id == foreign.id)) == "open"


def test_agent_cannot_bulk_assign_to_a_colleague(client, login_as, inbox, staff):
    login_as("agent")
    r = client.post("/tickets/bulk", data={"ids": [inbox["fresh"].id], "action": "assign",
                                            "value": str(staff["manager"].id)})
    assert r.status_code == 403


def test_bulk_without_selection_says_so(client, login_as, inbox):
    login_as("agent")
    assert "Select one or more questions first." in html(
        client.post("/tickets/bulk", data={"action": "status:solved"}, follow_redirects=True))


def test_badges_refresh_in_one_request_as_out_of_band_swaps(count_queries, client, login_as, inbox, make_shop,
                                                            make_ticket):
    foreign = make_ticket(make_shop("Other", "BE"), subject="Not yours")
    login_as("agent")
    ids = [inbox[k].id for k in ("fresh", "overdue", "pending")] + [foreign.id]
    with count_queries() as queries:
        body = html(client.get("/tickets/badges?ids=" + ",".join(map(str, ids)) + ",abc"))
    assert body.count('hx-swap-oob="true"') == 3
    assert f'id="ticket-{inbox["overdue"].id}-sla"' in body and "sla-overdue" in body
    assert f"ticket-{foreign.id}-sla" not in body
    assert len(queries) <= 4


def test_what_customers_typed_is_escaped_in_every_column_of_a_row(clock, client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, subject='<img src=x onerror="alert(1)">', customer_name="<b>Eve</b> & co",
                         body="<script>steal()</script>", received_at=MONDAY_11 - timedelta(hours=1))
    ticket_service.set_tags(ticket, ["<i>vip</i>"], by=staff["owner"])
    db.session.commit()
    login_as("owner")
    body = html(client.get("/tickets"))
    row = body[body.index(f'id="ticket-{ticket.id}-row"'):]
    row = row[:row.index("</tr>")]
    assert "<img" not in row and "<script" not in row and "<b>" not in row
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in row and "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in row
    assert "&lt;script&gt;steal()&lt;/script&gt;" in row
    assert 'class="sla sla-on_track"' in row and f'href="/tickets/{ticket.id}?pos=0' in row


def test_row_links_keep_the_search_whatever_it_holds(clock, client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, subject="Bestelling 987654321 pos=POS", received_at=MONDAY_11 - timedelta(hours=1))
    login_as("owner")
    body = html(client.get("/tickets", query_string={"view": "all", "q": "987654321 pos=POS"}))
    assert f'href="/tickets/{ticket.id}?pos=0&amp;view=all&amp;q=987654321+pos%3DPOS"' in body
