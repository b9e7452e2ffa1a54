"""Webhooks: queue an event for the shop's endpoints in the same transaction as the change, and deliver the queue
as signed JSON POSTs with retries, at least once.

Signature: header `X-Inbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's
secret>`; `X-Inbox-Event` names the event and `X-Inbox-Event-Id` is the same on every retry of one event.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from inbox import clock, netguard
from inbox.extensions import db
from inbox.i18n import lazy_gettext as _l
from inbox.models import User, WebhookDelivery, WebhookEndpoint
from inbox.services import audit

log = logging.getLogger(__name__)

EVENTS = ("ticket.created", "message.created", "ticket.status_changed", "ticket.assigned",
          # queued by the worker's jobs: services/sla_events.py and services/norms.check_response
          "sla.due_soon", "sla.breached", "norm.weekly_warning")
MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=5)
TIMEOUT = 10


class UnsafeUrl(ValueError):
    """A URL the server will not post to; `reason` is a key of REASONS (the worker, with no request and so no
    language, logs the key; the page shows the text)."""

    def __init__(self, reason: str):
        super().__init__(f"refused address: {reason}")
        self.reason = reason


REASONS = {
    "scheme": _l("Use an http:// or https:// address."),
    "unknown": _l("This host name cannot be found."),
    "private": _l("This address is on a private or local network; webhooks go to public addresses."),
}


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (the reference shows the same in a few lines): recompute and compare."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


# --------------------------------------------------------------------------- where we may post

def check_url(url: str) -> None:
    """Refuse what is not http(s), and hosts on loopback, link-local or private networks (unless the operator
    allows them with INBOX_ALLOW_PRIVATE_HOSTS, see inbox.netguard): a webhook must not become a way into our own
    network.

    :raise UnsafeUrl: with the reason.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise UnsafeUrl("scheme") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("scheme")
    try:
        addresses = netguard.check_host(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except netguard.RefusedHost:
        raise UnsafeUrl("private") from None
    if not addresses:
        raise UnsafeUrl("unknown")


# --------------------------------------------------------------------------- the owner's endpoints

def add_endpoint(shop_id: int, url: str, events: list[str], *, by: User) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (shown to the owner once), recorded in the audit log."""
    endpoint = WebhookEndpoint(shop_id=shop_id, url=url.strip(), events=" ".join(events), secret=new_secret(),
                               created_by=by.id)
    db.session.add(endpoint)
    audit.record(shop_id, "webhook.create", actor=by, new=endpoint.url)
    return endpoint


def shop_endpoints(shop_id: int) -> list[WebhookEndpoint]:
    """All of the shop's endpoints, the oldest first."""
    return list(db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.shop_id == shop_id)
                                   .order_by(WebhookEndpoint.id)))


def latest_deliveries(endpoint: WebhookEndpoint, limit: int = 50) -> list[WebhookDelivery]:
    """The endpoint's delivery log, the newest first."""
    return list(db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


def remove_endpoint(endpoint: WebhookEndpoint, *, by: User) -> None:
    """The endpoint and its delivery log go; nothing more is sent to it."""
    audit.record(endpoint.shop_id, "webhook.delete", actor=by, old=endpoint.url)
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)


# --------------------------------------------------------------------------- queueing

# The shop's active endpoints are read once per transaction, not on every change of it (a reply emits up to
# four events; a bulk action four per ticket): kept in the session's info as (id, events) until the transaction
# ends or an endpoint is added, changed or removed in it (init_app's listeners and _endpoints_changing).
_KEPT = "webhook_endpoints"


def _endpoints(shop_id: int) -> list[tuple[int, list[str]]]:
    """(id, event names) of the shop's active endpoints: a shop without endpoints (most) costs one small indexed
    query per transaction."""
    session = db.session()
    kept = session.info.get(_KEPT, {})
    if shop_id in kept and not _endpoints_changing(session):
        return kept[shop_id]
    rows = [(id_, events.split()) for id_, events in session.execute(   # (its autoflush may forget the kept)
        sa.select(WebhookEndpoint.id, WebhookEndpoint.events)
        .where(WebhookEndpoint.shop_id == shop_id, WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id))]
    session.info.setdefault(_KEPT, {})[shop_id] = rows
    return rows


def _endpoints_changing(session) -> bool:
    """Whether the session holds an endpoint not yet flushed: new, changed or deleted."""
    return any(isinstance(row, WebhookEndpoint) for rows in (session.new, session.dirty, session.deleted)
               for row in rows)


def _forget(session, *_args) -> None:
    session.info.pop(_KEPT, None)


def _forget_on_flush(session, *_args) -> None:
    if _endpoints_changing(session):
        _forget(session)


def _forget_on_statement(state) -> None:
    # An UPDATE or DELETE of endpoints as a statement (no ORM rows in the session to see).
    if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is WebhookEndpoint.__table__:
        _forget(state.session)


def init_app(_app) -> None:
    """The kept endpoints are forgotten at the end of each transaction and when endpoints change in it (once per
    process: one db.session)."""
    for name, fn in (("after_transaction_end", _forget), ("before_flush", _forget_on_flush),
                     ("do_orm_execute", _forget_on_statement)):
        if not sa.event.contains(db.session, name, fn):
            sa.event.listen(db.session, name, fn)


def wanted(shop_id: int, event: str) -> bool:
    """Whether some active endpoint of the shop wants `event`."""
    return any(event in events for _id, events in _endpoints(shop_id))


def emit(shop_id: int, event: str, data) -> int:
    """Queue `event` for each of the shop's endpoints that wants it, in the current transaction. `data`: a dict,
    or a function making one (called only when some endpoint wants the event).

    :return: the number of deliveries queued.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    wanted = [id_ for id_, events in _endpoints(shop_id) if event in events]
    if not wanted:
        return 0
    data = data() if callable(data) else data
    event_id = str(uuid.uuid4())
    body = json.dumps({"id": event_id, "event": event, "created_at": clock.now().isoformat(), "shop_id": shop_id,
                       "data": data}, default=str, separators=(",", ":"))
    for endpoint_id in wanted:
        db.session.add(WebhookDelivery(shop_id=shop_id, endpoint_id=endpoint_id, event_id=event_id, event=event,
                                       payload=body, state="queued", next_attempt_at=clock.now()))
    return len(wanted)


def ticket_data(ticket) -> dict:
    return {"ticket_id": ticket.id, "subject": ticket.subject, "status": ticket.status, "channel": ticket.channel,
            "assignee_id": ticket.assignee_id, "customer_email": ticket.customer_email,
            "due_at": ticket.due_at.isoformat() if ticket.due_at else None}


# --------------------------------------------------------------------------- delivering

def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failed attempt, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def claim_timeout() -> timedelta:
    """How long a claimed delivery may stay "sending" before another worker takes it again (WEBHOOK_CLAIM_TIMEOUT
    seconds): longer than any one POST may take."""
    seconds = current_app.config.get("WEBHOOK_CLAIM_TIMEOUT")
    return timedelta(seconds=seconds) if seconds else STALE_CLAIM


def release_stale_claims(now: datetime | None = None) -> int:
    """Deliveries a worker took and never finished (it was killed mid-request) go back to the queue: the receiver
    may get the event twice, and deduplicates it by its id."""
    now = now or clock.now()
    result = db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.state == "sending",
                                         WebhookDelivery.claimed_at < now - claim_timeout())
        .values(state="queued", next_attempt_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def _due(now: datetime):
    return (sa.select(WebhookDelivery.id)
            .where(WebhookDelivery.state == "queued", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id))


def due_ids(limit: int = 100) -> list[int]:
    return list(db.session.scalars(_due(clock.now()).limit(limit)))


def claim_next() -> int | None:
    """Claim the next due delivery. `FOR UPDATE SKIP LOCKED`: on PostgreSQL a second worker passes over the row the
    first is claiming and takes the next, so workers share the queue without waiting on each other; the
    conditional UPDATE in `claim` keeps it once-only on SQLite, which ignores FOR UPDATE."""
    for _race in range(3):
        row_id = db.session.scalar(_due(clock.now()).limit(1).with_for_update(skip_locked=True))
        if row_id is None:
            db.session.commit()
            return None
        if claim(row_id):
            return row_id
    return None


def claim(row_id: int) -> bool:
    """One UPDATE ... WHERE state='queued': of several workers, one gets the row."""
    result = db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.id == row_id, WebhookDelivery.state == "queued")
        .values(state="sending", claimed_at=clock.now(), attempts=WebhookDelivery.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def post(url: str, body: bytes, headers: dict) -> int:
    """POST and answer the status; raise OSError for no answer. Redirects are not followed (a 3xx fails)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def deliver(row_id: int) -> str:
    """Deliver one queued row if this worker gets it: delivered, queued (will retry), failed, or skipped."""
    if not claim(row_id):
        return "skipped"
    return _deliver_claimed(row_id)


def _deliver_claimed(row_id: int) -> str:
    row = db.session.get(WebhookDelivery, row_id, populate_existing=True)
    endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
    body = row.payload.encode()
    started = time.perf_counter()
    status, error = None, None
    if endpoint is None or not endpoint.secret:
        # The secret is sealed with INBOX_SECRET_KEY: after a key change it cannot be read, and no retry helps.
        return _record(row, {"response_status": None, "duration_ms": 0, "state": "failed", "last_error":
                             "the endpoint's signing secret cannot be read (was INBOX_SECRET_KEY changed?); "
                             "add the endpoint again"})
    stamp = int(clock.now().timestamp())
    headers = {"Content-Type": "application/json", "User-Agent": "SellerInbox-Webhooks/1",
               "X-Inbox-Event": row.event, "X-Inbox-Event-Id": row.event_id,
               "X-Inbox-Signature": sign(endpoint.secret, stamp, body)}
    try:
        check_url(endpoint.url)  # again at delivery: a name may point elsewhere now
        status = post(endpoint.url, body, headers)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except UnsafeUrl as e:
        error = str(e)
    except (OSError, ValueError) as e:
        error = f"no answer: {e}"[:500]
    values = {"response_status": status, "last_error": error,
              "duration_ms": int((time.perf_counter() - started) * 1000)}
    if error is None:
        values.update(state="delivered", delivered_at=clock.now())
    elif row.attempts >= MAX_ATTEMPTS:
        values.update(state="failed")
    else:
        values.update(state="queued", next_attempt_at=clock.now() + backoff(row.attempts))
    return _record(row, values)


def _record(row: WebhookDelivery, values: dict) -> str:
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == row.id,
                                                        WebhookDelivery.state == "sending")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return values["state"]


def run_queue(limit: int = 100, stop=None) -> list[str]:
    """Deliver up to `limit` due rows. `stop`: a function saying the worker was asked to stop; asked between rows,
    so the delivery in progress is finished and recorded first."""
    release_stale_claims()
    results = []
    while len(results) < limit and not (stop and stop()):
        row_id = claim_next()
        if row_id is None:
            break
        results.append(_deliver_claimed(row_id))
    return results


def send_again(row: WebhookDelivery) -> None:
    """The owner's "send again": the same event (same id) goes out once more, now."""
    row.state, row.next_attempt_at, row.claimed_at = "queued", clock.now(), None
