"""The composer's tables: drafts kept while typing, saved replies (templates) and send tokens."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class Draft(db.Model):
    """What one user is writing on one ticket, saved as they type so another tab or a crash loses nothing."""

    __table_args__ = (sa.UniqueConstraint("user_id", "ticket_id", name="uq_draft_user_ticket"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), default="reply")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Draft user {self.user_id} ticket {self.ticket_id} {len(self.body)} chars>"


class ReplyTemplate(db.Model):
    """A saved reply of one shop: a body with {placeholders} and, for complaints, several solutions to offer."""

    __table_args__ = (sa.Index("ix_reply_template_shop_lang_cat", "shop_id", "archived", "language", "category"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    category: so.Mapped[str] = so.mapped_column(sa.String(32), default="general")
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="nl")
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    archived: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    options: so.Mapped[list["ReplyTemplateOption"]] = so.relationship(
        back_populates="template", order_by="ReplyTemplateOption.position, ReplyTemplateOption.id",
        cascade="all, delete-orphan", lazy="selectin")

    def __repr__(self) -> str:
        return f"<ReplyTemplate {self.id} {self.language} {self.category} {self.title!r}>"


class ReplyTemplateOption(db.Model):
    """One solution a template can offer ("a replacement, sent today"); the agent ticks which to offer."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Carried so removing a shop (services/shops.delete_shop) finds these rows too.
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("reply_template.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.String(300))

    template: so.Mapped[ReplyTemplate] = so.relationship(back_populates="options")


class SendToken(db.Model):
    """The one-time token a composer form carries: the first POST with it stores the message, later ones find it.

    Inserted first in the sending transaction; its unique token makes a concurrent second send fail
    instead of storing a second reply.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    message_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SendToken {self.token[:8]} message {self.message_id}>"
