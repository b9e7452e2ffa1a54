"""Delivering the outbox: queued replies leave over SMTP (or into the local folder), each at most once.

A worker picks the next due row with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL: a second worker skips the
row the first is taking and takes the next one, instead of waiting for it) and claims it by moving it from "queued"
to "sending" in one conditional UPDATE that must change exactly one row (SQLite, which ignores FOR UPDATE, relies on
that alone), so two workers never send the same reply.

Who sends: `OUTBOX_SENDER` (INBOX_OUTBOX_SENDER). "inline" (the default, for development and small sites without a
worker): the web process delivers a reply right after the response that saved it, on one sender thread per process.
"worker" (production): the web process only queues; `flask --app inbox worker` (or `mail send --loop`) delivers
within seconds.

States: queued -> sending -> sent | local (written to the folder, not sent) | failed (permanent, or out of
attempts); "queued" again after a temporary failure, with exponential backoff; "bounced" when a delivery
failure notice came back later (set by intake).
"""
from __future__ import annotations

import logging
import os
import queue
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from inbox import clock, mailparse, netguard
from inbox.extensions import db
from inbox.i18n import lazy_gettext as _l
from inbox.models import Message, OutboundEmail, Shop, Ticket
from inbox.services import audit, customer_links, mail as mail_transport, mailconfig, satisfaction, uploads
from inbox.workflow import MessageKind

log = logging.getLogger(__name__)

STATE_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "local": _l("Written to the local folder, not sent"),
    "failed": _l("Not delivered"),
    "bounced": _l("Bounced"),
}
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600


def max_attempts() -> int:
    return int(current_app.config.get("MAIL_SEND_MAX_ATTEMPTS") or 6)


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failed attempt, at most 6 hours."""
    base = int(current_app.config.get("MAIL_SEND_BACKOFF_SECONDS") or BACKOFF_BASE_SECONDS)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class SendResult:
    row_id: int
    state: str  # sent | local | queued (will retry) | failed | skipped (another worker has it)
    error: str | None = None


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def due_ids(limit: int = 100, now: datetime | None = None) -> list[int]:
    return list(db.session.scalars(_due(now or clock.now()).limit(limit)))


def claim_next(worker: str, now: datetime | None = None) -> int | None:
    """Claim the next due row for this worker, skipping rows another worker is claiming; None when none is due."""
    for _race in range(3):   # SQLite only: the web process's sender may take the row between SELECT and UPDATE
        row_id = db.session.scalar(_due(now or clock.now()).limit(1).with_for_update(skip_locked=True))
        if row_id is None:
            db.session.commit()   # ends the transaction of the SELECT
            return None
        if claim(row_id, worker):
            return row_id
    return None


def _due(now: datetime):
    return (sa.select(OutboundEmail.id)
            .where(OutboundEmail.state == "queued",
                   sa.or_(OutboundEmail.next_attempt_at.is_(None), OutboundEmail.next_attempt_at <= now))
            .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id))


def claim(row_id: int, worker: str) -> bool:
    """Take the row for this worker: one UPDATE ... WHERE state='queued'; True only if it changed one row."""
    now = clock.now()
    result = db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.id == row_id, OutboundEmail.state == "queued")
        .values(state="sending", claimed_by=worker, claimed_at=now, attempts=OutboundEmail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


STALE_CLAIM = timedelta(minutes=15)


def release_stale_claims(now: datetime | None = None) -> int:
    """Rows a worker claimed and never finished (it crashed mid-send). Whether the server got the mail is
    unknown, so sending again could send it twice: mark them failed and let the agent decide (Retry)."""
    now = now or clock.now()
    result = db.session.execute(
        sa.update(OutboundEmail)
        .where(OutboundEmail.state == "sending", OutboundEmail.claimed_at < now - STALE_CLAIM)
        .values(state="failed", last_error="The sending worker stopped during delivery; the mail may or may not "
                                           "have arrived. Retry to send it (again).")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def run_queue(limit: int = 100, worker: str | None = None, stop=None) -> list[SendResult]:
    """Deliver what is due now, one row at a time, each committed on its own. `stop`: a function saying the worker
    was asked to stop; it is asked between rows, so a reply being sent is finished first."""
    worker = worker or worker_name()
    release_stale_claims()
    results = []
    while len(results) < limit and not (stop and stop()):
        row_id = claim_next(worker)
        if row_id is None:
            break
        results.append(_send_claimed(row_id))
    return results


def send_one(row_id: int, worker: str | None = None) -> SendResult:
    """Deliver this row if it is still queued and no other worker takes it first."""
    if not claim(row_id, worker or worker_name()):
        return SendResult(row_id, "skipped")
    return _send_claimed(row_id)


def _send_claimed(row_id: int) -> SendResult:
    row = db.session.get(OutboundEmail, row_id, populate_existing=True)
    shop = db.session.get(Shop, row.shop_id)
    try:
        message = build(row, shop)
        db.session.commit()  # the Message-ID is stored before sending: the customer's answer threads back
        how = transport(shop, message)
    except PermanentFailure as e:
        return _finish(row, "failed", str(e))
    except TemporaryFailure as e:
        if row.attempts >= max_attempts():
            return _finish(row, "failed", f"{e} (gave up after {row.attempts} attempts)")
        return _finish(row, "queued", str(e), next_at=clock.now() + backoff(row.attempts))
    except ValueError as e:  # an address or header build_reply refuses: trying again will not help
        return _finish(row, "failed", f"cannot build the mail: {e}")
    return _finish(row, how)


def _finish(row: OutboundEmail, state: str, error: str | None = None, next_at: datetime | None = None) -> SendResult:
    values = {"state": state, "last_error": (error or None) and error[:2000]}
    if state in ("sent", "local"):
        values["sent_at"] = clock.now()
    if next_at is not None:
        values["next_attempt_at"] = next_at
    db.session.execute(sa.update(OutboundEmail).where(OutboundEmail.id == row.id, OutboundEmail.state == "sending")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    if state == "failed":
        log.warning("outbound mail %s failed: %s", row.id, error)
    return SendResult(row.id, state, error)


# -- building the mail ----------------------------------------------------------------------------------------

def _bare(message_id: str | None) -> str | None:
    return message_id.strip().strip("<>").strip() if message_id else None


def build(row: OutboundEmail, shop: Shop):
    """The mail for a row: threading headers from the ticket's thread, the tag [#id], from the shop's address."""
    from_addr = mailconfig.from_address(shop)
    if not row.email_message_id:
        domain = from_addr.rpartition("@")[2] or mailconfig.mail_domain()
        row.email_message_id = _bare(mailparse.make_message_id(domain))
    reply = db.session.get(Message, row.message_id) if row.message_id else None
    if reply is not None and not reply.email_message_id:
        reply.email_message_id = row.email_message_id
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is None:
        subject, body = row.subject, row.body
        if row.footer == "links":   # the customer asked for fresh links: made now, never stored in full
            subject, body = customer_links.fresh_links_mail(shop, row.to_addr)
        message = mail_transport.system_message(to=row.to_addr, subject=subject, body=body, from_addr=from_addr)
        message.replace_header("Message-ID", f"<{row.email_message_id}>")
        return message
    body = row.body
    if ticket.customer_email and row.to_addr.lower() == ticket.customer_email:
        # A new private link to the question's page; with "How did we do?" when the row asks for a rating.
        body += customer_links.question_footer(ticket, rating=row.footer == "rating")
    parent, chain = thread_ids(ticket, before=reply)
    message = mailparse.build_reply(
        from_addr=from_addr, from_name=shop.name, to_addr=row.to_addr, to_name=ticket.customer_name or None,
        subject=row.subject or ticket.subject, body_text=body, message_id=row.email_message_id,
        in_reply_to=parent, references=chain, ticket_id=ticket.id, date=clock.now(),
        # The vacation acknowledgement says it is automatic, so the customer's autoresponder stays quiet.
        auto_submitted="auto-replied" if reply is not None and reply.kind == MessageKind.AUTO.value else None)
    if reply is not None:
        attach_files(message, uploads.message_files(reply.id, row.shop_id))
    return message


def attach_files(message, files) -> None:
    """The reply's files as MIME parts with their own names (RFC 2231 for names beyond ASCII, in both the
    Content-Disposition filename and the Content-Type name older clients read) and their bytes unchanged."""
    for f in files:
        maintype, _, subtype = f.content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.filename,
                               params={"name": f.filename})


def thread_ids(ticket: Ticket, before: Message | None = None) -> tuple[str | None, list[str]]:
    """(In-Reply-To, References) for a reply: the last customer mail, and every mail id of the thread so far."""
    query = (sa.select(Message.kind, Message.email_message_id)
             .where(Message.ticket_id == ticket.id, Message.email_message_id.is_not(None),
                    Message.kind.in_([MessageKind.CUSTOMER.value, MessageKind.REPLY.value]))
             .order_by(Message.created_at, Message.id))
    if before is not None and before.id is not None:
        query = query.where(Message.id != before.id, Message.created_at <= before.created_at)
    parent, chain = None, []
    for kind, mid in db.session.execute(query):
        mid = _bare(mid)
        if not mid or mid.endswith("@missing"):
            continue  # a hash we made up for a mail without Message-ID: nobody else knows it
        chain.append(mid)
        if kind == MessageKind.CUSTOMER.value:
            parent = mid
    return parent, chain


# -- transport --------------------------------------------------------------------------------------------------

def transport(shop: Shop, message) -> str:
    """Send over the shop's (or the app's) SMTP server; without one, write to the local folder."""
    server = mailconfig.smtp_server(shop)
    if server is None:
        try:
            return mail_transport.deliver(message)  # no SMTP_HOST: the local folder
        except OSError as e:
            raise TemporaryFailure(f"cannot write to the local folder: {e}") from e
    try:
        with connect(server) as smtp:
            smtp.send_message(message)
    except netguard.RefusedHost as e:
        raise PermanentFailure(str(e)) from e
    except smtplib.SMTPRecipientsRefused as e:
        answers = [f"{code} {_text(msg)}" for code, msg in e.recipients.values()]
        if all(code >= 500 for code, _ in e.recipients.values()):
            raise PermanentFailure("; ".join(answers)) from e
        raise TemporaryFailure("; ".join(answers)) from e
    except smtplib.SMTPResponseException as e:
        answer = f"{e.smtp_code} {_text(e.smtp_error)}"
        if 500 <= e.smtp_code < 600 and not isinstance(e, smtplib.SMTPAuthenticationError):
            raise PermanentFailure(answer) from e
        if isinstance(e, smtplib.SMTPAuthenticationError):
            raise PermanentFailure(f"login refused: {answer}") from e
        raise TemporaryFailure(answer) from e
    except (smtplib.SMTPException, OSError) as e:  # connection refused, timeouts, TLS trouble, disconnects
        raise TemporaryFailure(f"{e.__class__.__name__}: {e}") from e
    return "sent"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def connect(server: mailconfig.SmtpServer, timeout: float = 30) -> smtplib.SMTP:
    """An SMTP connection, TLS and login done, ready to send.

    :raise netguard.RefusedHost: for a shop's own server on a private address (the operator's is trusted)."""
    if server.origin == "shop":
        netguard.check_host(server.host, server.port)
    context = ssl.create_default_context()
    if server.security == "ssl":
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        smtp.ehlo()
        if server.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def check_smtp(server: mailconfig.SmtpServer) -> str:
    """Connect, log in, say goodbye. :raise: the error, for the settings page to show."""
    with connect(server, timeout=10) as smtp:
        code, _msg = smtp.noop()
    return f"{code}"


# -- actions from the thread -------------------------------------------------------------------------------------

def retry(row: OutboundEmail, *, by) -> bool:
    """Queue a failed or bounced reply again (the agent fixed the address, or the server is back)."""
    if row.state not in ("failed", "bounced"):
        return False  # queued or sent already: a second click must not queue it twice
    old = row.state
    row.state, row.attempts, row.next_attempt_at, row.claimed_by = "queued", 0, clock.now(), None
    audit.record(row.shop_id, "mail.retry", actor=by, ticket=db.session.get(Ticket, row.ticket_id) if row.ticket_id else None,
                 field="delivery", old=old, new="queued")
    return True


def for_messages(shop_id: int, message_ids) -> dict[int, OutboundEmail]:
    ids = [i for i in message_ids if i]
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.shop_id == shop_id,
                                                             OutboundEmail.message_id.in_(ids)))
    return {row.message_id: row for row in rows}


def enqueue_reply(ticket: Ticket, reply: Message, shop: Shop) -> OutboundEmail | None:
    """Queue a public reply for delivery (once per message: the idempotency key is the message)."""
    if not ticket.customer_email:
        return None
    row = OutboundEmail(shop_id=shop.id, ticket_id=ticket.id, message_id=reply.id,
                        footer=satisfaction.footer_for_reply(ticket, shop),
                        idempotency_key=f"reply-{reply.id}", to_addr=ticket.customer_email,
                        subject=ticket.subject, body=reply.body, state="queued", next_attempt_at=clock.now())
    db.session.add(row)
    return row


# -- send right after a reply: OUTBOX_SENDER = "inline" ----------------------------------------------------------

SENDERS = ("inline", "worker")
INLINE_QUEUE_SIZE = 1000   # rows waiting for the sender thread; beyond it they wait for a worker or `mail send`


def sender(app) -> str:
    """Who delivers the outbox: "inline" (this web process, right after the response) or "worker"."""
    return (app.config.get("OUTBOX_SENDER") or "inline").strip().lower()


def init_app(app) -> None:
    """Notice outbox rows committed during a request, and (inline) deliver them after the response."""
    if sender(app) not in SENDERS:
        raise ValueError(f"OUTBOX_SENDER must be one of {', '.join(SENDERS)}, not {app.config['OUTBOX_SENDER']!r}")
    for name, fn in (("after_flush", _after_flush), ("after_commit", _after_commit),
                     ("after_soft_rollback", _after_soft_rollback)):
        if not sa.event.contains(db.session, name, fn):   # once per process: there is one db.session
            sa.event.listen(db.session, name, fn)

    @app.after_request
    def deliver_new_rows(response):
        ids = g.pop("outbox_committed", None)
        if ids and _send_inline(app):
            _inline.submit(app, sorted(ids))
        return response


def _after_flush(session, _context) -> None:
    for obj in session.new:
        if isinstance(obj, OutboundEmail) and obj.id is not None:
            session.info.setdefault("outbox_new", set()).add(obj.id)


def _after_soft_rollback(session, _previous) -> None:
    session.info.pop("outbox_new", None)


def _after_commit(session) -> None:
    ids = session.info.pop("outbox_new", None)
    if ids and has_app_context():
        g.outbox_committed = getattr(g, "outbox_committed", set()) | ids


def _send_inline(app) -> bool:
    if sender(app) == "worker":
        return False
    setting = app.config.get("SEND_ON_REPLY")
    if app.testing and setting is None:
        return False  # tests opt in: a background sender would share their in-memory database
    return setting is None or bool(setting)


class InlineSender:
    """One daemon thread per web process delivers, in order, the rows its requests committed. It holds row ids
    only, at most INLINE_QUEUE_SIZE of them: what it cannot take, or has not sent when the process ends, stays
    queued in the database for the worker (or `mail send`), so nothing is lost and nothing grows without bound."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue(INLINE_QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def submit(self, app, ids: list[int]) -> None:
        with self._lock:
            if self._pid != os.getpid():   # a forked web worker: the parent's thread and queue are not ours
                self._queue, self._thread, self._pid = queue.Queue(INLINE_QUEUE_SIZE), None, os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbox-inline", daemon=True)
                self._thread.start()
        for row_id in ids:
            try:
                self._queue.put_nowait((app, row_id))
            except queue.Full:
                log.warning("inline sender busy: outbox rows from %s on wait for the worker", row_id)
                return

    def _run(self) -> None:
        while True:
            app, row_id = self._queue.get()
            try:
                with app.app_context():
                    try:
                        row = db.session.get(OutboundEmail, row_id)
                        if row is not None and row.state == "queued" and \
                                mailconfig.send_on_reply(db.session.get(Shop, row.shop_id)):
                            send_one(row_id)  # a failure stays queued for the worker
                    finally:
                        db.session.remove()
            except Exception:  # noqa: BLE001 - the worker will pick it up
                log.exception("sending right after the reply failed")
            finally:
                self._queue.task_done()

    def wait(self, timeout: float = 10) -> None:
        """Until every submitted row was tried (tests), or `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)


_inline = InlineSender()


def wait_background(timeout: float = 10) -> None:
    """For tests: let the inline sender finish what it was given."""
    _inline.wait(timeout)
