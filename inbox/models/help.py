"""The shop's help centre: articles customers read before (or instead of) asking, and how often they helped."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class HelpArticle(db.Model):
    """One answer to a frequent question, in Dutch and in English (either may be empty: the page falls back to
    the other). Only published articles are public; the URL is id + slug, so a new title keeps old links alive."""

    __table_args__ = (sa.Index("ix_help_article_shop_order", "shop_id", "published", "category", "position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), default="general")
    position: so.Mapped[int] = so.mapped_column(default=0)
    published: so.Mapped[bool] = so.mapped_column(default=False)
    title_nl: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    body_nl: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    title_en: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    body_en: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<HelpArticle {self.id} {self.category} {(self.title_nl or self.title_en)!r}>"


class HelpArticleWeek(db.Model):
    """Counters of one article in one week (Monday, the shop's date): how often the contact form suggested it,
    how often it was read, marked as the answer, and how often the question was sent anyway. Aggregates only:
    no row per view and nothing about who looked."""

    __table_args__ = (sa.UniqueConstraint("article_id", "week", name="uq_help_article_week"),
                      sa.Index("ix_help_article_week_shop", "shop_id", "week"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    article_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("help_article.id", ondelete="CASCADE"))
    week: so.Mapped[date] = so.mapped_column(sa.Date)
    shown: so.Mapped[int] = so.mapped_column(default=0)
    opened: so.Mapped[int] = so.mapped_column(default=0)
    answered: so.Mapped[int] = so.mapped_column(default=0)
    sent: so.Mapped[int] = so.mapped_column(default=0)
