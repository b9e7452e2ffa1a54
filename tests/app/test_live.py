"""The live inbox and ticket page: new questions announced while the inbox is open, a side panel that follows a
colleague's reply, and the errors and expired sessions of htmx requests."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from flask import g

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import tickets as ticket_service
from tests.conftest import sign_in

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)
HX = {"HX-Request": "true"}


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_11, tick=True) as traveller:
        yield traveller


def text(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def cursor_of(page: str) -> str:
    return page.split('/tickets/live?after=', 1)[1].split('"', 1)[0].split("&", 1)[0]


# -- new questions while the inbox is open ---------------------------------------------------------------

def test_new_questions_wait_behind_a_bar_and_the_view_counts_move(client, login_as, clock, shop, make_ticket):
    make_ticket(shop, received_at=MONDAY_11 - timedelta(hours=1))
    login_as("agent")
    page = text(client.get("/tickets"))
    after = cursor_of(page)
    assert 'hx-trigger="every 20s"' in page
    quiet = text(client.get(f"/tickets/live?after={after}", headers=HX))
    assert "new question" not in quiet and '<span class="count" id="count-needs_reply" hx-swap-oob="true">1<' in quiet

    for n in range(3):
        make_ticket(shop, subject=f"Vraag {n}", received_at=MONDAY_11 - timedelta(minutes=5))
    polled = text(client.get(f"/tickets/live?after={after}", headers=HX))
    assert "3 new questions — show" in polled
    assert '<span class="count" id="count-needs_reply" hx-swap-oob="true">4<' in polled
    assert '<span class="count" id="count-current" hx-swap-oob="true">4<' in polled
    # The rows themselves stay put until "show" asks for the list again, with a cursor that has moved on.
    fresh = text(client.get("/tickets", headers=HX))
    assert "Vraag 2" in fresh and int(cursor_of(fresh)) > int(after)


def test_new_questions_count_only_the_list_on_screen(client, login_as, clock, shop, staff, make_ticket, make_shop):
    make_ticket(shop)
    login_as("agent")
    after = cursor_of(text(client.get("/tickets?view=mine")))
    make_ticket(shop, subject="Niet van mij")
    make_ticket(make_shop("Other", "BE"), subject="Andere winkel")
    assert "new question" not in text(client.get(f"/tickets/live?view=mine&after={after}", headers=HX))
    mine = make_ticket(shop, subject="Wel van mij")
    ticket_service.assign(mine, shop, staff["agent"], by=staff["agent"])
    db.session.commit()
    g.pop("_login_user", None)
    assert "1 new question — show" in text(client.get(f"/tickets/live?view=mine&after={after}", headers=HX))


def test_new_questions_bar_in_dutch(client, login_as, clock, shop, staff, make_ticket):
    staff["agent"].locale = "nl"
    db.session.commit()
    login_as("agent")
    for _n in range(3):
        make_ticket(shop)
    assert "2 nieuwe vragen — tonen" in text(client.get("/tickets/live?after=1", headers=HX))


# -- the side panel follows what colleagues and customers do ---------------------------------------------

def fresh_user():
    """Flask-Login caches the signed-in user in `g` of the shared app context: forget it between clients."""
    g.pop("_login_user", None)


def beat(client, ticket, **data):
    fresh_user()
    return text(client.post(f"/tickets/{ticket.id}/presence", data=data, headers=HX))


def test_a_colleagues_reply_updates_status_badge_and_assignee_with_the_notice(client, login_as, clock, shop, staff,
                                                                               make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11 - timedelta(days=3))   # long overdue
    login_as("agent")
    page = text(client.get(f"/tickets/{ticket.id}"))
    seen = page.split('data-seen-message-id="', 1)[1].split('"', 1)[0]
    panel = page.split('name="panel" value="', 1)[1].split('"', 1)[0]
    assert "Manager Demo" not in beat(client, ticket, seen=seen, panel=panel)   # nothing moved: no panels sent

    ticket_service.assign(ticket, shop, staff["manager"], by=staff["manager"])
    ticket_service.reply(ticket, shop, "Het pakket is onderweg.", by=staff["manager"], status="pending")
    db.session.commit()
    polled = beat(client, ticket, seen=seen, panel=panel)
    assert "Manager Demo replied" in polled
    assert f'id="ticket-{ticket.id}-status" hx-swap-oob="true"' in polled and "status-pending" in polled
    assert f'id="ticket-{ticket.id}-assignee" hx-swap-oob="true"' in polled and "Manager Demo</p>" in polled
    assert "overdue" not in polled.split(f'id="ticket-{ticket.id}-due"', 1)[1]
    # The page now knows this state: the next beat sends the panels no more.
    newer = polled.split('name="panel" value="', 1)[1].split('"', 1)[0]
    assert newer != panel and f'id="ticket-{ticket.id}-status"' not in beat(client, ticket, seen=seen, panel=newer)


# -- the panels' own errors, and sessions that ended ------------------------------------------------------

def test_status_buttons_offer_only_the_moves_the_workflow_allows(client, login_as, clock, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/status", data={"status": "solved"}, headers=HX)
    panel = text(client.get(f"/tickets/{ticket.id}")).split(f'id="ticket-{ticket.id}-status"', 1)[1].split("</section>")[0]
    assert 'value="open"' in panel and 'value="pending"' not in panel


def test_a_refused_status_change_answers_the_panel_with_422_not_the_whole_page(client, login_as, clock, shop,
                                                                                make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/status", data={"status": "solved"}, headers=HX)
    body = text(client.post(f"/tickets/{ticket.id}/status", data={"status": "pending"}, headers=HX), 422)
    assert body.startswith(f'<section class="panel" id="ticket-{ticket.id}-status"') and "<header" not in body
    assert 'role="alert"' in body and "status-solved" in body
    assert db.session.get(Ticket, ticket.id).status == "solved"
    # Without JavaScript the form post still goes back to the page, with the reason on top.
    plain = client.post(f"/tickets/{ticket.id}/status", data={"status": "pending"}, follow_redirects=True)
    assert "cannot go from Solved to Pending" in text(plain)  # the labels the reader sees, not the codes


def test_assigning_a_deactivated_colleague_answers_the_panel_with_a_clear_message(client, login_as, clock, shop,
                                                                                   make_ticket, make_user):
    ticket = make_ticket(shop)
    gone = make_user(shop, role="agent", name="Gone Agent", active=False)
    login_as("manager")
    body = text(client.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": str(gone.id)}, headers=HX), 422)
    assert body.startswith(f'<section class="panel" id="ticket-{ticket.id}-assignee"')
    assert "Gone Agent&#39;s account is deactivated" in body
    assert db.session.get(Ticket, ticket.id).assignee_id is None


def test_bulk_assigning_to_a_deactivated_colleague_says_so_and_changes_nothing(client, login_as, clock, shop,
                                                                                make_ticket, make_user):
    tickets = [make_ticket(shop), make_ticket(shop)]
    gone = make_user(shop, role="agent", name="Gone Agent", active=False)
    login_as("manager")
    response = client.post("/tickets/bulk", data={"ids": [t.id for t in tickets], "action": "assign",
                                                  "value": str(gone.id)}, follow_redirects=True)
    assert "Gone Agent&#39;s account is deactivated: choose an active colleague." in text(response)
    assert all(db.session.get(Ticket, t.id).assignee_id is None for t in tickets)


def test_an_expired_session_sends_htmx_to_sign_in_and_back_to_the_page_not_the_poll(client, login_as, clock, shop,
                                                                                     make_ticket):
    ticket = make_ticket(shop)
    headers = {**HX, "HX-Current-URL": f"http://localhost/tickets/{ticket.id}?view=mine"}
    response = client.get(f"/tickets/badges?ids={ticket.id}", headers=headers)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=/tickets/{ticket.id}?view%3Dmine"
    # Another site's address, or none, is no place to go back to.
    for elsewhere in ("http://evil.example/tickets", "javascript:alert(1)", ""):
        response = client.get("/tickets/badges?ids=1", headers={**HX, "HX-Current-URL": elsewhere})
        assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"
    # Signing in then lands on the page the agent was on.
    g.pop("_login_user", None)
    signed = client.post(f"/login?next=/tickets/{ticket.id}", data={"email": "agent@demo-shop.example.com",
                                                                      "password": "correct horse battery"})
    assert signed.headers["Location"].endswith(f"/tickets/{ticket.id}")
