"""Files a user uploaded that are not on a message yet: on a draft (one user's, on one ticket) or on a reply template.

They live in the database, like the customers' files (`MailAttachment`), so every app server sees them and they
go with the shop when it is removed. Sending moves a draft's files onto the message as `MailAttachment` rows.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class Upload(db.Model):
    """A file waiting on a draft (ticket_id and user_id) or kept on a reply template (template_id)."""

    __table_args__ = (
        sa.CheckConstraint("(ticket_id IS NOT NULL AND user_id IS NOT NULL) OR template_id IS NOT NULL",
                           name="owner"),
        sa.Index("ix_upload_draft", "ticket_id", "user_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    template_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("reply_template.id", ondelete="CASCADE"),
                                                          index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(127))
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    # A small JPEG or PNG of an image (services/uploads.thumbnail), shown in the composer and the thread.
    thumbnail: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.filename!r} {self.size} bytes>"
