"""Signed-in browsers, kept on the server so that a session can be ended (sign out, a new password, a
deactivated account) and a copied cookie stops working with it."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class LoginSession(db.Model):
    """One browser signed in as one user. The session cookie and the remember-me cookie carry a random token;
    only its SHA-256 is stored, so a leaked database signs nobody in."""

    __tablename__ = "login_session"
    __table_args__ = (sa.Index("ix_login_session_user", "user_id", "last_seen_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    remember: so.Mapped[bool] = so.mapped_column(default=False)
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"
