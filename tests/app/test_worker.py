"""`flask --app inbox worker`: one process runs every background job; killed mid-delivery it loses nothing, asked to
stop it finishes the delivery in progress, and two workers never deliver one row twice."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from inbox import ROOT, create_app
from inbox.extensions import db
from inbox.models import OutboundEmail, Shop, Ticket, WebhookDelivery, WebhookEndpoint
from inbox.services import locks, outbox, tickets as ticket_service, webhooks
from tests.webreceiver import Receiver

SECRET = "whsec_worker-test"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def queue_events(shop_id: int, url: str, n: int) -> None:
    """n ticket.created events for one endpoint, committed."""
    db.session.add(WebhookEndpoint(shop_id=shop_id, url=url, secret=SECRET, events="ticket.created"))
    db.session.flush()
    for i in range(n):
        ticket_service.create_ticket(db.session.get(Shop, shop_id), subject=f"Vraag {i}", body="Hallo",
                                     customer_name="Jan")
    db.session.commit()


def make_shop() -> int:
    shop = Shop(name="Worker Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.commit()
    return shop.id


def start_worker(app, *args: str) -> subprocess.Popen:
    env = {**os.environ, "INBOX_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "INBOX_SECRET_KEY": "test-only-not-secret", "INBOX_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
           "INBOX_WEBHOOK_CLAIM_TIMEOUT": "1", "INBOX_WORKER_INTERVALS": "webhooks=0.2",
           "INBOX_MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"]}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "inbox", "worker", "--only", "webhooks", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def states(app) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(WebhookDelivery.state).order_by(WebhookDelivery.id)))
        db.session.remove()
    return found


def test_killed_mid_delivery_nothing_is_lost_and_sigterm_finishes_the_delivery_first(shared_db_app, receiver):
    app = shared_db_app
    queue_events(make_shop(), receiver.url, 3)
    db.session.remove()
    receiver.hold_requests()   # every POST hangs until the test lets it go: the worker is mid-delivery
    worker = start_worker(app)
    try:
        assert receiver.arrived.wait(30), "the worker posted nothing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker.stdout.close()
        assert states(app) == ["sending", "queued", "queued"]   # claimed, never recorded
        receiver.arrived.clear()
        time.sleep(1.2)   # past INBOX_WEBHOOK_CLAIM_TIMEOUT: sooner, the restarted worker would rightly take the next row
        worker = start_worker(app)   # takes the stale claim again
        assert receiver.arrived.wait(30), "the restarted worker posted nothing"
        worker.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert worker.poll() is None   # still in the middle of its delivery
        receiver.hold.set()
        assert worker.wait(20) == 0
        output = worker.stdout.read()
    finally:
        worker.kill()
        worker.stdout.close()
    assert "SIGTERM, stopping after the current job" in output
    assert sorted(states(app)) == ["delivered", "queued", "queued"]   # finished the one it had, left the rest
    with app.app_context():
        assert webhooks.run_queue() == ["delivered"] * 2   # the next worker
    ids = receiver.event_ids()
    assert len(ids) == 4 and len(set(ids)) == 3   # at least once: the interrupted event came twice, same id


def test_two_workers_never_deliver_one_row_twice(shared_db_app):
    app = shared_db_app
    receiver = Receiver(delay=0.005)
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.0/8"
    try:
        queue_events(make_shop(), receiver.url, 20)
        db.session.remove()
        barrier, done = threading.Barrier(2), []

        def work():
            with app.app_context():
                barrier.wait()
                done.extend(webhooks.run_queue())
                db.session.remove()
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        receiver.close()
    ids = receiver.event_ids()
    assert len(ids) == 20 and len(set(ids)) == 20
    assert done.count("delivered") == 20 and states(app) == ["delivered"] * 20


def test_once_runs_every_job_one_time(app, shop, staff, make_ticket, receiver):
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.0/8"
    db.session.add(WebhookEndpoint(shop_id=shop.id, url=receiver.url, secret=SECRET, events="ticket.created"))
    agent, owner = staff["agent"], staff["owner"]
    ticket = make_ticket(shop)
    ticket_service.assign(ticket, shop, agent, by=owner)
    message = ticket_service.reply(ticket, shop, "Uw pakket komt morgen.", by=agent)
    ticket.status = "open"
    db.session.flush()
    outbox.enqueue_reply(ticket, message, shop)
    now = datetime.now(timezone.utc)
    agent.away_from, agent.away_until, agent.delegate = now - timedelta(hours=1), now + timedelta(days=1), owner
    db.session.commit()
    ticket_id, owner_id = ticket.id, owner.id
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(WebhookDelivery.state)) == "delivered"
    assert db.session.scalar(sa.select(OutboundEmail.state)) == "local"          # the outbox: no SMTP -> folder
    assert db.session.get(Ticket, ticket_id).assignee_id == owner_id   # the away sweep


def test_sqlite_allows_one_worker(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/one.sqlite"})
    with app.app_context():
        with locks.one_worker_on_sqlite():   # a worker is running
            result = app.test_cli_runner().invoke(args=["worker", "--once", "--only", "away"])
        db.engine.dispose()
    assert result.exit_code == 1 and "another worker is running" in result.output


def reply_on_page(client, ticket_id: int, body: str) -> None:
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    form = dict(re.findall(r'name="(token|seen_message_id)" (?:type="hidden" )?value="([^"]*)"', page))
    response = client.post(f"/tickets/{ticket_id}/reply", data={"body": body, "kind": "reply", "status": "pending",
                                                                 **form})
    assert response.status_code in (200, 204, 303)


def test_replies_go_out_inline_on_one_thread_or_wait_for_the_worker(app, shop, staff, make_ticket, login_as, client):
    app.config["SEND_ON_REPLY"] = True
    login_as("agent")
    ticket = make_ticket(shop)
    app.config["OUTBOX_SENDER"] = "worker"
    reply_on_page(client, ticket.id, "Goedemorgen Ingrid, uw pakket komt morgen.")
    outbox.wait_background()
    assert db.session.scalar(sa.select(OutboundEmail.state)) == "queued"   # left for the worker
    app.config["OUTBOX_SENDER"] = "inline"
    for n in range(3):
        reply_on_page(client, ticket.id, f"Goedemorgen Ingrid, aanvulling {n}.")
        outbox.wait_background()   # the in-memory test database has one connection: no overlap
    assert sorted(db.session.scalars(sa.select(OutboundEmail.state).execution_options(populate_existing=True))) == \
        ["local", "local", "local", "queued"]
    assert [t.name for t in threading.enumerate()].count("outbox-inline") == 1   # not one thread per reply
    with pytest.raises(ValueError, match="OUTBOX_SENDER"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "OUTBOX_SENDER": "cron"})


def test_a_job_another_worker_is_running_is_skipped_not_waited_for(shared_db_app):
    if shared_db_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one worker (test_sqlite_allows_one_worker)")
    with locks.singleton("norms") as first:
        with locks.singleton("norms") as second, locks.singleton("imap", 7) as other:
            assert (first, second, other) == (True, False, True)
    with locks.singleton("norms") as again:   # released with the first one's transaction
        assert again
