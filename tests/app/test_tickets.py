"""The first inbox and ticket page, logging a question by hand, replying, assigning."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import Message, Ticket

MONDAY_11 = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)  # 11:00 in Amsterdam


def test_inbox_lists_open_tickets_of_the_shop_and_none_of_another(client, login_as, shop, make_shop, make_ticket):
    make_ticket(shop, subject="Waar blijft mijn dekbedovertrek?")
    make_ticket(make_shop("Other Shop"), subject="Question for the other shop")
    login_as("agent")
    page = client.get("/tickets").get_data(as_text=True)
    assert "Waar blijft mijn dekbedovertrek?" in page
    assert "Question for the other shop" not in page


def test_inbox_empty_state_says_what_to_do(client, login_as):
    login_as("agent")
    assert "Nothing waiting for a reply." in client.get("/tickets").get_data(as_text=True)


def test_ticket_page_shows_thread(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, body="Mijn pakket is niet aangekomen.")
    login_as("agent")
    response = client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 200
    assert "Mijn pakket is niet aangekomen." in response.get_data(as_text=True)


def test_customer_text_is_escaped(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, body="<script>alert(1)</script>")
    login_as("agent")
    body = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


@time_machine.travel(MONDAY_11, tick=False)
def test_log_phone_question_by_hand(client, login_as):
    login_as("agent")
    response = client.post("/tickets/new", data={
        "channel": "phone", "customer_name": "Pieter Smit", "subject": "Belde over retour",
        "body": "Meneer Smit wil het badlaken retourneren.", "received_at": "2026-11-16T09:30", "language": "nl",
        "tags": "retour, telefoon"})
    assert response.status_code == 303
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.channel == "phone"
    assert ticket.received_at == datetime(2026, 11, 16, 8, 30, tzinfo=timezone.utc)
    assert ticket.tags == ["retour", "telefoon"]
    # Monday 09:30 + 8 business hours = Tuesday 09:30 (Amsterdam).
    assert ticket.due_at == datetime(2026, 11, 17, 8, 30, tzinfo=timezone.utc)


@time_machine.travel(MONDAY_11, tick=False)
def test_marketplace_forward_counts_from_forward_time(client, login_as):
    login_as("agent")
    client.post("/tickets/new", data={
        "channel": "marketplace", "customer_name": "Emma Meijer", "subject": "Doorgestuurd: kapotte plaid",
        "body": "De klant meldt een kapotte plaid.", "received_at": "2026-11-13T10:00",
        "forwarded_at": "2026-11-16T09:00", "language": "nl"})
    ticket = db.session.scalar(sa.select(Ticket))
    assert ticket.forwarded_at == datetime(2026, 11, 16, 8, 0, tzinfo=timezone.utc)
    assert ticket.due_at == datetime(2026, 11, 16, 16, 0, tzinfo=timezone.utc)  # Monday 17:00 local


@time_machine.travel(MONDAY_11, tick=False)
def test_marketplace_forward_without_time_is_a_field_error(client, login_as):
    login_as("agent")
    response = client.post("/tickets/new", data={
        "channel": "marketplace", "customer_name": "Emma", "subject": "x", "body": "y", "language": "nl"})
    assert response.status_code == 422
    assert "When was it forwarded?" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0


@time_machine.travel(MONDAY_11, tick=False)
def test_bad_date_and_missing_fields_rerender_form_keeping_input(client, login_as):
    login_as("agent")
    response = client.post("/tickets/new", data={
        "channel": "phone", "customer_name": "", "subject": "Mijn vraag", "body": "", "received_at": "gisteren",
        "language": "nl"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Mijn vraag"' in body
    assert "Enter a date and time" in body
    assert "This field is required." in body


@time_machine.travel(MONDAY_11, tick=False)
def test_future_received_time_is_refused(client, login_as):
    login_as("agent")
    response = client.post("/tickets/new", data={
        "channel": "phone", "customer_name": "A", "subject": "B", "body": "C", "received_at": "2027-01-01T10:00",
        "language": "nl"})
    assert response.status_code == 422
    assert "This time lies in the future." in response.get_data(as_text=True)


def test_reply_stops_clock_and_records_margin(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11)  # due Tuesday 11:00 local
    login_as("agent")
    with time_machine.travel(datetime(2026, 11, 16, 14, 0, tzinfo=timezone.utc), tick=False):  # Monday 15:00
        response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "Beste Ingrid, ...", "status": "pending"})
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert ticket.due_at is None and ticket.status == "pending"
    assert ticket.first_reply_margin == 4 * 3600  # Monday 15:00-17:00 plus Tuesday 09:00-11:00
    reply = db.session.scalar(sa.select(Message).where(Message.kind == "reply"))
    assert reply.sla_margin == ticket.first_reply_margin


def test_internal_note_does_not_stop_the_clock(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop, received_at=MONDAY_11)
    due = ticket.due_at
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/reply", data={"body": "Vervoerder gebeld.", "kind": "note"})
    db.session.refresh(ticket)
    assert ticket.due_at == due and ticket.status == "open"


def test_empty_reply_is_refused_and_nothing_is_stored(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    response = client.post(f"/tickets/{ticket.id}/reply", data={"body": "   "}, follow_redirects=True)
    assert "A reply cannot be empty." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1


def test_agent_takes_a_ticket_but_cannot_assign_others(client, login_as, shop, make_ticket, staff):
    ticket = make_ticket(shop)
    login_as("agent")
    assert client.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": "me"}).status_code == 303
    assert db.session.get(Ticket, ticket.id).assignee_id == staff["agent"].id
    assert client.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": staff["manager"].id}).status_code == 403


def test_manager_assigns_with_htmx_and_gets_fragment(client, login_as, shop, make_ticket, staff):
    ticket = make_ticket(shop)
    login_as("manager")
    response = client.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": staff["agent"].id},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="ticket-{ticket.id}-assignee"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)


def test_status_change_follows_workflow(client, login_as, shop, make_ticket):
    ticket = make_ticket(shop)
    login_as("agent")
    client.post(f"/tickets/{ticket.id}/status", data={"status": "solved"})
    assert db.session.get(Ticket, ticket.id).status == "solved"
    response = client.post(f"/tickets/{ticket.id}/status", data={"status": "bogus"}, follow_redirects=True)
    assert "Unknown status" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/tickets/{id}", "/tickets/{id}/reply", "/tickets/{id}/status", "/tickets/{id}/assign"])
def test_other_shops_ticket_is_404(client, login_as, make_shop, make_ticket, path):
    other = make_shop("Boutique Bruxelles", "BE")
    ticket = make_ticket(other)
    login_as("owner")
    url = path.format(id=ticket.id)
    response = client.get(url) if path == "/tickets/{id}" else client.post(url, data={"body": "x", "status": "solved",
                                                                                     "assignee_id": "me"})
    assert response.status_code == 404
    assert db.session.get(Ticket, ticket.id).status == "open"
