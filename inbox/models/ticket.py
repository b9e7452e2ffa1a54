from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow
from inbox.workflow import Channel, MessageKind, Status


class Ticket(db.Model):
    """One customer question (klantvraag) and its thread."""

    __table_args__ = (
        # The inbox: a shop's tickets waiting for us, most urgent first.
        sa.Index("ix_ticket_shop_status_due", "shop_id", "status", "due_at", "id"),
        sa.Index("ix_ticket_shop_received", "shop_id", "received_at", "id"),
        sa.Index("ix_ticket_shop_assignee_status", "shop_id", "assignee_id", "status", "due_at"),
        sa.Index("ix_ticket_shop_customer_received", "shop_id", "customer_email", "received_at", "id"),
        sa.Index("ix_ticket_shop_order", "shop_id", "order_number"),
        # The performance page counts a forwarded question in the week it was forwarded.
        sa.Index("ix_ticket_shop_forwarded", "shop_id", "forwarded_at"),
        # Pending and Solved views: latest activity first.
        sa.Index("ix_ticket_shop_status_last", "shop_id", "status", "last_message_at", "id"),
        # The ticket page lists the questions that refer to it (a stranger's follow-up). Partial, as almost every
        # ticket refers to none: SQLite's statistics of a full index say "a value matches every row" (the NULLs),
        # and its planner then walks the shop's tickets instead (0.4 s at 1,000,000).
        sa.Index("ix_ticket_refers_to", "refers_to_id", sqlite_where=sa.text("refers_to_id IS NOT NULL"),
                 postgresql_where=sa.text("refers_to_id IS NOT NULL")),
        # The API's list: changed since a moment, paged by (updated_at, id); also within one status (a view).
        sa.Index("ix_ticket_shop_updated", "shop_id", "updated_at", "id"),
        sa.Index("ix_ticket_shop_status_updated", "shop_id", "status", "updated_at", "id"),
        # SQLite's search: the shop's first and last ticket, between which its FTS5 walk stays (inbox/search.py).
        sa.Index("ix_ticket_shop_id", "shop_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), active_history=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    customer_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    customer_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="nl")
    channel: so.Mapped[str] = so.mapped_column(sa.String(16), default=Channel.EMAIL.value)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), default="general")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=Status.OPEN.value)
    # active_history on what the daily counts read (services/ticket_days.py): a change must know the old value.
    assignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), active_history=True)
    order_number: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    product: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    # active_history: a change must know the old value, to tell the performance page which week it left.
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, active_history=True)
    # Set when the marketplace's customer service forwarded the question: the clock starts here.
    forwarded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, active_history=True)
    # The reply clock: when the customer started waiting and when our reply is due (NULL: nobody waits).
    waiting_since: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    first_reply_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, active_history=True)
    first_reply_due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, active_history=True)
    # Business seconds the first reaction had left when it was sent; negative: that much too late.
    first_reply_margin: so.Mapped[int | None] = so.mapped_column(active_history=True)
    # The latest reply's margin, for the "answered on time / late" badge.
    last_reply_margin: so.Mapped[int | None] = so.mapped_column()
    solved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A follow-up of another ticket (by its In-Reply-To or [#id] tag) from someone who is not part of that
    # conversation: it became this ticket instead of writing into the other customer's thread.
    refers_to_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="SET NULL"))

    # Kept on the row so the inbox needs no join per ticket.
    last_message_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    snippet: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    message_count: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignee: so.Mapped["User | None"] = so.relationship(lazy="joined")  # noqa: F821
    messages: so.Mapped[list["Message"]] = so.relationship(
        back_populates="ticket", order_by="Message.created_at, Message.id", cascade="all, delete-orphan",
        lazy="select")
    tag_rows: so.Mapped[list["TicketTag"]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TicketTag.name")

    @property
    def tags(self) -> list[str]:
        return [t.name for t in self.tag_rows]

    @property
    def clock_start(self) -> datetime:
        """Where the first-reaction clock starts: the forward by the marketplace, else receipt."""
        return self.forwarded_at or self.received_at

    @property
    def customer_first_name(self) -> str:
        return self.customer_name.split()[0] if self.customer_name else ""

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status} {self.subject[:30]!r}>"


class TicketTag(db.Model):
    __table_args__ = (sa.Index("ix_ticket_tag_name", "name", "ticket_id"),)

    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)


class Message(db.Model):
    """One entry in a ticket's thread: the customer's words, our reply, or an internal note."""

    __table_args__ = (
        sa.Index("ix_message_ticket_created", "ticket_id", "created_at", "id"),
        # Threading looks a mail's references up here. Partial for the reason ix_ticket_refers_to is: notes,
        # contact-form and imported messages have no Message-ID.
        sa.Index("ix_message_email_message_id", "email_message_id",
                 sqlite_where=sa.text("email_message_id IS NOT NULL"),
                 postgresql_where=sa.text("email_message_id IS NOT NULL")),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default=MessageKind.CUSTOMER.value)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Customer HTML, already sanitised at intake; None when the message was plain text.
    body_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # For replies: the deadline this reply answered and the business seconds left (negative: late).
    sla_due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sla_margin: so.Mapped[int | None] = so.mapped_column()
    # E-mail threading: the Message-ID header of the mail this message came in as or went out as.
    email_message_id: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    # A customer-side message written by someone else than the ticket's customer (an address copied in, the
    # marketplace): shown under this name and address, marked as not the customer. None: the customer wrote it.
    sender_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    sender_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))

    ticket: so.Mapped[Ticket] = so.relationship(back_populates="messages")
    author: so.Mapped["User | None"] = so.relationship(lazy="joined")  # noqa: F821

    @property
    def answered_late(self) -> bool | None:
        return None if self.sla_margin is None else self.sla_margin < 0

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.kind} on ticket {self.ticket_id}>"


class TicketParticipant(db.Model):
    """An address that takes part in a ticket's conversation besides the customer: copied in (To/Cc), the From
    behind a Reply-To, the marketplace that forwarded it. Their mail threads; a stranger's becomes a new ticket."""

    __tablename__ = "ticket_participant"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "email", name="uq_ticket_participant_ticket_email"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
