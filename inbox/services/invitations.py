"""Invitations and password links: single-use, for 48 hours, stored only as a hash and recorded in the audit log."""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from inbox import clock
from inbox.extensions import db
from inbox.models import Invitation, Shop, User
from inbox.services import audit, sessions, team
from inbox.tokens import hash_token
from inbox.workflow import Role

INVITE_TTL = timedelta(hours=48)


def _issue(shop_id: int, *, purpose: str, email: str, role: str, by: User | None,
           user: User | None = None) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    # Only the newest link for an address works: revoke the earlier ones still open.
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.shop_id == shop_id, Invitation.email == email, Invitation.purpose == purpose,
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now))
    invitation = Invitation(shop_id=shop_id, purpose=purpose, token_hash=hash_token(token), email=email,
                            role=role, invited_by=by, user=user, expires_at=now + INVITE_TTL, created_at=now)
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def invite(shop: Shop, *, email: str, role: str, by: User) -> tuple[Invitation, str]:
    """A single-use link (48 hours) for a new employee. Returns the invitation and the raw token,
    which is never stored: show it or mail it now.

    An address that has an account in another shop is invited like any other: telling this owner so would
    let one shop find out who works for another. The link then fails on acceptance like a spent one."""
    email = (email or "").strip().lower()
    role = Role(role).value
    if db.session.scalar(sa.select(User.id).where(User.email == email, User.shop_id == shop.id)) is not None:
        raise team.TeamError(_("%(email)s is already in your team.", email=email))
    invitation, token = _issue(shop.id, purpose="invite", email=email, role=role, by=by)
    audit.record(shop.id, "user.invite", actor=by, new=f"{email} ({role})")
    return invitation, token


def reset_password_link(user: User, *, by: User) -> tuple[Invitation, str]:
    """A new single-use link to set a password. The old password stops working at once,
    because a reset is often asked for when it may be known to someone else."""
    if not user.active:
        raise team.TeamError(_("Reactivate the account first."))
    invitation, token = _issue(user.shop_id, purpose="reset", email=user.email, role=user.role, by=by, user=user)
    user.password_hash = None
    sessions.end_all(user)  # whoever knew the old password is signed out everywhere too
    audit.record(user.shop_id, "user.password_reset", actor=by, subject_user=user)
    return invitation, token


def invitation_for(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))


def accept(token: str, *, name: str, password: str) -> User:
    """Use a link: create the invited account (or set the new password) and return the user.

    The link is claimed by one conditional UPDATE (still unused, unrevoked, unexpired): of two
    concurrent submits, on SQLite as on PostgreSQL, exactly one changes the row; the other is refused.
    """
    invitation = invitation_for(token)
    now = clock.now()
    if invitation is None or not invitation.usable(now):
        raise team.TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
    if len(password or "") < team.MIN_PASSWORD:
        raise team.TeamError(_("Choose a password of at least %(n)s characters.", n=team.MIN_PASSWORD))
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise team.TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
    invitation.used_at = now
    if invitation.purpose == "reset":
        user = invitation.user
        if user is None or not user.active:
            raise team.TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
        user.set_password(password)
        sessions.end_all(user)
        if name.strip():
            user.display_name = name.strip()[:120]
        audit.record(user.shop_id, "user.password_set", actor=user, subject_user=user)
        return user
    if db.session.scalar(sa.select(User.id).where(User.email == invitation.email)) is not None:
        # Taken meanwhile, or in another shop: the same words as a spent link, so the owner who holds this
        # link learns nothing about other shops from it.
        raise team.TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
    user = User(shop_id=invitation.shop_id, email=invitation.email, display_name=name.strip()[:120] or invitation.email,
                role=invitation.role, created_at=now)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    invitation.user = user
    audit.record(user.shop_id, "user.join", actor=user, subject_user=user, new=user.role)
    return user


def open_invitations(shop_id: int) -> list[Invitation]:
    return list(db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.shop_id == shop_id, Invitation.purpose == "invite", Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())))


def revoke(invitation: Invitation, *, by: User) -> None:
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
        audit.record(invitation.shop_id, "user.invite_revoke", actor=by, old=invitation.email)
