"""The worker's webhook events: `sla.due_soon` and `sla.breached` once per deadline on the shop's business calendar,
`norm.weekly_warning` once per week; and every event the app queues matches the payload its reference documents."""
from __future__ import annotations

import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import sqlalchemy as sa
import time_machine

from inbox.api.openapi import document
from inbox.extensions import db
from inbox.models import SlaNotice, WebhookDelivery, WebhookEndpoint
from inbox.services import norms, sla_events, tickets as ticket_service

AMS = ZoneInfo("Europe/Amsterdam")
ALL_EVENTS = ("ticket.created message.created ticket.status_changed ticket.assigned sla.due_soon sla.breached "
              "norm.weekly_warning")


@pytest.fixture
def endpoint(shop):
    row = WebhookEndpoint(shop_id=shop.id, url="https://hooks.example/inbox", secret="whsec_x", events=ALL_EVENTS)
    db.session.add(row)
    db.session.commit()
    return row


def queued(event: str | None = None) -> list[dict]:
    query = sa.select(WebhookDelivery.payload).order_by(WebhookDelivery.id)
    if event:
        query = query.where(WebhookDelivery.event == event)
    return [json.loads(p) for p in db.session.scalars(query)]


def sla_run(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return sla_events.run(at)


def test_due_soon_at_two_business_hours_left_then_breached_each_once(app, shop, endpoint):
    # Thursday 10:00: 8 business hours later is Friday 10:00.
    with time_machine.travel(datetime(2026, 11, 19, 10, 0, tzinfo=AMS), tick=False):
        ticket = ticket_service.create_ticket(shop, subject="Kapotte lamp", body="Hij doet het niet.")
        db.session.commit()
    assert ticket.due_at == datetime(2026, 11, 20, 10, 0, tzinfo=AMS)
    assert sla_run(datetime(2026, 11, 19, 15, 59, tzinfo=AMS)) == 0              # 2 h 1 min left
    assert sla_run(datetime(2026, 11, 19, 16, 0, tzinfo=AMS)) == 1               # 1 h today, 1 h tomorrow
    assert sla_run(datetime(2026, 11, 20, 9, 30, tzinfo=AMS)) == 0               # once per deadline
    [soon] = queued("sla.due_soon")
    assert soon["data"]["ticket_id"] == ticket.id
    assert soon["data"]["sla"] == {"state": "due_soon", "due_at": "2026-11-20T09:00:00+00:00",
                                   "remaining_business_seconds": 7200, "due_soon_business_hours": 2}
    assert sla_run(datetime(2026, 11, 20, 10, 0, tzinfo=AMS)) == 0               # due now: not yet late
    assert sla_run(datetime(2026, 11, 20, 10, 1, tzinfo=AMS)) == 1
    assert sla_run(datetime(2026, 11, 20, 12, 0, tzinfo=AMS)) == 0
    [late] = queued("sla.breached")
    assert late["data"]["sla"]["state"] == "overdue" and late["data"]["sla"]["remaining_business_seconds"] == -60


def test_the_business_calendar_decides_what_is_due_soon_and_each_new_deadline_counts(app, shop, staff, endpoint):
    # Thursday 24 December 2026, 10:00: Christmas Friday and the weekend are skipped -> due Monday 28th, 10:00.
    with time_machine.travel(datetime(2026, 12, 24, 10, 0, tzinfo=AMS), tick=False):
        ticket = ticket_service.create_ticket(shop, subject="Cadeau", body="Komt het nog?")
        db.session.commit()
    assert ticket.due_at == datetime(2026, 12, 28, 10, 0, tzinfo=AMS)
    assert sla_run(datetime(2026, 12, 24, 14, 0, tzinfo=AMS)) == 0    # 4 business hours left
    assert sla_run(datetime(2026, 12, 24, 16, 0, tzinfo=AMS)) == 1    # 2 left, four days away on the wall clock
    with time_machine.travel(datetime(2026, 12, 28, 9, 30, tzinfo=AMS), tick=False):
        ticket_service.reply(ticket, shop, "Ja, morgen.", by=staff["agent"])
        ticket_service.add_customer_message(ticket, shop, "En de bon?")   # a new question: a new deadline
        db.session.commit()
    assert sla_run(datetime(2026, 12, 29, 7, 30, tzinfo=AMS)) == 1    # due 29th 9:30: one hour left
    assert [p["data"]["sla"]["due_at"] for p in queued("sla.due_soon")] == ["2026-12-28T09:00:00+00:00",
                                                                           "2026-12-29T08:30:00+00:00"]


def test_a_solved_question_and_a_shop_without_listeners_announce_nothing(app, shop, make_shop):
    other = make_shop(name="Stil")
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=AMS), tick=False):
        ticket_service.create_ticket(other, subject="Vraag", body="Hallo")
        db.session.commit()
    assert sla_events.shops_listening() == []
    assert sla_run(datetime(2026, 11, 18, 9, 0, tzinfo=AMS)) == 0
    assert db.session.scalar(sa.select(sa.func.count(SlaNotice.id))) == 0


def test_two_workers_announce_a_deadline_once(shared_db_app):
    app = shared_db_app
    from inbox.models import Shop
    shop = Shop(name="Twee", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.flush()
    db.session.add(WebhookEndpoint(shop_id=shop.id, url="https://hooks.example/x", secret="s", events="sla.breached"))
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=AMS), tick=False):
        for n in range(5):
            ticket_service.create_ticket(shop, subject=f"Vraag {n}", body="Hallo")
    db.session.commit()
    db.session.remove()
    at, barrier, counts = datetime(2026, 11, 17, 9, 30, tzinfo=AMS), threading.Barrier(2), []

    def work():
        with app.app_context(), time_machine.travel(at, tick=False):
            barrier.wait()
            counts.append(sla_events.run(at))
            db.session.remove()
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts) == 5
    assert len(queued("sla.breached")) == 5


def test_weekly_warning_once_a_week_with_the_late_questions(app, shop, endpoint):
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=AMS), tick=False):
        tickets = [ticket_service.create_ticket(shop, subject=f"Vraag {n}", body="Waar blijft het?")
                   for n in range(10)]
        db.session.commit()
    now = datetime(2026, 11, 19, 15, 0, tzinfo=AMS)
    with time_machine.travel(now, tick=False):
        norms.run_checks(now)
        norms.run_checks(now)
    [warning] = queued("norm.weekly_warning")
    data = warning["data"]
    assert (data["week"], data["late_first_reactions"], data["warning_at"]) == ("2026-W47", 10, 10)
    assert sorted(data["ticket_ids"]) == sorted(t.id for t in tickets)


def test_every_queued_event_matches_its_documented_payload(app, shop, staff, endpoint):
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=AMS), tick=False):
        tickets = [ticket_service.create_ticket(shop, subject=f"Vraag {n}", body="Hallo") for n in range(11)]
        ticket_service.assign(tickets[0], shop, staff["agent"], by=staff["owner"])
        ticket_service.reply(tickets[0], shop, "Morgen.", by=staff["agent"])
        ticket_service.change_status(tickets[0], shop, "solved", by=staff["agent"])
        db.session.commit()
    sla_run(datetime(2026, 11, 16, 16, 0, tzinfo=AMS))
    sla_run(datetime(2026, 11, 17, 10, 0, tzinfo=AMS))
    now = datetime(2026, 11, 19, 15, 0, tzinfo=AMS)
    with time_machine.travel(now, tick=False):
        norms.run_checks(now)
    doc = document()
    seen = set()
    for payload in queued():
        schema = doc["webhooks"][payload["event"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
        jsonschema.validate(payload, {**schema, "components": doc["components"]},
                            format_checker=jsonschema.FormatChecker())
        seen.add(payload["event"])
    assert seen == set(ALL_EVENTS.split())


def test_the_reference_and_the_endpoint_form_list_the_events(app, client, login_as):
    page = client.get("/api/reference").get_data(as_text=True)
    assert 'id="event-sla.breached"' in page and "#schema-NormWeeklyWarningEvent" in page
    login_as("owner")
    form = client.get("/settings/webhooks").get_data(as_text=True)
    assert 'value="sla.due_soon"' in form and "within 2 business hours" in form and 'value="norm.weekly_warning"' in form
