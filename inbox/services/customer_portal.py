"""What a customer's question page shows and what it may do: the thread without notes, a status in the
customer's words, the promised answer time, and their reply (a customer message, as if they had mailed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import Message, Rating, Shop, Ticket
from inbox.services import customer_links, promise, satisfaction, tickets
from inbox.workflow import MessageKind

# A second identical reply this soon is a double click or a reload, not a new message.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class QuestionView:
    thread: list[Message]
    status: str                          # open (waiting for us), pending (for the customer), solved
    promise: promise.Promise | None      # while the customer waits for us
    rating: Rating | None                # their "How did we do?" answer


def question_view(ticket: Ticket, shop: Shop) -> QuestionView:
    return QuestionView(customer_links.thread(ticket), ticket.status, promise.for_ticket(ticket, shop),
                        satisfaction.rating_for(ticket))


def add_reply(ticket: Ticket, shop: Shop, body: str) -> Message | None:
    """The customer's reply from their page: it reopens the question and restarts the reply clock like a mail
    would. The same text again within DUPLICATE_WINDOW adds nothing (answers None). The caller commits."""
    body = (body or "").strip()
    last = db.session.execute(sa.select(Message.body, Message.created_at).where(
        Message.ticket_id == ticket.id, Message.kind == MessageKind.CUSTOMER.value)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()
    if last is not None and last.body == body and clock.now() - clock.as_utc(last.created_at) < DUPLICATE_WINDOW:
        return None
    return tickets.add_customer_message(ticket, shop, body)
