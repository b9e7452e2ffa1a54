"""Create tickets and change them: every change goes through here and is recorded."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.i18n import _
from inbox.labels import STATUS_LABELS
from inbox.models import Message, Shop, Ticket, TicketTag, User
from inbox.nudges import detect_category, detect_language
from inbox.services import assignment, audit, satisfaction, sla, webhooks
from inbox.workflow import Channel, MessageKind, Status, can_transition


class TicketError(ValueError):
    """A change that is not allowed; the message is shown to the user."""


def time_problems(channel: str, received_at: datetime | None, forwarded_at: datetime | None,
                  now: datetime) -> dict[str, str]:
    """What is wrong with when a logged question came in, by field: the rules of the "log a question" form and of
    the API's create. A question forwarded by the marketplace must say when: its 8 business hours start there."""
    problems = {}
    if received_at is not None and received_at > now:
        problems["received_at"] = _("This time lies in the future.")
    if forwarded_at is not None:
        if received_at is not None and forwarded_at < received_at:
            problems["forwarded_at"] = _("It cannot be forwarded before it was received.")
        elif forwarded_at > now:
            problems["forwarded_at"] = _("This time lies in the future.")
    elif channel == Channel.MARKETPLACE.value:
        problems["forwarded_at"] = _("When was it forwarded? The 8 business hours count from then.")
    return problems


def _snippet(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()[:200]


def create_ticket(shop: Shop, *, subject: str, body: str, customer_name: str = "",
                  customer_email: str | None = None, channel: str = Channel.EMAIL.value,
                  received_at: datetime | None = None, forwarded_at: datetime | None = None,
                  language: str | None = None, order_number: str | None = None,
                  product: str | None = None, tags=(), by: User | None = None,
                  body_html: str | None = None, email_message_id: str | None = None,
                  assignee: User | None = None) -> Ticket:
    """A new customer question with its first message and a running first-reaction clock."""
    received_at = received_at or clock.now()
    if forwarded_at is not None:
        channel = Channel.MARKETPLACE.value
    picked = None
    if assignee is None:  # the shop's automatic mode: round-robin over agents who are active and not away
        assignee = picked = assignment.pick_assignee(shop, clock.now())
    ticket = Ticket(
        shop_id=shop.id, subject=subject.strip()[:300] or "(no subject)", customer_name=customer_name.strip(),
        customer_email=(customer_email or "").strip().lower() or None, channel=channel,
        language=language or detect_language(f"{subject}\n{body}"),
        category=detect_category(f"{subject}\n{body}"),
        received_at=received_at, forwarded_at=forwarded_at,
        order_number=(order_number or "").strip() or None, product=(product or "").strip() or None,
        status=Status.OPEN.value, assignee=assignee, created_at=received_at, updated_at=received_at,
    )
    db.session.add(ticket)
    set_tags(ticket, tags)
    message = Message(shop_id=shop.id, kind=MessageKind.CUSTOMER.value, body=body, body_html=body_html,
                      created_at=received_at, email_message_id=email_message_id)
    ticket.messages.append(message)
    ticket.message_count = 1
    ticket.last_message_at = received_at
    ticket.snippet = _snippet(body)
    sla.start_clock(ticket, shop, ticket.clock_start)
    ticket.first_reply_due_at = ticket.due_at
    db.session.flush()
    audit.record(shop.id, "ticket.create", actor=by, ticket=ticket, new=channel)
    if picked is not None:
        audit.record(shop.id, "ticket.assign", ticket=ticket, field="assignee", new=picked.display_name)
    webhooks.emit(shop.id, "ticket.created", webhooks.ticket_data(ticket))
    return ticket


def _message_event(ticket: Ticket, message: Message) -> None:
    def data():
        db.session.flush()  # the message's id goes into the event (only when some endpoint wants it)
        return {**webhooks.ticket_data(ticket), "message_id": message.id, "kind": message.kind,
                "author_id": message.author_id, "body": message.body}
    webhooks.emit(ticket.shop_id, "message.created", data)


def _append(ticket: Ticket, message: Message) -> Message:
    ticket.messages.append(message)
    ticket.message_count = (ticket.message_count or 0) + 1
    if message.kind != MessageKind.NOTE.value:
        ticket.last_message_at = message.created_at
        ticket.snippet = _snippet(message.body)
    ticket.updated_at = message.created_at
    return message


def add_customer_message(ticket: Ticket, shop: Shop, body: str, *, at: datetime | None = None,
                         body_html: str | None = None, email_message_id: str | None = None) -> Message:
    """The customer wrote again: reopen the ticket and, unless a clock already runs, start a new one."""
    at = at or clock.now()
    message = _append(ticket, Message(shop_id=shop.id, kind=MessageKind.CUSTOMER.value, body=body,
                                      body_html=body_html, created_at=at, email_message_id=email_message_id))
    if ticket.status != Status.OPEN.value:
        audit.record(shop.id, "ticket.status", ticket=ticket, field="status", old=ticket.status, new=Status.OPEN.value)
        ticket.status = Status.OPEN.value
        ticket.solved_at = None
    if ticket.due_at is None:
        sla.start_clock(ticket, shop, at)
    _message_event(ticket, message)
    return message


def reply(ticket: Ticket, shop: Shop, body: str, *, by: User, status: str | None = None,
          at: datetime | None = None) -> Message:
    """A public reply: stops the reply clock, records on time or late, and optionally sets the status."""
    body = (body or "").strip()
    if not body:
        raise TicketError(_("A reply cannot be empty."))
    at = at or clock.now()
    message = _append(ticket, Message(shop_id=shop.id, kind=MessageKind.REPLY.value, body=body,
                                      author=by, created_at=at))
    sla.stop_clock_by_reply(ticket, shop, message, at)
    if ticket.assignee_id is None:
        ticket.assignee = by
        if by is not None:   # a reply without an author (the demo's history) assigns no one
            webhooks.emit(shop.id, "ticket.assigned", {**webhooks.ticket_data(ticket), "assignee_id": by.id,
                                                        "old_assignee_id": None})
    audit.record(shop.id, "ticket.reply", actor=by, ticket=ticket)
    change_status(ticket, shop, status or Status.PENDING.value, by=by, at=at)
    _message_event(ticket, message)
    return message


def add_note(ticket: Ticket, shop: Shop, body: str, *, by: User, at: datetime | None = None) -> Message:
    """An internal note for colleagues; the customer never sees it and the clock keeps running."""
    body = (body or "").strip()
    if not body:
        raise TicketError(_("A note cannot be empty."))
    message = _append(ticket, Message(shop_id=shop.id, kind=MessageKind.NOTE.value, body=body, author=by,
                                      created_at=at or clock.now()))
    audit.record(shop.id, "ticket.note", actor=by, ticket=ticket)
    _message_event(ticket, message)
    return message


def change_status(ticket: Ticket, shop: Shop, new: str, *, by: User | None, at: datetime | None = None) -> None:
    """Move a ticket to another status, if the workflow allows it."""
    try:
        new_status = Status(new)
    except ValueError:
        raise TicketError(_("Unknown status %(status)s.", status=repr(new))) from None
    old = ticket.status
    if old == new_status.value:
        return
    if not can_transition(old, new_status):
        raise TicketError(_("A ticket cannot go from %(old)s to %(new)s.", old=STATUS_LABELS.get(old, old),
                               new=STATUS_LABELS[new_status.value]))
    at = at or clock.now()
    ticket.status = new_status.value
    ticket.updated_at = at
    if new_status == Status.SOLVED:
        ticket.solved_at = at
        satisfaction.on_solved(ticket, shop, at)   # "How did we do?" in a separate mail, if the shop asks so
    else:
        ticket.solved_at = None
    if new_status != Status.OPEN:
        # Nobody waits for us on a pending or solved ticket; a new customer message restarts the clock.
        ticket.due_at = None
        ticket.waiting_since = None
    audit.record(shop.id, "ticket.status", actor=by, ticket=ticket, field="status", old=old, new=new_status.value)
    webhooks.emit(shop.id, "ticket.status_changed", {**webhooks.ticket_data(ticket), "old_status": old})


def assign(ticket: Ticket, shop: Shop, assignee: User | None, *, by: User | None) -> None:
    """Give the ticket to a colleague of the same shop (or to nobody)."""
    if assignee is not None and assignee.shop_id != shop.id:
        raise TicketError(_("That person cannot be assigned."))
    if assignee is not None and not assignee.active:
        raise TicketError(_("%(name)s's account is deactivated: choose an active colleague.",
                            name=assignee.display_name))
    old = ticket.assignee
    if (old and old.id) == (assignee and assignee.id):
        return
    ticket.assignee = assignee
    audit.record(shop.id, "ticket.assign", actor=by, ticket=ticket, field="assignee",
                 old=old.display_name if old else None, new=assignee.display_name if assignee else None)
    webhooks.emit(shop.id, "ticket.assigned", {**webhooks.ticket_data(ticket),
                                                "old_assignee_id": old.id if old else None})


TAG_RE = re.compile(r"[^\w\- ]+", re.UNICODE)


@dataclass
class BulkOutcome:
    done: int = 0
    refused: int = 0   # tickets the workflow does not let move to the chosen status: left as they are


def apply_bulk(tickets: list[Ticket], shop: Shop, action: str, value, *, by: User) -> BulkOutcome:
    """One change to many tickets of the shop: "assign" (value: a User of the shop, or None), "tag" (value: the tag
    to add) or "status" (value: a Status value). The caller commits.

    :raise TicketError: for an unknown action or status, or an empty tag.
    """
    outcome = BulkOutcome()
    if action == "assign":
        for ticket in tickets:
            assign(ticket, shop, value, by=by)
            outcome.done += 1
    elif action == "tag":
        if not normalise_tag(value):
            raise TicketError(_("Type a tag to add."))
        for ticket in tickets:
            set_tags(ticket, [*ticket.tags, value], by=by)
            outcome.done += 1
    elif action == "status" and value in {s.value for s in Status}:
        for ticket in tickets:
            if can_transition(ticket.status, value):
                change_status(ticket, shop, value, by=by)
                outcome.done += 1
            else:
                outcome.refused += 1
    else:
        raise TicketError(_("Choose what to do with the selected questions."))
    return outcome


def normalise_tag(tag: str) -> str:
    return TAG_RE.sub("", tag).strip().lower().replace(" ", "-")[:40]


def set_tags(ticket: Ticket, tags, *, by: User | None = None) -> None:
    """Replace the ticket's tags with the given ones (normalised, deduplicated)."""
    wanted = []
    for tag in tags:
        name = normalise_tag(tag)
        if name and name not in wanted:
            wanted.append(name)
    current = {row.name: row for row in ticket.tag_rows}
    if set(current) == set(wanted):
        return
    ticket.tag_rows = [current.get(name) or TicketTag(name=name) for name in wanted]
    if ticket.id is not None:
        ticket.updated_at = clock.now()  # the row itself is not written otherwise, and the API lists by change
    if ticket.id is not None and by is not None:
        audit.record(ticket.shop_id, "ticket.tags", actor=by, ticket=ticket, field="tags",
                     old=", ".join(sorted(current)), new=", ".join(wanted))


def for_shop(shop_id: int, ticket_id: int) -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).where(Ticket.id == ticket_id, Ticket.shop_id == shop_id))


def referred_by(ticket: Ticket) -> list:
    """Questions that began as a stranger's answer to this one (their customer is that stranger): (id, address)."""
    return list(db.session.execute(
        sa.select(Ticket.id, Ticket.customer_email)
        .where(Ticket.refers_to_id == ticket.id, Ticket.shop_id == ticket.shop_id).order_by(Ticket.id)))


def panel_state(ticket: Ticket) -> str:
    """What the ticket page's side panel shows, as a short token. The page sends it back with its heartbeat and
    gets the panels again only when it differs: a colleague replied or took the ticket, the customer wrote."""
    def stamp(value: datetime | None) -> str:
        return str(int(value.timestamp())) if value else "-"
    return ".".join([ticket.status, str(ticket.assignee_id or "-"), stamp(ticket.due_at), stamp(ticket.first_reply_at),
                     stamp(ticket.solved_at)])


def reply_history(ticket: Ticket) -> list[Message]:
    """The ticket's public replies measured against the clock (on time or late), oldest first: the side panel."""
    return list(db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket.id, Message.shop_id == ticket.shop_id,
                                 Message.kind == MessageKind.REPLY.value, Message.sla_margin.is_not(None))
        .order_by(Message.created_at, Message.id)))


def changes_since(ticket: Ticket, seen_message_id: int, user: User) -> list[Message]:
    """Messages that arrived after the agent's page showed `seen_message_id`, written by someone else:
    a new customer message, a colleague's reply or note. The composer warns before sending when this is not empty.
    """
    query = (sa.select(Message)
             .where(Message.ticket_id == ticket.id, Message.shop_id == ticket.shop_id, Message.id > seen_message_id,
                    sa.or_(Message.author_id.is_(None), Message.author_id != user.id))
             .order_by(Message.id))
    return list(db.session.scalars(query))
