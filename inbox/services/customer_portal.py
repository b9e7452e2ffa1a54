"""What a customer's question page shows and what it may do: the thread without notes, a status in the
customer's words, the promised answer time, and their reply (a customer message, as if they had mailed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import MailAttachment, Message, Rating, Shop, Ticket
from inbox.services import customer_links, promise, satisfaction, tickets, uploads
from inbox.workflow import MessageKind

# A second identical reply this soon is a double click or a reload, not a new message.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class QuestionView:
    thread: list[Message]
    status: str                          # open (waiting for us), pending (for the customer), solved
    promise: promise.Promise | None      # while the customer waits for us
    rating: Rating | None                # their "How did we do?" answer
    files: dict[int, list[MailAttachment]]   # per message: the files' names and sizes
    rating_until: datetime | None = None     # when their rating becomes final


def question_view(ticket: Ticket, shop: Shop) -> QuestionView:
    rating = satisfaction.rating_for(ticket)
    return QuestionView(customer_links.thread(ticket), ticket.status, promise.for_ticket(ticket, shop), rating,
                        files_by_message(ticket), satisfaction.changeable_until(rating))


def check_files(shop: Shop, files: list[uploads.IncomingFile]) -> tuple[list[uploads.CheckedFile], list[str]]:
    """The customer's files against the shop's limits, checked as the staff's are (programs refused by their
    bytes, per file and per message): the ones to keep, and why the others were refused."""
    return uploads.check(files, uploads.limits_for(shop))


def add_reply(ticket: Ticket, shop: Shop, body: str, files: list[uploads.CheckedFile] = ()) -> Message | None:
    """The customer's reply from their page, with their checked files: it reopens the question and restarts the
    reply clock like a mail would, and the files are the message's incoming attachments. The same text and files
    again within DUPLICATE_WINDOW add nothing (answers None). The caller commits."""
    body = (body or "").strip()
    last = db.session.execute(sa.select(Message.id, Message.body, Message.created_at).where(
        Message.ticket_id == ticket.id, Message.kind == MessageKind.CUSTOMER.value)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()
    if (last is not None and last.body == body and clock.now() - clock.as_utc(last.created_at) < DUPLICATE_WINDOW
            and _file_marks(last.id) == sorted((f.filename, f.size) for f in files)):
        return None
    message = tickets.add_customer_message(ticket, shop, body)
    if files:
        db.session.flush()   # the message's id, for its files
        uploads.store_on_message(message, files)
    return message


def _file_marks(message_id: int) -> list[tuple[str, int]]:
    return sorted((name, size) for name, size in db.session.execute(
        sa.select(MailAttachment.filename, MailAttachment.size).where(MailAttachment.message_id == message_id)))


def files_by_message(ticket: Ticket) -> dict[int, list[MailAttachment]]:
    """The files on the messages the customer sees (names and sizes, not their bytes; a note's never), per
    message id."""
    found: dict[int, list[MailAttachment]] = {}
    for row in db.session.scalars(sa.select(MailAttachment).join(Message, Message.id == MailAttachment.message_id)
                                  .where(MailAttachment.ticket_id == ticket.id,
                                         MailAttachment.shop_id == ticket.shop_id,
                                         Message.kind.in_(customer_links.CUSTOMER_KINDS))
                                  .order_by(MailAttachment.id)):
        found.setdefault(row.message_id, []).append(row)
    return found
