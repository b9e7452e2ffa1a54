"""Employee accounts: invitations (and password-reset links), and the contact-form rate limit."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class Invitation(db.Model):
    """A single-use link that lets someone set a password: a new employee (purpose "invite") or an
    existing one whose password the owner reset (purpose "reset").

    Only the SHA-256 of the token is stored, so a leaked database cannot be used to sign in.
    """

    __table_args__ = (sa.Index("ix_invitation_shop_created", "shop_id", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    purpose: so.Mapped[str] = so.mapped_column(sa.String(8), default="invite")  # invite | reset
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    role: so.Mapped[str] = so.mapped_column(sa.String(16))
    # For a reset: the account whose password is set; for an invite: the account created on acceptance.
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    invited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    invited_by: so.Mapped["User | None"] = so.relationship(foreign_keys=[invited_by_id], lazy="joined")  # noqa: F821
    user: so.Mapped["User | None"] = so.relationship(foreign_keys=[user_id])  # noqa: F821

    def usable(self, at: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and at < self.expires_at

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.purpose} {self.email} {self.role}>"


class ContactSubmission(db.Model):
    """One message sent through the public contact form; counted per address to slow down floods."""

    __table_args__ = (sa.Index("ix_contact_submission_ip", "ip", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    ip: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class UserPhoto(db.Model):
    """A colleague's photo for the shop's public team block (seed 004: present the team), chosen on their account
    page: re-encoded by services/team_photos (a square JPEG, no EXIF), served under an unguessable `key` that a
    new photo replaces, and only while its user is active and chose to be shown."""

    __tablename__ = "user_photo"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
