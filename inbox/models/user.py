from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from inbox import passwords
from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow
from inbox.workflow import Role, may


class User(UserMixin, db.Model):
    """A login. Owned by one shop; the owner delegates to staff through these employee accounts."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    # Read only to sign in or change it: not loaded (nor kept in memory) with every page's user.
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256), deferred=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default=Role.AGENT.value)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))  # None: follow the browser
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Away (holiday, sick leave): away_from <= now < away_until. While away, open tickets go to the delegate
    # (the stand-in) or the unassigned queue, and automatic assignment skips this user (services/team.py).
    away_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    away_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    delegate_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Present the team (seed 004): this person's first name on the shop's public contact page, by their choice.
    show_on_contact: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    shop: so.Mapped["Shop"] = so.relationship(back_populates="users")  # noqa: F821
    delegate: so.Mapped["User | None"] = so.relationship(remote_side=[id], foreign_keys=[delegate_id])

    def is_away(self, at: datetime) -> bool:
        """Whether the user is away at the instant `at` (an away period needs an end)."""
        return (self.away_from is not None and self.away_until is not None
                and self.away_from <= at < self.away_until)

    # This browser's sign-in (services/sessions.py), set when the user is loaded for a request or signs in.
    session_token = None
    login_session = None

    def get_id(self) -> str:
        """Flask-Login keeps this in the session and remember-me cookies: the browser's token, not the user id,
        so that ending the LoginSession row ends every copy of those cookies."""
        if not self.session_token:
            raise RuntimeError("sign in through inbox.views.auth.sign_in, which starts a LoginSession")
        return self.session_token

    def __eq__(self, other):
        """The same account, whichever browser it was loaded for (UserMixin compares get_id(), the token)."""
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    __hash__ = object.__hash__

    # Flask-Login: a deactivated account cannot sign in, and its open sessions stop working.
    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.make(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and passwords.check(self.password_hash, password)

    def may(self, permission: str) -> bool:
        return may(self.role, permission)

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name else ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"
