from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class CustomerLink(db.Model):
    """A private link to one question's page for its customer (services/customer_links.py). Only the SHA-256 of
    the token is kept: the link itself exists only in the mail it was made for. Staff revoke every link of a
    ticket at once; the customer can ask for a fresh one by e-mail address."""

    __tablename__ = "customer_link"
    __table_args__ = (sa.Index("ix_customer_link_ticket", "ticket_id", "revoked_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class RateHit(db.Model):
    """One request to a public page, counted per bucket and key (an address, a link) to slow down floods and
    guessing (inbox/throttle.allow)."""

    __tablename__ = "rate_hit"
    __table_args__ = (sa.Index("ix_rate_hit_bucket_key_created", "bucket", "key", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bucket: so.Mapped[str] = so.mapped_column(sa.String(32))
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class RateCount(db.Model):
    """Requests to a public page per bucket, key (an address) and fixed window (`slot`: the window's number since
    the epoch): one row counted up by one statement, shared by every app process (inbox/throttle.allow_shared)."""

    __tablename__ = "rate_count"
    __table_args__ = (sa.Index("ix_rate_count_slot", "slot"),)

    bucket: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    slot: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hits: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)


class Rating(db.Model):
    """The customer's answer to "How did we do?" for one ticket: good, okay or bad, with an optional comment.
    One per ticket, changeable for a week after it was first given (services/satisfaction.py). Never a message:
    it does not touch the reply clock."""

    __tablename__ = "rating"
    __table_args__ = (sa.Index("ix_rating_shop_created", "shop_id", "created_at"),
                      # The performance page's bad ratings still to follow up, oldest first, whatever their age.
                      sa.Index("ix_rating_shop_follow_up", "shop_id", "score", "followed_up_at", "updated_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), unique=True)
    # Who answered the question when it was rated, and by which channel it came: the performance page's groups.
    agent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    score: so.Mapped[str] = so.mapped_column(sa.String(8))   # good, okay, bad
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # A bad rating is a task for the manager until someone marks it followed up.
    followed_up_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    followed_up_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
