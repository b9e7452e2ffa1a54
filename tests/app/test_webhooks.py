"""Webhooks: a shop's own systems hear about new questions, messages, status changes and assignments as signed
JSON POSTs, queued with the change, retried until they answer, and never lost when the worker dies."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from inbox.extensions import db
from inbox.models import WebhookDelivery, WebhookEndpoint
from inbox.services import tickets as ticket_service, webhooks
from tests.webreceiver import Receiver

NOW = datetime(2026, 11, 16, 11, 0, tzinfo=timezone.utc)
SECRET = "whsec_test-secret"


@pytest.fixture
def receiver(app):
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.0/8"   # the receiver is on loopback
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def endpoint(shop, staff, receiver):
    row = WebhookEndpoint(shop_id=shop.id, url=receiver.url, secret=SECRET, created_by=staff["owner"].id,
                          events="ticket.created message.created ticket.status_changed ticket.assigned")
    db.session.add(row)
    db.session.commit()
    return row


def test_events_are_signed_and_delivered_with_an_id_to_deduplicate(app, shop, staff, endpoint, receiver,
                                                                   make_ticket):
    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(shop)
        ticket_service.reply(ticket, shop, "Uw pakket komt morgen.", by=staff["agent"])
        db.session.commit()
        assert webhooks.run_queue() == ["delivered"] * 4
    events = [json.loads(body) for _headers, body in receiver.received]
    assert [e["event"] for e in events] == ["ticket.created", "ticket.assigned", "ticket.status_changed",
                                            "message.created"]
    assert events[0]["data"]["ticket_id"] == ticket.id and events[-1]["data"]["kind"] == "reply"
    headers, body = receiver.received[0]
    assert headers["X-Inbox-Event"] == "ticket.created" and headers["X-Inbox-Event-Id"] == events[0]["id"]
    assert webhooks.verify(SECRET, headers["X-Inbox-Signature"], body, now=NOW.timestamp())
    assert not webhooks.verify("whsec_wrong", headers["X-Inbox-Signature"], body, now=NOW.timestamp())
    assert not webhooks.verify(SECRET, headers["X-Inbox-Signature"], body + b" ", now=NOW.timestamp())


def test_a_change_that_is_rolled_back_sends_nothing(app, shop, endpoint, make_ticket):
    ticket_service.create_ticket(shop, subject="Vraag", body="Hallo", customer_name="Jan")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0


def test_a_500_is_retried_with_growing_waits_then_delivered_once(app, shop, staff, endpoint, receiver, make_ticket):
    receiver.answers = [500, 503]
    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(shop)
        ticket_service.change_status(ticket, shop, "solved", by=staff["owner"])
        db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.event != "ticket.status_changed"))
        db.session.commit()
        assert webhooks.run_queue() == ["queued"]
        row = db.session.scalar(sa.select(WebhookDelivery))
        assert row.response_status == 500 and row.next_attempt_at == NOW + timedelta(minutes=1)
        assert webhooks.run_queue() == []   # not due yet
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert webhooks.run_queue() == ["queued"]
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        assert webhooks.run_queue() == ["delivered"]
    ids = {headers["X-Inbox-Event-Id"] for headers, _body in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1


def test_nothing_is_lost_when_the_worker_is_killed_mid_delivery(app, shop, endpoint, receiver, make_ticket):
    with time_machine.travel(NOW, tick=False):
        make_ticket(shop)
        row_id = db.session.scalar(sa.select(WebhookDelivery.id).where(WebhookDelivery.event == "ticket.created"))
        assert webhooks.claim(row_id)   # a worker took it ... and died before it could post or record
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        webhooks.run_queue()
        assert not any(b"ticket.created" in body for _h, body in receiver.received)  # still claimed: not stale yet
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        webhooks.run_queue()
    assert sum(b'"ticket.created"' in body for _h, body in receiver.received) == 1
    assert db.session.get(WebhookDelivery, row_id, populate_existing=True).state == "delivered"


def test_private_and_loopback_addresses_are_refused_unless_allowed(app):
    app.config["ALLOW_PRIVATE_HOSTS"] = ""   # production: the suite allows loopback for its own servers
    for url in ("http://127.0.0.1:8000/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/x",
                "ftp://example.com/x"):
        with pytest.raises(webhooks.UnsafeUrl):
            webhooks.check_url(url)
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.0/8"
    webhooks.check_url("http://127.0.0.1:8000/x")


def test_owner_registers_a_webhook_reads_its_log_and_sends_again(app, client, shop, staff, login_as, receiver,
                                                                 make_ticket):
    login_as("owner")
    page = client.post("/settings/webhooks", data={"url": receiver.url, "events": ["ticket.created"]})
    assert page.status_code == 200 and "shown only once" in page.get_data(as_text=True)
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.event_list == ["ticket.created"]
    make_ticket(shop)
    webhooks.run_queue()
    row = db.session.scalar(sa.select(WebhookDelivery))
    log = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "ticket.created" in log and "Delivered" in log and "200" in log
    assert client.post(f"/settings/webhooks/deliveries/{row.id}/resend").status_code == 303
    webhooks.run_queue()
    assert len(receiver.received) == 2 and receiver.received[0][0]["X-Inbox-Event-Id"] == \
        receiver.received[1][0]["X-Inbox-Event-Id"]
    app.config["ALLOW_PRIVATE_HOSTS"] = ""
    refused = client.post("/settings/webhooks", data={"url": "http://127.0.0.1/x", "events": ["ticket.created"]})
    assert refused.status_code == 422 and "private or local network" in refused.get_data(as_text=True)
    client.post("/logout")
    login_as("manager")
    assert client.get("/settings/webhooks").status_code == 403


def test_a_secret_that_cannot_be_read_fails_the_delivery_with_a_reason(app, shop, endpoint, make_ticket):
    make_ticket(shop)
    db.session.execute(sa.update(WebhookEndpoint).values(secret="sealed-with-an-older-key"))
    db.session.commit()
    app.config["SECRET_KEY"] = "a-new-key"   # the sealed secret no longer opens
    assert webhooks.run_queue() == ["failed"]
    row = db.session.scalar(sa.select(WebhookDelivery).execution_options(populate_existing=True))
    assert "INBOX_SECRET_KEY" in row.last_error



def test_a_transaction_reads_the_endpoints_once_and_sees_one_added_or_removed_in_it(app, shop, staff, endpoint,
                                                                                   make_ticket, count_queries):
    ticket = make_ticket(shop)

    def endpoint_reads(statements):
        return [s for s in statements if s.startswith("SELECT") and "FROM webhook_endpoint" in s]
    with count_queries() as statements:
        ticket_service.reply(ticket, shop, "Uw pakket komt morgen.", by=staff["agent"])   # three events
        added = webhooks.add_endpoint(shop.id, "https://example.com/hook", ["message.created"], by=staff["owner"])
        ticket_service.add_note(ticket, shop, "Even nakijken.", by=staff["agent"])
        ticket_service.add_note(ticket, shop, "Nagekeken.", by=staff["agent"])
        webhooks.remove_endpoint(added, by=staff["owner"])
        ticket_service.add_note(ticket, shop, "Klaar.", by=staff["agent"])
        db.session.commit()
    assert len(endpoint_reads(statements)) == 3   # the first event, after the addition, after the removal
    per_endpoint = dict(db.session.execute(sa.select(WebhookDelivery.event, sa.func.count())
                                           .where(WebhookDelivery.endpoint_id == endpoint.id)
                                           .group_by(WebhookDelivery.event)).all())
    assert per_endpoint == {"ticket.created": 1, "ticket.assigned": 1, "ticket.status_changed": 1,
                            "message.created": 4}
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 7   # none left for the removed one

    with count_queries() as statements:   # the next transaction reads them again
        ticket_service.add_note(ticket, shop, "Nog een.", by=staff["agent"])
        db.session.rollback()
        ticket_service.add_note(ticket, shop, "Nog een.", by=staff["agent"])
    assert len(endpoint_reads(statements)) == 2
    db.session.rollback()


def test_an_endpoint_switched_off_in_the_transaction_gets_nothing_more(app, shop, staff, endpoint, make_ticket):
    ticket = make_ticket(shop)
    ticket_service.add_note(ticket, shop, "Even nakijken.", by=staff["agent"])
    endpoint.active = False
    ticket_service.add_note(ticket, shop, "Nagekeken.", by=staff["agent"])
    db.session.flush()
    ticket_service.add_note(ticket, shop, "Klaar.", by=staff["agent"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))
                             .where(WebhookDelivery.event == "message.created")) == 1
