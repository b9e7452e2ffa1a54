"""Tickets through the API: list, read, create, change, reply or note, download a customer's file.

Every change goes through the services the pages use (inbox.services.tickets and composer), so a reply sent
here is queued and e-mailed exactly like one from the ticket page, and is recorded in the audit log.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, g, request, url_for
from sqlalchemy.exc import IntegrityError

from inbox import clock
from inbox.api import schemas as s
from inbox.api.core import ApiError, acting_user, field_error, operation
from inbox.extensions import db
from inbox.models import MailAttachment, SendToken, Ticket, User
from inbox.services import composer as composer_service, keyset, sla as sla_service, ticket_list, uploads
from inbox.services import tickets as ticket_service
from inbox.services.thread import thread_mail
from inbox.ids import MAX_ID
from inbox.workflow import Channel, MessageKind

TICKET_ID = {"ticket_id": "The ticket's number (#123 in the inbox)."}


# --------------------------------------------------------------------------- shapes

def summary(t: Ticket) -> dict:
    return dict(
        id=t.id, subject=t.subject, status=t.status, channel=t.channel,
        customer=s.Customer(name=t.customer_name, email=t.customer_email), language=t.language,
        category=t.category, assignee_id=t.assignee_id, tags=t.tags, order_number=t.order_number,
        product=t.product, received_at=t.received_at, forwarded_at=t.forwarded_at, due_at=t.due_at,
        first_reply_at=t.first_reply_at, solved_at=t.solved_at, last_message_at=t.last_message_at,
        updated_at=t.updated_at, message_count=t.message_count, snippet=t.snippet)


def sla_state(t: Ticket) -> s.SlaState:
    badge = sla_service.badge(t, g.api_shop, clock.now())
    return s.SlaState(
        state=badge.state if badge else "none", due_at=badge.due if badge else None,
        remaining_business_seconds=badge.seconds if badge else None,
        paused_until=badge.paused_until if badge else None, first_reply_at=t.first_reply_at,
        first_reply_due_at=t.first_reply_due_at, first_reply_margin_seconds=t.first_reply_margin)


def attachment_out(a: MailAttachment) -> s.Attachment:
    available = a.rejected_reason is None
    return s.Attachment(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size, available=available,
                        download_url=url_for("api.download_attachment", attachment_id=a.id) if available else None,
                        rejected_reason=a.rejected_reason)


def detail(t: Ticket) -> s.TicketDetail:
    mail = thread_mail(t)
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.shop_id == t.shop_id)).all())
    messages = [s.MessageOut(
        id=m.id, kind=m.kind, author_id=m.author_id, author_name=names.get(m.author_id), body=m.body,
        body_html=m.body_html, created_at=m.created_at,
        delivery=mail.deliveries[m.id].state if m.id in mail.deliveries else None,
        attachments=[attachment_out(a) for a in mail.attachments.get(m.id, [])]) for m in t.messages]
    return s.TicketDetail(**summary(t), messages=messages, sla=sla_state(t))


def ticket_or_404(ticket_id: int) -> Ticket:
    ticket = ticket_service.for_shop(g.api_shop.id, ticket_id)
    if ticket is None:
        raise ApiError(404, f"Ticket {ticket_id} doesn't exist.")
    return ticket


# --------------------------------------------------------------------------- list

def encode_cursor(t: Ticket) -> str:
    raw = json.dumps([t.updated_at.isoformat(), t.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        stamp, ticket_id = clock.as_utc(datetime.fromisoformat(stamp)), int(ticket_id)
        # A made-up cursor must not reach the query: an id past the column's (PostgreSQL: out of range), a year
        # 9999 moved to UTC (OverflowError).
        if not 0 <= ticket_id <= MAX_ID:
            raise ValueError(ticket_id)
        return stamp, ticket_id
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise field_error("cursor", "not a cursor this API gave out", "query") from None


@operation("GET", "/tickets", tag="Tickets", scope="read", query=s.TicketListQuery, response=s.TicketPage)
def list_tickets(query: s.TicketListQuery):
    """List the shop's tickets, filtered, a page at a time.

    Ordered by last change and then id, so the order is stable while paging: follow `next_cursor` until it is
    null. With `order=updated` (the default), a ticket changed while you page moves to the end instead of being
    skipped, so keeping the last cursor and asking again later returns every change since.
    """
    shop, now = g.api_shop, clock.now()
    user = acting_user() if query.view == "mine" else None
    where = ticket_list.conditions(
        shop, query.view, user, ticket_list.Moment.of(shop, now), status=query.status or "",
        assignee=query.assignee or "", channel=query.channel or "",
        tag=None if query.tag is None else ticket_service.normalise_tag(query.tag), updated_since=query.updated_since)
    ascending = query.order == "updated"
    if query.cursor:
        stamp, last_id = decode_cursor(query.cursor)
        where += keyset.past(Ticket.updated_at, Ticket.id, stamp, last_id, descending=not ascending)
    order = [Ticket.updated_at, Ticket.id] if ascending else [Ticket.updated_at.desc(), Ticket.id.desc()]
    rows = list(db.session.scalars(sa.select(Ticket).where(*where).order_by(*order).limit(query.limit + 1)
                                   .options(so.lazyload(Ticket.assignee))).unique())
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return s.TicketPage(data=[s.TicketSummary(**summary(t)) for t in rows],
                        next_cursor=encode_cursor(rows[-1]) if more else None)


# --------------------------------------------------------------------------- one ticket

@operation("GET", "/tickets/<int:ticket_id>", tag="Tickets", scope="read", response=s.TicketDetail, errors=(404,),
           path_params=TICKET_ID)
def get_ticket(ticket_id: int):
    """Read one ticket with its messages, attachments' metadata and SLA state.

    Internal notes are included (kind `note`): the token belongs to the shop's staff.
    """
    return detail(ticket_or_404(ticket_id))


@operation("GET", "/tickets/<int:ticket_id>/sla", tag="Tickets", scope="read", response=s.SlaState, errors=(404,),
           path_params=TICKET_ID)
def get_ticket_sla(ticket_id: int):
    """The ticket's reply clock: due time, business time left, and its state.

    Business time counts Monday to Friday 09:00-17:00 in the shop's zone, without the public holidays of its
    country (a Dutch shop also skips Belgian ones).
    """
    return sla_state(ticket_or_404(ticket_id))


@operation("POST", "/tickets", tag="Tickets", scope="write", body=s.TicketCreate, response=s.TicketDetail,
           status=201)
def create_ticket(body: s.TicketCreate):
    """Log a question (a phone call, one forwarded by the marketplace, a web shop's contact form).

    The same rules as the "log a question" page: a question forwarded by the marketplace needs `forwarded_at`,
    and its 8 business hours count from then. New questions are assigned like any other (round-robin when the
    shop assigns automatically).
    """
    channel = body.channel
    if body.forwarded_at is not None and "channel" not in body.model_fields_set:
        channel = Channel.MARKETPLACE.value
    if body.forwarded_at is not None and channel != Channel.MARKETPLACE.value:
        raise field_error("forwarded_at", "only a question forwarded by the marketplace (channel `marketplace`) "
                                          "has a forwarded-at time")
    problems = ticket_service.time_problems(channel, body.received_at, body.forwarded_at, clock.now())
    if problems:
        raise ApiError(422, "; ".join(f"{k}: {v}" for k, v in problems.items()),
                       [{"field": k, "in": "body", "message": str(v)} for k, v in problems.items()])
    user = acting_user()
    ticket = ticket_service.create_ticket(
        g.api_shop, subject=body.subject, body=body.body, customer_name=body.customer_name,
        customer_email=body.customer_email, channel=channel, received_at=body.received_at or clock.now(),
        forwarded_at=body.forwarded_at, language=body.language, order_number=body.order_number,
        product=body.product, tags=body.tags, by=user)
    db.session.commit()
    response = detail(ticket)
    return Response(response.model_dump_json(), status=201, mimetype="application/json",
                    headers={"Location": url_for("api.get_ticket", ticket_id=ticket.id)})


@operation("PATCH", "/tickets/<int:ticket_id>", tag="Tickets", scope="write", body=s.TicketChange,
           response=s.TicketDetail, errors=(404,), path_params=TICKET_ID)
def update_ticket(ticket_id: int, body: s.TicketChange):
    """Change a ticket's status, assignee or tags.

    Status moves follow the inbox's workflow (open, pending, solved; a solved ticket only reopens). Each change
    is recorded in the audit log under the account that created the token.
    """
    ticket, user, shop = ticket_or_404(ticket_id), acting_user(), g.api_shop
    sent = body.model_fields_set
    if "tags" in sent and body.tags is not None:
        ticket_service.set_tags(ticket, body.tags, by=user)
    if "assignee_id" in sent:
        assignee = None
        if body.assignee_id is not None:
            assignee = db.session.scalar(sa.select(User).where(User.id == body.assignee_id, User.shop_id == shop.id))
            if assignee is None:
                raise field_error("assignee_id", "no user with this id in the shop")
        try:
            ticket_service.assign(ticket, shop, assignee, by=user)
        except ticket_service.TicketError as e:
            raise field_error("assignee_id", str(e)) from None
    if "status" in sent and body.status is not None:
        try:
            ticket_service.change_status(ticket, shop, body.status, by=user)
        except ticket_service.TicketError as e:
            raise field_error("status", str(e)) from None
    db.session.commit()
    return detail(ticket)


# --------------------------------------------------------------------------- messages

IDEMPOTENCY = ("Any string up to 200 characters, new for each message. A retried POST with the same key (after "
               "a time-out, say) stores and sends nothing new and answers the first message with `duplicate: true`.")


def send_key(raw: str | None) -> str:
    """The composer's one-time token for this request: the same key of the same token maps to the same send."""
    if raw is None:
        return composer_service.new_token()
    raw = raw.strip()
    if not raw or len(raw) > 200:
        raise field_error("Idempotency-Key", "must be 1 to 200 characters", "header")
    return hashlib.sha256(f"api:{g.api_token.id}:{raw}".encode()).hexdigest()[:32]


@operation("POST", "/tickets/<int:ticket_id>/messages", tag="Tickets", scope="write", body=s.MessageCreate,
           response=s.MessageCreated, status=201, also={200: "The Idempotency-Key was used before: the first "
                                                             "message, nothing sent again."},
           errors=(404,), headers={"Idempotency-Key": IDEMPOTENCY}, path_params=TICKET_ID)
def create_message(ticket_id: int, body: s.MessageCreate):
    """Reply to the customer (sent by e-mail) or add an internal note, with files if you like.

    A reply is queued for e-mail in the same transaction and delivered exactly like a reply from the ticket
    page: with the shop's sender, threading headers, its `attachments` as MIME parts, and retries. It stops the
    reply clock and sets the status (default pending). A retried POST with the same Idempotency-Key stores and
    sends its files no second time.
    """
    ticket, user = ticket_or_404(ticket_id), acting_user()
    key = send_key(request.headers.get("Idempotency-Key"))
    used_on = db.session.scalar(sa.select(SendToken.ticket_id).where(SendToken.token == key,
                                                                      SendToken.shop_id == ticket.shop_id))
    if used_on is not None and used_on != ticket.id:
        raise field_error("Idempotency-Key", "already used for a message on another ticket", "header")
    files = []
    for n, item in enumerate(body.attachments):
        try:
            files.append(uploads.IncomingFile(item.filename, base64.b64decode(item.content_base64, validate=True)))
        except ValueError:
            raise field_error(f"attachments.{n}.content_base64", "is not valid base64") from None
    try:
        result = composer_service.send(ticket, g.api_shop, user, body=body.body, kind=body.kind,
                                       status=body.status if body.kind == MessageKind.REPLY.value else None,
                                       token=key, files=files)
    except composer_service.FilesRefused as e:
        raise field_error("attachments", str(e)) from None
    except ticket_service.TicketError as e:
        raise field_error("status" if body.status else "body", str(e)) from None
    except IntegrityError:
        raise field_error("Idempotency-Key", "already used for a message on another ticket", "header") from None
    db.session.commit()
    message = result.message
    out = detail(ticket).messages
    emailed = result.outbound is not None or (
        result.duplicate and any(m.id == message.id and m.delivery is not None for m in out))
    return (s.MessageCreated(message=next(m for m in out if m.id == message.id), duplicate=result.duplicate,
                             emailed=emailed), 200 if result.duplicate else 201)


@operation("GET", "/attachments/<int:attachment_id>", tag="Tickets", scope="read", errors=(404,), download=True,
           path_params={"attachment_id": "From a message's `attachments`."})
def download_attachment(attachment_id: int):
    """Download a file of a message (a customer's, or one the shop attached).

    Always sent as `application/octet-stream` with its file name: open a customer's with care, it came from
    outside.
    """
    row = db.session.scalar(sa.select(MailAttachment).where(MailAttachment.id == attachment_id,
                                                            MailAttachment.shop_id == g.api_shop.id)
                            .options(so.undefer(MailAttachment.data)))
    if row is None or row.data is None:
        raise ApiError(404, f"Attachment {attachment_id} doesn't exist or was not kept.")
    response = Response(row.data, mimetype="application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
