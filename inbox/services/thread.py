"""A ticket's thread as the ticket page shows it: the messages with what mail adds to them (each reply's delivery,
the folded quote, the customer's files), in one query instead of one for each."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g
from sqlalchemy.orm.attributes import set_committed_value

from inbox.extensions import db, statement
from inbox.models import InboundMail, MailAttachment, Message, OutboundEmail, Ticket


class Delivery(NamedTuple):
    """A reply's outbox row, as far as the thread shows it."""
    id: int
    message_id: int
    state: str
    attempts: int
    last_error: str | None
    to_addr: str


@dataclass
class ThreadMail:
    """What the thread shows besides the text, by message id."""
    attachments: dict[int, list[MailAttachment]] = field(default_factory=dict)
    quotes: dict[int, str] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    # Messages whose mail is kept as it arrived (the "original message" download).
    originals: set[int] = field(default_factory=set)

    def has_extras(self, message_id: int) -> bool:
        """Whether the thread shows anything below this message (mail/_message_extras.html)."""
        delivery = self.deliveries.get(message_id)
        return (message_id in self.quotes or message_id in self.attachments or message_id in self.originals
                or (delivery is not None and delivery.state in ("failed", "bounced")))


@statement
def _thread():
    quoted = (sa.select(InboundMail.quoted_text)
              .where(InboundMail.ticket_id == Message.ticket_id, InboundMail.message_id == Message.id,
                     InboundMail.quoted_text.is_not(None))
              .limit(1).scalar_subquery())
    has_files = sa.exists().where(MailAttachment.message_id == Message.id)
    has_original = sa.exists().where(InboundMail.ticket_id == Message.ticket_id, InboundMail.message_id == Message.id,
                                     InboundMail.raw.is_not(None))
    return (sa.select(Message, quoted, has_files, has_original, *(getattr(OutboundEmail, name) for name in Delivery._fields))
            .outerjoin(OutboundEmail, OutboundEmail.message_id == Message.id)
            .where(Message.ticket_id == sa.bindparam("ticket_id"), Message.shop_id == sa.bindparam("shop_id"))
            .order_by(Message.created_at, Message.id)
            # Authors are colleagues: the page has loaded the shop's users, so they come from the session.
            .options(so.lazyload(Message.author)))


@statement
def _attachments():
    return (sa.select(MailAttachment)
            .where(MailAttachment.ticket_id == sa.bindparam("ticket_id"), MailAttachment.shop_id == sa.bindparam("shop_id"))
            .order_by(MailAttachment.id))


def messages_with_mail(ticket: Ticket) -> list:
    """The ticket's messages, loaded together with what mail adds to them (thread_mail, which the page's
    templates then find kept for this request)."""
    thread_mail(ticket)
    return ticket.messages


def thread_mail(ticket: Ticket) -> ThreadMail:
    """Loads `ticket.messages` (once per request) and answers what mail adds to them."""
    cache = g.setdefault("_thread_mail", {})
    if ticket.id in cache:
        return cache[ticket.id]
    info, messages, with_files = ThreadMail(), [], False
    params = {"ticket_id": ticket.id, "shop_id": ticket.shop_id}
    for message, quoted, has_files, has_original, *delivery in db.session.execute(_thread(), params):
        messages.append(message)
        if has_original:
            info.originals.add(message.id)
        if quoted is not None:
            info.quotes[message.id] = quoted
        if delivery[0] is not None:
            info.deliveries[message.id] = Delivery(*delivery)
        with_files = with_files or has_files
    set_committed_value(ticket, "messages", messages)
    if with_files:
        for att in db.session.scalars(_attachments(), params):
            info.attachments.setdefault(att.message_id, []).append(att)
    cache[ticket.id] = info
    return info
