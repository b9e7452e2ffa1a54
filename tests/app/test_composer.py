"""The reply composer: send exactly once, queue one e-mail, drafts as you type, nudges, collisions."""
from __future__ import annotations

import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import Draft, Message, OutboundEmail, Shop, Ticket, User
from inbox.services import composer as composer_service, tickets as ticket_service
from tests.conftest import PASSWORD, sign_in

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)  # 11:00 in Amsterdam
HX = {"HX-Request": "true"}

UPSET_DAMAGED = ("Goedemiddag,\n\nIk heb uw dekbedovertrek ontvangen maar er zit een grote scheur in. "
                 "Ik ben hier echt niet blij mee. Kunt u mij laten weten wat u hieraan doet?\n\n"
                 "Met vriendelijke groet,\nIngrid van Dijk")
GOOD_REPLY = ("Beste mevrouw Van Dijk,\n\nWat vervelend dat uw dekbedovertrek beschadigd is aangekomen, excuses daarvoor.\n\n"
              "U kunt kiezen:\n1. Wij sturen vandaag een nieuw exemplaar.\n2. U krijgt het volledige bedrag terug.\n\n"
              "Laat u weten wat u kiest? Dan regel ik het vandaag nog.\n\nMet vriendelijke groet,\nAnna\nDemo Shop")


def token() -> str:
    return uuid.uuid4().hex


def page_token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def replies(ticket) -> list[Message]:
    return list(db.session.scalars(sa.select(Message).where(Message.ticket_id == ticket.id, Message.kind == "reply")))


def outbox() -> list[OutboundEmail]:
    return list(db.session.scalars(sa.select(OutboundEmail)))


@pytest.fixture
def ticket(shop, make_ticket):
    return make_ticket(shop, subject="Scheur in dekbedovertrek", body=UPSET_DAMAGED, order_number="1012345678",
                       product="dekbedovertrek", received_at=MONDAY_11)


# --------------------------------------------------------------------------- the page

@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_composer_shows_the_sla_badge_the_customer_tone_and_a_one_time_token(client, login_as, ticket):
    login_as("agent")
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'id="ticket-{ticket.id}-composer-sla"' in html
    assert "7 h left" in html or "7h left" in html or "left" in html
    assert "formal (u)" in html and "upset" in html
    first, second = page_token(html), page_token(client.get(f"/tickets/{ticket.id}").get_data(as_text=True))
    assert first != second  # each rendered form is its own send


# --------------------------------------------------------------------------- sending once, queued once

@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_reply_is_stored_and_queued_as_exactly_one_email(client, login_as, ticket):
    login_as("agent")
    key = token()
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "status": "pending", "token": key})
    assert response.status_code == 303
    [reply] = replies(ticket)
    [mail] = outbox()
    assert (mail.message_id, mail.state, mail.to_addr) == (reply.id, "queued", "ingrid@example.com")
    assert mail.idempotency_key == f"reply:{key}"
    assert mail.subject == f"Re: Scheur in dekbedovertrek [#{ticket.id}]"
    assert mail.body == GOOD_REPLY.strip()
    assert db.session.get(Ticket, ticket.id).status == "pending"


def test_double_submit_with_the_same_token_stores_one_reply(client, login_as, ticket):
    login_as("agent")
    data = {"body": GOOD_REPLY, "status": "pending", "token": token()}
    first = client.post(f"/tickets/{ticket.id}/reply", data=data)
    second = client.post(f"/tickets/{ticket.id}/reply", data=data, follow_redirects=True)
    assert first.status_code == 303 and second.status_code == 200
    assert "already sent" in second.get_data(as_text=True)
    assert len(replies(ticket)) == 1 and len(outbox()) == 1


def test_a_token_reused_on_another_ticket_answers_422_and_sends_nothing(client, login_as, ticket, shop, make_ticket):
    other = make_ticket(shop, subject="Andere vraag", received_at=MONDAY_11)
    login_as("agent")
    key = token()
    assert client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "token": key}).status_code == 303
    response = client.post(f"/tickets/{other.id}/reply", data={"body": GOOD_REPLY, "token": key}, headers=HX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already used to send on another question" in page
    assert page_token(page) != key, "the form comes back with a token that works"
    assert replies(other) == [] and len(outbox()) == 1


def test_htmx_double_submit_answers_with_the_same_reply(client, login_as, ticket):
    login_as("agent")
    data = {"body": GOOD_REPLY, "status": "solved", "token": token()}
    first = client.post(f"/tickets/{ticket.id}/reply", data=data, headers=HX)
    second = client.post(f"/tickets/{ticket.id}/reply", data=data, headers=HX)
    assert first.headers["HX-Redirect"] == second.headers["HX-Redirect"]
    assert first.headers["HX-Redirect"] == f"/tickets/{ticket.id}"
    assert len(replies(ticket)) == 1


def test_two_concurrent_sends_with_the_same_token_store_one_reply(shared_db_app, monkeypatch):
    app = shared_db_app
    shop = Shop(name="Race Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.flush()
    agent = User(shop_id=shop.id, email="racer@example.com", display_name="Anna Bakker", role="agent")
    agent.set_password(PASSWORD)
    db.session.add(agent)
    ticket = ticket_service.create_ticket(shop, subject="Kapot", body=UPSET_DAMAGED, customer_name="Ingrid van Dijk",
                                          customer_email="ingrid@example.com")
    db.session.commit()
    ticket_id = ticket.id

    # Both requests pass the "already sent?" look-up before either stores anything: a real race.
    barrier = threading.Barrier(2, timeout=10)
    original = composer_service._already_sent
    seen = threading.local()

    def racing_lookup(t, key):
        found = original(t, key)
        if not getattr(seen, "once", False):
            seen.once = True
            barrier.wait()
        return found
    monkeypatch.setattr(composer_service, "_already_sent", racing_lookup)

    data = {"body": GOOD_REPLY, "status": "pending", "token": token()}
    results, errors = [], []

    def send():
        try:
            client = app.test_client()
            assert sign_in(client, "racer@example.com").status_code == 302
            results.append(client.post(f"/tickets/{ticket_id}/reply", data=data).status_code)
        except Exception as e:  # noqa: BLE001  (reported below with the thread's failure)
            errors.append(e)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert results == [303, 303]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "reply")) == 1
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 1


def test_reply_to_a_question_without_email_address_is_recorded_but_not_emailed(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, customer_email=None, channel="phone", body="Belde: wanneer komt mijn pakket?")
    login_as("agent")
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "Beste Ingrid, morgen.", "token": token()},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert len(replies(ticket)) == 1 and outbox() == []
    assert "not e-mailed: no address" in html
    assert "no e-mail address" in html  # the flash after sending


def test_internal_note_is_never_emailed(client, login_as, ticket):
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/reply", data={"body": "Vervoerder gebeld.", "kind": "note", "token": token()})
    notes = db.session.scalars(sa.select(Message).where(Message.kind == "note")).all()
    assert len(notes) == 1 and outbox() == []
    assert db.session.get(Ticket, ticket.id).status == "open"


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_send_and_solve_sets_the_status_in_the_same_step(client, login_as, ticket):
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "status": "solved", "token": token()})
    assert db.session.get(Ticket, ticket.id).status == "solved"


def test_empty_reply_returns_the_form_with_the_error_and_stores_nothing(client, login_as, ticket):
    login_as("agent")
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "  ", "token": token()}, headers=HX)
    assert response.status_code == 422
    assert "A reply cannot be empty." in response.get_data(as_text=True)
    assert replies(ticket) == [] and outbox() == []


# --------------------------------------------------------------------------- delivery state in the thread

def test_thread_shows_each_replys_delivery_state_loaded_in_one_query(client, login_as, shop, staff, ticket):
    states = [("queued", None), ("sent", None), ("failed", "550 mailbox unavailable"), ("local", None)]
    for i, (state, error) in enumerate(states):
        message = ticket_service.reply(ticket, shop, f"Antwoord {i}", by=staff["agent"], status="open")
        db.session.flush()
        row = composer_service.enqueue_reply(ticket, message, key=token())
        row.state, row.last_error = state, error
    db.session.commit()
    login_as("agent")

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert "queued for e-mail" in html
    assert "e-mailed to ingrid@example.com" in html
    assert "e-mail failed: 550 mailbox unavailable" in html
    assert "written to the local mail folder" in html
    # The messages and their deliveries come in one query.
    assert sum("outbound_email" in s for s in statements) == 1
    assert sum("FROM message" in s for s in statements) == 1


# --------------------------------------------------------------------------- drafts

def test_draft_is_saved_while_typing_and_restored_on_the_next_visit(client, login_as, ticket):
    login_as("agent")
    response = client.post(f"/tickets/{ticket.id}/draft", data={"body": "Beste mevrouw Van Dijk, wat", "kind": "reply"},
                           headers=HX)
    assert response.status_code == 200 and "Draft saved" in response.get_data(as_text=True)
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)  # another tab, or after a crash
    assert "Beste mevrouw Van Dijk, wat</textarea>" in html
    assert "Your unsent draft was restored." in html


def test_a_draft_is_private_to_its_writer(client, login_as, ticket):
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/draft", data={"body": "Geheim concept", "kind": "note"})
    client.post("/logout")
    login_as("manager")
    assert "Geheim concept" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)


def test_sending_clears_the_draft_and_a_late_save_does_not_bring_it_back(client, login_as, ticket):
    login_as("agent")
    key = token()
    client.post(f"/tickets/{ticket.id}/draft", data={"body": GOOD_REPLY, "kind": "reply", "token": key})
    client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "token": key})
    assert db.session.scalars(sa.select(Draft)).all() == []
    # The debounced save of the last keystrokes arrives after the send.
    client.post(f"/tickets/{ticket.id}/draft", data={"body": GOOD_REPLY, "kind": "reply", "token": key})
    assert db.session.scalars(sa.select(Draft)).all() == []


def test_emptying_the_box_removes_the_draft(client, login_as, ticket):
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/draft", data={"body": "Iets", "kind": "reply"})
    client.post(f"/tickets/{ticket.id}/draft", data={"body": "", "kind": "reply"})
    assert db.session.scalars(sa.select(Draft)).all() == []


# --------------------------------------------------------------------------- nudges

@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_nudges_group_the_checks_and_say_what_is_missing(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/nudges", data={"body": "Ok, we kijken ernaar."}).get_data(as_text=True)
    for group in ("Fast", "Expert", "Personal"):
        assert f"</span> {group}</h3>" in html
    assert 'nudge nudge-todo" data-code="options"' in html
    assert 'nudge nudge-todo" data-code="feeling"' in html
    assert 'nudge nudge-ok" data-code="fast"' in html
    assert "All three" not in html


@time_machine.travel(MONDAY_11 + timedelta(hours=1), tick=False)
def test_a_reply_that_passes_every_check_earns_the_all_three_mark(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/nudges", data={"body": GOOD_REPLY}).get_data(as_text=True)
    assert "nudge-todo" not in html
    assert "All three: fast, expert and personal." in html


def test_nudges_are_off_for_an_internal_note(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/nudges", data={"body": "x", "kind": "note"}).get_data(as_text=True)
    assert "nudge-todo" not in html and "only colleagues see it" in html


@time_machine.travel(MONDAY_11 + timedelta(days=2), tick=False)
def test_overdue_ticket_fails_fast_and_offers_a_short_first_reaction(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/nudges", data={"body": GOOD_REPLY}).get_data(as_text=True)
    assert 'nudge nudge-todo" data-code="fast"' in html
    assert "Insert a short first reaction" in html
    assert "All three" not in html


@time_machine.travel(MONDAY_11 + timedelta(days=2), tick=False)
def test_first_reaction_is_inserted_in_the_customers_language_and_tone(client, login_as, ticket):
    agent = login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/first-reaction", data={"body": ""}, headers=HX).get_data(as_text=True)
    assert "Beste Ingrid van Dijk," in html and "Dank u voor uw bericht" in html
    assert agent.first_name in html and "Demo Shop" in html
    draft = db.session.scalar(sa.select(Draft))
    assert draft.body.startswith("Beste Ingrid van Dijk,")


def test_draft_save_also_refreshes_the_nudges_out_of_band(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/draft", data={"body": "Hoi", "kind": "reply"}).get_data(as_text=True)
    assert f'id="ticket-{ticket.id}-nudges"' in html and 'hx-swap-oob="true"' in html


# --------------------------------------------------------------------------- collisions

def test_send_warns_when_a_colleague_replied_since_the_composer_was_loaded(client, login_as, shop, staff, ticket):
    agent = login_as("agent")
    html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    seen = re.search(r'name="seen_message_id" value="(\d+)"', html).group(1)
    key = page_token(html)
    ticket_service.reply(ticket, shop, "Beste Ingrid, we sturen een nieuwe.", by=staff["manager"], status="open")
    db.session.commit()

    response = client.post(f"/tickets/{ticket.id}/reply", headers=HX,
                           data={"body": GOOD_REPLY, "status": "solved", "token": key, "seen_message_id": seen})
    warning = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Manager Demo replied" in warning and "Send anyway" in warning
    assert [r.author_id for r in replies(ticket)] == [staff["manager"].id]  # ours was not sent

    new_seen = re.search(r'name="seen_message_id" value="(\d+)"', warning).group(1)
    assert 'name="status" value="solved"' in warning
    client.post(f"/tickets/{ticket.id}/reply", headers=HX,
                data={"body": GOOD_REPLY, "status": "solved", "token": key, "seen_message_id": new_seen})
    assert sorted(r.author_id for r in replies(ticket)) == sorted([staff["manager"].id, agent.id])


def test_collision_without_htmx_keeps_the_text_as_a_draft(client, login_as, shop, make_ticket, ticket):
    login_as("agent")
    seen = max(m.id for m in ticket.messages)
    ticket_service.add_customer_message(ticket, shop, "Hallo? Nog iets gehoord?")
    db.session.commit()
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "token": token(),
                                                                "seen_message_id": seen}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Not sent: something new arrived" in html
    assert replies(ticket) == [] and "Hallo? Nog iets gehoord?" in html
    assert "Dan regel ik het vandaag nog." in html  # restored from the draft


def test_own_earlier_note_is_no_collision(client, login_as, shop, ticket):
    agent = login_as("agent")
    seen = max(m.id for m in ticket.messages)
    ticket_service.add_note(ticket, shop, "Even checken", by=agent)
    db.session.commit()
    client.post(f"/tickets/{ticket.id}/reply", data={"body": GOOD_REPLY, "token": token(), "seen_message_id": seen})
    assert len(replies(ticket)) == 1


# --------------------------------------------------------------------------- scoping

@pytest.mark.parametrize("path", ["/tickets/{id}/draft", "/tickets/{id}/nudges", "/tickets/{id}/first-reaction",
                                  "/tickets/{id}/reply"])
def test_composer_endpoints_answer_404_for_another_shops_ticket(client, login_as, make_shop, make_ticket, path):
    other = make_ticket(make_shop("Other Shop"))
    login_as("agent")
    response = client.post(path.format(id=other.id), data={"body": "x", "token": token()})
    assert response.status_code == 404
    assert db.session.scalars(sa.select(Draft)).all() == [] and outbox() == []


def test_before_the_first_word_the_checks_show_what_is_needed_without_alarm(client, login_as, ticket):
    login_as("agent")
    html = client.post(f"/tickets/{ticket.id}/nudges", data={"body": ""}).get_data(as_text=True)
    assert 'nudge nudge-pending" data-code="options"' in html
    assert "nudge-todo" not in html and "All three" not in html
