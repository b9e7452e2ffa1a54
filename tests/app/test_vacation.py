"""Vacation mode, away periods and stand-ins, automatic assignment, the contact page, auto-acknowledgement."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from inbox.extensions import db
from inbox.models import AuditEvent, Message, OutboundEmail, Shop, Ticket, User
from inbox.services import away, team
from inbox.workflow import Channel, MessageKind

UTC = timezone.utc
# 2026-10-25 is the night the clocks go back in Amsterdam (03:00 CEST -> 02:00 CET):
# midnight that day is still summer time, 22:00 UTC the evening before.
DST_MIDNIGHT_UTC = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
MONDAY_MIDNIGHT_UTC = datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 2026-10-26 00:00 CET


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def test_a_closure_typed_as_local_midnight_across_dst_is_stored_in_utc(client, login_as, shop):
    login_as("owner")
    with time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=UTC), tick=False):
        response = client.post("/settings/vacation", data={"closed_from": "2026-10-25T00:00",
                                                           "closed_until": "2026-10-26T00:00", "confirm": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    shop = db.session.get(Shop, shop.id)
    assert shop.closed_from == DST_MIDNIGHT_UTC
    assert shop.closed_until == MONDAY_MIDNIGHT_UTC  # a 25-hour day
    assert not shop.is_closed(DST_MIDNIGHT_UTC - timedelta(seconds=1))
    assert shop.is_closed(DST_MIDNIGHT_UTC)
    assert shop.is_closed(MONDAY_MIDNIGHT_UTC - timedelta(seconds=1))
    assert not shop.is_closed(MONDAY_MIDNIGHT_UTC)


def test_the_banner_shows_from_local_midnight_and_says_the_norm_still_applies(client, login_as, shop):
    shop.closed_from, shop.closed_until = DST_MIDNIGHT_UTC, MONDAY_MIDNIGHT_UTC
    db.session.commit()
    with time_machine.travel(DST_MIDNIGHT_UTC - timedelta(minutes=1), tick=False):
        login_as("agent")  # signed in at that time: a session cookie from the future is refused
        assert "temporarily closed" not in client.get("/tickets").get_data(as_text=True)
    g.pop("_login_user", None)
    with time_machine.travel(DST_MIDNIGHT_UTC, tick=False):
        page = client.get("/tickets").get_data(as_text=True)
    assert "temporarily closed until Monday 26 October 2026, 00:00" in page
    assert "8 business hours" in page


def test_away_from_local_midnight_across_dst_moves_tickets_to_the_stand_in(app, client, login_as, shop, staff, make_ticket):
    agent, manager = staff["agent"], staff["manager"]
    ticket = make_ticket(shop, assignee=agent)
    login_as("agent")
    with time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=UTC), tick=False):
        response = client.post("/account/away", data={"away_from": "2026-10-25T00:00", "away_until": "2026-10-26T00:00",
                                                      "delegate_id": str(manager.id)})
    assert response.status_code == 303
    db.session.expire_all()
    agent = db.session.get(User, agent.id)
    assert (agent.away_from, agent.away_until) == (DST_MIDNIGHT_UTC, MONDAY_MIDNIGHT_UTC)
    assert db.session.get(Ticket, ticket.id).assignee_id == agent.id  # scheduled: nothing moves yet

    with time_machine.travel(DST_MIDNIGHT_UTC - timedelta(seconds=1), tick=False):
        assert away.sweep_shop(db.session.get(Shop, shop.id)) == 0
    with time_machine.travel(DST_MIDNIGHT_UTC, tick=False):
        assert away.sweep_shop(db.session.get(Shop, shop.id)) == 1
        db.session.commit()
    assert db.session.get(Ticket, ticket.id).assignee_id == manager.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ticket.assign"))
    assert event.actor_id is None and event.new == manager.display_name


def test_going_away_now_hands_over_at_once_and_the_flag_goes_to_the_unassigned_queue_without_stand_in(
        client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, assignee=staff["agent"])
    login_as("agent")
    until = (datetime.now(UTC) + timedelta(days=3)).astimezone(shop.tz).strftime("%Y-%m-%dT%H:%M")
    assert client.post("/account/away", data={"away_until": until, "delegate_id": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id is None
    assert "You are marked away" in client.get("/tickets").get_data(as_text=True)


def test_the_sweep_runs_on_requests_without_cron(app, client, login_as, shop, staff, make_ticket):
    ticket = make_ticket(shop, assignee=staff["agent"])
    agent = staff["agent"]
    agent.away_from = datetime.now(UTC) - timedelta(minutes=5)
    agent.away_until = datetime.now(UTC) + timedelta(days=1)
    agent.delegate = staff["manager"]
    db.session.commit()
    away._last_sweep.clear()
    login_as("owner")
    client.get("/tickets")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id == staff["manager"].id


def test_the_sweep_command_hands_over_for_all_shops(app, shop, staff, make_ticket):
    ticket = make_ticket(shop, assignee=staff["agent"])
    staff["agent"].away_from = datetime.now(UTC) - timedelta(hours=1)
    staff["agent"].away_until = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["team", "sweep"])
    assert result.exit_code == 0 and "1 tickets handed over" in result.output
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id is None


def test_a_stand_in_who_is_away_too_passes_on_to_their_own_stand_in(shop, staff, make_ticket, in_request):
    agent, manager, owner = staff["agent"], staff["manager"], staff["owner"]
    now = datetime.now(UTC)
    for user in (agent, manager):
        user.away_from, user.away_until = now - timedelta(hours=1), now + timedelta(days=2)
    agent.delegate, manager.delegate = manager, owner
    assert away.stand_in_for(agent, now) == owner
    manager.delegate = agent  # a circle: nobody available
    assert away.stand_in_for(agent, now) is None


def test_round_robin_skips_away_and_inactive_agents(shop, staff, make_user, make_ticket):
    shop.auto_assign = True
    a1 = staff["agent"]
    a2 = make_user(shop, role="agent", email="a2@demo-shop.example.com")
    a3 = make_user(shop, role="agent", email="a3@demo-shop.example.com")
    a4 = make_user(shop, role="agent", email="a4@demo-shop.example.com")
    now = datetime.now(UTC)
    a2.away_from, a2.away_until = now - timedelta(hours=1), now + timedelta(days=1)
    a3.active = False
    db.session.commit()
    assignees = [make_ticket(shop).assignee_id for _ in range(4)]
    assert assignees == [a1.id, a4.id, a1.id, a4.id]
    assert staff["manager"].id not in assignees and staff["owner"].id not in assignees


def test_no_automatic_assignment_unless_the_shop_turns_it_on(shop, staff, make_ticket):
    assert make_ticket(shop).assignee_id is None


def test_an_explicit_assignee_is_kept_in_automatic_mode(shop, staff, make_ticket):
    shop.auto_assign = True
    assert make_ticket(shop, assignee=staff["manager"]).assignee_id == staff["manager"].id


def test_closing_warns_when_nobody_else_will_work_and_offers_an_invitation(client, login_as, shop, staff):
    now = datetime.now(UTC)
    staff["manager"].active = False
    staff["agent"].away_from, staff["agent"].away_until = now, now + timedelta(days=30)
    db.session.commit()
    login_as("owner")
    until = (now + timedelta(days=14)).astimezone(shop.tz).strftime("%Y-%m-%dT%H:%M")
    page = client.post("/settings/vacation", data={"closed_until": until}).get_data(as_text=True)
    assert "Nobody else will be answering questions" in page and "/team#invite" in page
    assert "Close the shop anyway" in page
    assert db.session.get(Shop, shop.id).closed_from is None
    assert client.post("/settings/vacation", data={"closed_until": until, "confirm": "1"}).status_code == 303
    assert db.session.get(Shop, shop.id).is_closed(datetime.now(UTC))


def test_closing_with_a_working_colleague_needs_no_confirmation(client, login_as, shop, staff):
    login_as("owner")
    until = (datetime.now(UTC) + timedelta(days=7)).astimezone(shop.tz).strftime("%Y-%m-%dT%H:%M")
    assert client.post("/settings/vacation", data={"closed_until": until}).status_code == 303
    assert client.post("/settings/vacation/reopen").status_code == 303
    assert db.session.get(Shop, shop.id).closed_from is None
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("shop.%"))))
    assert actions == ["shop.closed", "shop.reopened"]


def test_a_closure_ending_before_it_starts_is_refused(client, login_as, shop, staff):
    login_as("owner")
    response = client.post("/settings/vacation", data={"closed_from": "2030-05-10T00:00", "closed_until": "2030-05-01T00:00"})
    assert response.status_code == 422
    response = client.post("/settings/vacation", data={"closed_until": "not a date"})
    assert response.status_code == 422


def _close(shop, days=7, auto_ack=False):
    now = datetime.now(UTC)
    shop.closed_from, shop.closed_until = now - timedelta(hours=1), now + timedelta(days=days)
    shop.auto_ack_enabled = auto_ack
    db.session.commit()


def test_the_contact_page_offers_the_phone_only_while_open(client, shop):
    shop.phone, shop.contact_email = "+31 20 123 4567", "service@demo.example"
    db.session.commit()
    page = client.get(f"/contact/{shop.id}").get_data(as_text=True)
    assert "+31 20 123 4567" in page and "service@demo.example" in page
    _close(shop)
    page = client.get(f"/contact/{shop.id}").get_data(as_text=True)
    assert "+31 20 123 4567" not in page and "service@demo.example" in page
    assert "You can still send us a message" in page


def test_settings_page_shows_the_phone_as_not_offered_while_closed(client, login_as, shop):
    shop.phone = "+31 20 123 4567"
    _close(shop)
    login_as("owner")
    assert "not offered while closed" in client.get("/settings/shop").get_data(as_text=True)


def test_the_contact_form_creates_a_webform_question(client, shop):
    data = {"name": "Els de Boer", "email": "els@example.com", "subject": "Maat", "body": "Valt de jas klein?"}
    assert client.post(f"/contact/{shop.id}", data=data).status_code == 303
    assert client.post(f"/contact/{shop.id}", data=data).status_code == 303  # a double submit
    rows = list(db.session.scalars(sa.select(Ticket)))
    assert len(rows) == 1 and rows[0].channel == Channel.WEBFORM.value and rows[0].due_at is not None


def test_the_contact_form_needs_its_fields_and_a_csrf_token(csrf_app, shop):
    client = csrf_app.test_client()
    data = {"name": "Els", "email": "els@example.com", "subject": "Maat", "body": "Vraag"}
    assert client.post(f"/contact/{shop.id}", data=data).status_code in (400, 422)
    assert client.get("/contact/999").status_code == 404


def test_the_contact_form_is_rate_limited_per_address(client, shop):
    for i in range(5):
        data = {"name": "Bot", "email": f"bot{i}@example.com", "subject": f"S{i}", "body": "x"}
        assert client.post(f"/contact/{shop.id}", data=data).status_code == 303
    data = {"name": "Bot", "email": "bot9@example.com", "subject": "S9", "body": "x"}
    assert client.post(f"/contact/{shop.id}", data=data).status_code == 429


def test_auto_acknowledgement_is_sent_once_and_never_counts_as_first_reaction(client, shop, staff):
    _close(shop, auto_ack=True)
    data = {"name": "Els de Boer", "email": "els@example.com", "subject": "Maat", "body": "Valt de jas klein?"}
    client.post(f"/contact/{shop.id}", data=data)
    ticket = db.session.scalar(sa.select(Ticket))
    due = ticket.due_at
    auto = [m for m in ticket.messages if m.kind == MessageKind.AUTO.value]
    assert len(auto) == 1 and auto[0].sla_margin is None
    out = db.session.scalar(sa.select(OutboundEmail))
    assert out.to_addr == "els@example.com" and out.message_id == auto[0].id and f"[#{ticket.id}]" in out.subject
    assert ticket.first_reply_at is None and ticket.due_at == due and ticket.waiting_since is not None
    with client.application.test_request_context():
        assert team.auto_acknowledge(ticket, shop) is None  # never twice
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 1


def test_no_auto_acknowledgement_while_open_when_off_or_for_automatic_mail(shop, make_ticket, in_request):
    ticket = make_ticket(shop, channel=Channel.EMAIL.value)
    shop.auto_ack_enabled = True
    assert team.auto_acknowledge(ticket, shop) is None  # open
    _close(shop, auto_ack=False)
    assert team.auto_acknowledge(ticket, shop) is None  # switched off
    _close(shop, auto_ack=True)
    assert team.auto_acknowledge(ticket, shop, auto_submitted=True) is None  # out-of-office, bulk: no mail loops
    phone = make_ticket(shop, channel=Channel.PHONE.value)
    assert team.auto_acknowledge(phone, shop) is None
    assert team.auto_acknowledge(ticket, shop) is not None
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "auto")) == 1


def test_the_standard_acknowledgement_names_the_reopening_date_only_when_there_is_one(shop, in_request):
    shop.name = "Demo Shop"
    shop.closed_from, shop.closed_until = datetime(2026, 7, 20, 7, 0, tzinfo=UTC), datetime(2026, 8, 3, 7, 0, tzinfo=UTC)
    assert "Demo Shop is gesloten tot maandag 3 augustus 2026, 09:00" in team.default_auto_ack_text(shop, "nl")
    assert "Demo Shop is closed until Monday 3 August 2026, 09:00" in team.default_auto_ack_text(shop, "en")
    shop.closed_until = None   # closed until further notice
    assert "Demo Shop is tijdelijk gesloten, maar uw vraag" in team.default_auto_ack_text(shop, "nl")
    assert "until ," not in team.default_auto_ack_text(shop, "en")
