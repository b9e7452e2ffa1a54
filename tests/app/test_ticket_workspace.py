"""The ticket page: thread, side panel, prev/next in the list, tags, presence of colleagues, and changes since."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from flask import g

from inbox.extensions import db
from inbox.models import Ticket
from inbox.services import tickets as ticket_service
from tests.conftest import sign_in

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_11, tick=True) as traveller:
        yield traveller


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def test_thread_shows_customer_reply_and_note_distinctly_in_shop_time(client, login_as, clock, shop, staff, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11 - timedelta(hours=1))
    ticket_service.add_note(ticket, shop, "Vervoerder gebeld.", by=staff["manager"])
    ticket_service.reply(ticket, shop, "Het komt morgen.", by=staff["manager"])
    db.session.commit()
    login_as("agent")
    body = page(client, f"/tickets/{ticket.id}")
    assert body.count('class="msg msg-customer"') == 1 and body.count('class="msg msg-note"') == 1
    assert body.count('class="msg msg-reply"') == 1 and "Internal note" in body
    assert "Mon 16 Nov, 10:00" in body  # 09:00 UTC shown in Amsterdam time


def test_customer_html_is_shown_without_remote_images_until_asked(client, login_as, clock, shop, make_ticket):
    html = ('<p>Zie foto:</p><img data-remote-src="https://tracker.example/pixel.png" alt="[image blocked]">')
    ticket = make_ticket(shop, body="Zie foto", body_html=html)
    login_as("agent")
    body = page(client, f"/tickets/{ticket.id}")
    assert ' src="https://tracker.example' not in body
    assert "Show remote images" in body


def test_side_panel_shows_earlier_tickets_order_product_and_reply_history(client, login_as, clock, shop, staff,
                                                                        make_ticket):
    earlier = make_ticket(shop, subject="Eerdere vraag", received_at=MONDAY_11 - timedelta(days=20))
    ticket_service.reply(earlier, shop, "Opgelost.", by=staff["agent"], status="solved",
                         at=MONDAY_11 - timedelta(days=20) + timedelta(hours=1))
    current = make_ticket(shop, subject="Nieuwe vraag", order_number="1099", product="Plaid",
                          received_at=MONDAY_11 - timedelta(hours=2))
    ticket_service.reply(current, shop, "Kijk ik na.", by=staff["agent"], status="open", at=MONDAY_11 - timedelta(hours=1))
    db.session.commit()
    login_as("agent")
    body = page(client, f"/tickets/{current.id}")
    assert "Eerdere vraag" in body and "answered on time" in body
    assert "1099" in body and "Plaid" in body
    assert "on time, " in body[body.index('class="reply-history"'):]


def row_link(client, ticket_id, query=""):
    """The ticket page's address as the inbox row links to it (its place in the list travels with it)."""
    found = re.search(rf'href="(/tickets/{ticket_id}\?[^"]+)"', page(client, f"/tickets{query}"))
    return found.group(1).replace("&amp;", "&")


def test_prev_next_walk_the_list_the_ticket_came_from(client, login_as, clock, shop, make_ticket):
    made = [make_ticket(shop, subject=f"Q{i}", received_at=MONDAY_11 - timedelta(hours=5, minutes=-i)) for i in range(3)]
    login_as("agent")
    body = page(client, row_link(client, made[1].id))
    assert f'href="/tickets/{made[0].id}?pos=0&amp;key=' in body and f'href="/tickets/{made[2].id}?pos=2&amp;key=' in body
    first = page(client, row_link(client, made[0].id))
    assert 'rel="prev"' not in first and f'href="/tickets/{made[1].id}?pos=1&amp;key=' in first


def test_after_solving_next_and_previous_are_the_tickets_that_stood_beside_it(client, login_as, clock, shop,
                                                                            make_ticket):
    made = [make_ticket(shop, subject=f"Q{i}", received_at=MONDAY_11 - timedelta(hours=5, minutes=-i)) for i in range(3)]
    login_as("agent")
    opened = row_link(client, made[1].id)
    client.post(f"/tickets/{made[1].id}/status", data={"status": "solved"})
    body = page(client, opened)
    assert f'href="/tickets/{made[2].id}?pos=2&amp;key=' in body
    assert f'href="/tickets/{made[0].id}?pos=0&amp;key=' in body


def test_prev_next_keep_view_filters_and_search(client, login_as, clock, shop, make_ticket):
    made = [make_ticket(shop, subject=f"Pakket {i}", received_at=MONDAY_11 - timedelta(hours=5, minutes=-i))
            for i in range(2)]
    login_as("agent")
    body = page(client, f"/tickets/{made[1].id}?view=all&q=pakket&pos=0")
    assert f"/tickets/{made[0].id}?pos=1&amp;view=all&amp;q=pakket" in body
    assert "← All" in body


def test_ticket_page_query_count_does_not_grow_with_the_thread(count_queries, client, login_as, clock, shop, staff,
                                                               make_ticket):
    login_as("agent")
    short = make_ticket(shop, customer_email="a@example.com")
    long = make_ticket(shop, customer_email="b@example.com")
    for i in range(15):
        ticket_service.add_note(long, shop, f"Note {i}", by=staff["manager" if i % 2 else "owner"])
        make_ticket(shop, subject=f"Earlier {i}", customer_email="b@example.com", tags=["x"])
    db.session.commit()
    counts = []
    for t in (short, long):
        client.get(f"/tickets/{t.id}?pos=0")
        with count_queries() as queries:
            page(client, f"/tickets/{t.id}?pos=0")
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[1] <= 14, counts


def test_tags_are_edited_in_place(client, login_as, clock, shop, make_ticket):
    ticket = make_ticket(shop, tags=["oud"])
    login_as("agent")
    response = client.post(f"/tickets/{ticket.id}/tags", data={"tags": "Retour, schade, retour"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="ticket-{ticket.id}-tags"' in response.get_data(as_text=True)
    assert db.session.get(Ticket, ticket.id).tags == ["retour", "schade"]
    assert client.post(f"/tickets/{ticket.id}/tags", data={"tags": "x" * 400}).status_code == 422


def test_status_change_also_refreshes_the_sla_badge(client, login_as, clock, shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11 - timedelta(hours=1))
    login_as("agent")
    body = client.post(f"/tickets/{ticket.id}/status", data={"status": "solved"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'id="ticket-{ticket.id}-status"' in body and 'hx-swap-oob="true"' in body


# -- collision detection -------------------------------------------------------------------------------------

def fresh_user():
    """The tests share one app context, and Flask-Login caches the signed-in user in `g`: forget it, so each
    test client is seen as the user of its own session."""
    g.pop("_login_user", None)


def beat(client, ticket, **data):
    fresh_user()
    response = client.post(f"/tickets/{ticket.id}/presence", data=data, headers={"HX-Request": "true"})
    assert response.status_code in (200, 204)
    return response.get_data(as_text=True)


@pytest.fixture
def two_agents(app, staff, clock):
    """Two browsers: the agent (Anna) and the manager, each with their own session."""
    clients = {}
    for role in ("agent", "manager"):
        c = app.test_client()
        fresh_user()
        assert sign_in(c, staff[role].email).status_code == 302
        clients[role] = c
    return clients


def test_colleague_viewing_and_typing_shows_within_seconds(two_agents, staff, clock, shop, make_ticket):
    ticket = make_ticket(shop)
    anna, mark = two_agents["agent"], two_agents["manager"]
    assert "is viewing" not in beat(mark, ticket)
    beat(anna, ticket)
    assert "Agent Demo is viewing" in beat(mark, ticket)
    beat(anna, ticket, typing="1")
    assert "Agent Demo is typing a reply" in beat(mark, ticket)
    assert "Manager Demo is viewing" in beat(anna, ticket)  # and the other way round


def test_presence_fades_when_the_heartbeat_stops_or_the_page_closes(two_agents, clock, shop, make_ticket):
    ticket = make_ticket(shop)
    anna, mark = two_agents["agent"], two_agents["manager"]
    beat(anna, ticket, typing="1")
    clock.shift(timedelta(seconds=8))
    assert "Agent Demo is viewing" in beat(mark, ticket)  # typing stopped, still there
    clock.shift(timedelta(seconds=15))
    assert "Agent Demo" not in beat(mark, ticket)
    beat(anna, ticket)
    beat(anna, ticket, leave="1")
    assert "Agent Demo" not in beat(mark, ticket)


def test_presence_is_shown_on_the_inbox_row(two_agents, clock, shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11 - timedelta(hours=1))
    beat(two_agents["agent"], ticket, typing="1")
    fresh_user()
    body = two_agents["manager"].get("/tickets").get_data(as_text=True)
    assert "Agent is typing" in body


def test_presence_of_another_shops_ticket_is_404(client, login_as, clock, make_shop, make_ticket):
    foreign = make_ticket(make_shop("Other", "BE"))
    login_as("agent")
    assert client.post(f"/tickets/{foreign.id}/presence").status_code == 404
    assert client.get(f"/tickets/{foreign.id}/changes?seen=0").status_code == 404


def test_changes_since_flags_new_customer_message_and_colleague_reply(clock, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    seen = ticket.messages[-1].id
    me, colleague = staff["agent"], staff["manager"]
    assert ticket_service.changes_since(ticket, seen, me) == []
    ticket_service.add_note(ticket, shop, "Mijn eigen notitie", by=me)
    assert ticket_service.changes_since(ticket, seen, me) == []  # my own writing is no surprise
    customer = ticket_service.add_customer_message(ticket, shop, "Nog iets!")
    reply = ticket_service.reply(ticket, shop, "Al beantwoord.", by=colleague)
    db.session.commit()
    assert [m.id for m in ticket_service.changes_since(ticket, seen, me)] == [customer.id, reply.id]


def test_composer_is_warned_before_sending(two_agents, clock, shop, staff, make_ticket):
    ticket = make_ticket(shop)
    seen = ticket.messages[-1].id
    anna = two_agents["agent"]
    fresh_user()
    assert "New since you opened" not in anna.get(f"/tickets/{ticket.id}/changes?seen={seen}").get_data(as_text=True)
    ticket_service.reply(ticket, shop, "Ik heb het al beantwoord.", by=staff["manager"])
    db.session.commit()
    fresh_user()
    warning = anna.get(f"/tickets/{ticket.id}/changes?seen={seen}").get_data(as_text=True)
    assert "New since you opened this question" in warning and "Manager Demo replied" in warning
    # The presence poll carries the same warning out of band, so it shows while composing.
    polled = beat(anna, ticket, seen=str(seen))
    assert f'id="ticket-{ticket.id}-changes" class="changes" hx-swap-oob="true"' in polled
    assert "Manager Demo replied" in polled
