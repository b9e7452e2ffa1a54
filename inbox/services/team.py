"""Employee accounts, stand-ins and vacation mode.

Everything that changes who works on what goes through here and is recorded in the audit log:
invitations and password-reset links, roles, deactivation (with reassignment in the same step),
away periods and the hand-over of open tickets, the shop's temporary closure, and the automatic
acknowledgement customers get while the shop is closed.

For the mail intake: call ``auto_acknowledge(ticket, shop, auto_submitted=parsed.auto_submitted)``
right after ``tickets.create_ticket`` for a new question. It decides by itself whether to send
(shop closed, setting on, a customer address, not an automatic or bulk mail, not sent before).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from inbox import clock
from inbox.extensions import db
from inbox.i18n import force_locale
from inbox.tokens import hash_token
from inbox.models import Invitation, Message, OutboundEmail, Shop, Ticket, User
from inbox.services import assignment, audit, sessions, tickets
from inbox.workflow import Channel, MessageKind, Role, Status

log = logging.getLogger(__name__)

INVITE_TTL = timedelta(hours=48)
MIN_PASSWORD = 10
SWEEP_EVERY = timedelta(minutes=1)
# Channels whose customer gave us an address to write to; a phone call or the marketplace's own
# customer service is not someone to send an automatic mail to.
AUTO_ACK_CHANNELS = {Channel.EMAIL.value, Channel.WEBFORM.value}


class TeamError(ValueError):
    """A change that is not allowed; the message is shown to the user."""


# -- invitations and password links -------------------------------------------------------------

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
        raise TeamError(_("%(email)s is already in your team.", email=email))
    invitation, token = _issue(shop.id, purpose="invite", email=email, role=role, by=by)
    audit.record(shop.id, "user.invite", actor=by, new=f"{email} ({role})")
    return invitation, token


def reset_password_link(user: User, *, by: User) -> tuple[Invitation, str]:
    """A new single-use link to set a password. The old password stops working at once,
    because a reset is often asked for when it may be known to someone else."""
    if not user.active:
        raise TeamError(_("Reactivate the account first."))
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
        raise TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
    if len(password or "") < MIN_PASSWORD:
        raise TeamError(_("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD))
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
    invitation.used_at = now
    if invitation.purpose == "reset":
        user = invitation.user
        if user is None or not user.active:
            raise TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
        user.set_password(password)
        sessions.end_all(user)
        if name.strip():
            user.display_name = name.strip()[:120]
        audit.record(user.shop_id, "user.password_set", actor=user, subject_user=user)
        return user
    if db.session.scalar(sa.select(User.id).where(User.email == invitation.email)) is not None:
        # Taken meanwhile, or in another shop: the same words as a spent link, so the owner who holds this
        # link learns nothing about other shops from it.
        raise TeamError(_("This link is no longer valid. Ask the shop owner for a new one."))
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


# -- roles and accounts -------------------------------------------------------------------------

def _active_owners(shop_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.shop_id == shop_id, User.role == Role.OWNER.value, User.active.is_(True)))


def _guard_last_owner(user: User) -> None:
    if user.role == Role.OWNER.value and user.active and _active_owners(user.shop_id) <= 1:
        raise TeamError(_("%(name)s is the last active owner. Make someone else owner first.", name=user.display_name))


def change_role(user: User, role: str, *, by: User) -> None:
    role = Role(role).value
    if role == user.role:
        return
    if role != Role.OWNER.value:
        _guard_last_owner(user)
    audit.record(user.shop_id, "user.role", actor=by, subject_user=user, field="role", old=user.role, new=role)
    user.role = role


def open_tickets_of(user: User) -> list[Ticket]:
    """The tickets still on this person's plate: open or waiting for the customer."""
    return list(db.session.scalars(
        sa.select(Ticket).where(Ticket.shop_id == user.shop_id, Ticket.assignee_id == user.id,
                                Ticket.status != Status.SOLVED.value).order_by(Ticket.id)))


def _move_tickets(user: User, shop: Shop, to: User | None, *, by: User | None) -> int:
    moved = 0
    for ticket in open_tickets_of(user):
        tickets.assign(ticket, shop, to, by=by)
        moved += 1
    return moved


def deactivate(user: User, *, by: User, reassign_to: User | None) -> int:
    """Close an account: it can no longer sign in and keeps its history. Its open tickets go to
    `reassign_to` (or the unassigned queue) in the same step. Returns how many tickets moved."""
    if user.id == by.id:
        raise TeamError(_("You cannot deactivate your own account."))
    _guard_last_owner(user)
    if not user.active:
        return 0
    if reassign_to is not None and (reassign_to.shop_id != user.shop_id or not reassign_to.active
                                    or reassign_to.id == user.id):
        raise TeamError(_("Choose an active colleague to take over the open questions."))
    moved = _move_tickets(user, user.shop, reassign_to, by=by)
    user.active = False
    sessions.end_all(user)  # someone who leaves keeps no signed-in browser, nor a remember-me cookie
    user.away_from = user.away_until = None
    # Nobody keeps a deactivated stand-in; their tickets would bounce to the queue anyway.
    db.session.execute(sa.update(User).where(User.shop_id == user.shop_id, User.delegate_id == user.id)
                       .values(delegate_id=None))
    db.session.execute(sa.update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                                   Invitation.revoked_at.is_(None)).values(revoked_at=clock.now()))
    audit.record(user.shop_id, "user.deactivate", actor=by, subject_user=user,
                 new=(reassign_to.display_name if reassign_to else _("unassigned")) + f" ({moved})")
    return moved


def reactivate(user: User, *, by: User) -> None:
    if user.active:
        return
    user.active = True
    audit.record(user.shop_id, "user.reactivate", actor=by, subject_user=user)


def update_profile(user: User, *, name: str, locale: str | None) -> None:
    name = name.strip()[:120]
    if name and name != user.display_name:
        audit.record(user.shop_id, "user.update", actor=user, subject_user=user, field="name",
                     old=user.display_name, new=name)
        user.display_name = name
    locale = locale or None
    if locale != user.locale:
        audit.record(user.shop_id, "user.update", actor=user, subject_user=user, field="locale",
                     old=user.locale, new=locale)
        user.locale = locale


def change_password(user: User, *, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise TeamError(_("Your current password is not right."))
    if len(new or "") < MIN_PASSWORD:
        raise TeamError(_("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD))
    user.set_password(new)
    # Every other browser signs in again with the new password; this one stays signed in.
    sessions.end_all(user, except_token=user.session_token)
    audit.record(user.shop_id, "user.password", actor=user, subject_user=user)


# -- away periods and stand-ins ---------------------------------------------------------------

def stand_in_for(user: User, at: datetime) -> User | None:
    """Who takes over while `user` is away: the delegate, or the delegate's delegate when that one
    is away too; None (the unassigned queue) when the chain has nobody available."""
    seen = {user.id}
    candidate = user.delegate
    while candidate is not None and candidate.id not in seen:
        if candidate.shop_id == user.shop_id and assignment.is_available(candidate, at):
            return candidate
        seen.add(candidate.id)
        candidate = candidate.delegate
    return None


def hand_over(user: User, shop: Shop, at: datetime, *, by: User | None = None) -> int:
    """Move an away user's open tickets to the stand-in (or the queue). Returns how many moved."""
    if not user.is_away(at):
        return 0
    return _move_tickets(user, shop, stand_in_for(user, at), by=by)


def set_away(user: User, *, away_from: datetime | None, away_until: datetime | None,
             delegate: User | None, by: User) -> int:
    """Set (or clear, with no dates) the user's away period and stand-in. When the period has
    already started, the open tickets move right away; a scheduled one is picked up by the sweep."""
    if delegate is not None and (delegate.id == user.id or delegate.shop_id != user.shop_id or not delegate.active):
        raise TeamError(_("Choose an active colleague as stand-in."))
    if away_until is not None and away_from is None:
        away_from = clock.now()
    if away_from is not None and (away_until is None or away_until <= away_from):
        raise TeamError(_("The end of the away period must come after its start."))
    old = _period(user.away_from, user.away_until)
    user.delegate = delegate
    user.away_from, user.away_until = away_from, away_until
    new = _period(away_from, away_until)
    if old != new:
        audit.record(user.shop_id, "user.away", actor=by, subject_user=user, field="away", old=old, new=new)
    return hand_over(user, user.shop, clock.now(), by=by)


def _period(start: datetime | None, end: datetime | None) -> str | None:
    if start is None:
        return None
    return f"{start.isoformat(timespec='minutes')} – {end.isoformat(timespec='minutes') if end else '…'}"


def sweep_shop(shop: Shop, at: datetime | None = None) -> int:
    """Hand over the tickets of everyone in the shop who is away now. Safe to run any time."""
    at = at or clock.now()
    away = db.session.scalars(sa.select(User).where(
        User.shop_id == shop.id, User.away_from <= at, User.away_until > at,
        sa.exists().where(Ticket.assignee_id == User.id, Ticket.status != Status.SOLVED.value)))
    return sum(hand_over(user, shop, at) for user in away)


_last_sweep: dict[int, datetime] = {}


def sweep_if_due(shop: Shop) -> int:
    """The on-request check: a sweep at most once a minute per shop (per process), so scheduled away
    periods start without a cron job. `flask --app inbox team sweep` does the same for all shops."""
    now = clock.now()
    last = _last_sweep.get(shop.id)
    if last is not None and last <= now < last + SWEEP_EVERY:
        return 0
    _last_sweep[shop.id] = now
    return sweep_shop(shop, now)


def away_colleagues(shop_id: int, at: datetime) -> list[User]:
    """Who is away now or will be: for the team page."""
    return list(db.session.scalars(sa.select(User).where(
        User.shop_id == shop_id, User.active.is_(True), User.away_until > at).order_by(User.away_from)))


# -- the shop temporarily closed -------------------------------------------------------------

@dataclass
class Coverage:
    """Who will answer questions while the shop is closed."""

    working: list[User]   # active colleagues (besides the person closing) not away during the period
    away: list[User]      # active colleagues away for some of it

    @property
    def nobody(self) -> bool:
        return not self.working


def coverage(shop: Shop, start: datetime, end: datetime, *, besides: User) -> Coverage:
    working, away = [], []
    for user in db.session.scalars(sa.select(User).where(User.shop_id == shop.id, User.active.is_(True),
                                                         User.id != besides.id).order_by(User.display_name)):
        overlaps = (user.away_from is not None and user.away_until is not None
                    and user.away_from < end and user.away_until > start)
        (away if overlaps else working).append(user)
    return Coverage(working, away)


def close_shop(shop: Shop, *, closed_from: datetime | None, closed_until: datetime, by: User,
               auto_ack_enabled: bool, auto_ack_text: str | None) -> None:
    """Vacation mode: closed from `closed_from` (None: now) until `closed_until`."""
    closed_from = closed_from or clock.now()
    if closed_until <= closed_from:
        raise TeamError(_("The end of the closure must come after its start."))
    if closed_until <= clock.now():
        raise TeamError(_("This period lies in the past."))
    old = _period(shop.closed_from, shop.closed_until)
    shop.closed_from, shop.closed_until = closed_from, closed_until
    new = _period(closed_from, closed_until)
    if old != new:
        audit.record(shop.id, "shop.closed", actor=by, field="closed", old=old, new=new)
    set_auto_ack(shop, enabled=auto_ack_enabled, text=auto_ack_text, by=by)


def reopen_shop(shop: Shop, *, by: User) -> None:
    if shop.closed_from is None:
        return
    audit.record(shop.id, "shop.reopened", actor=by, field="closed", old=_period(shop.closed_from, shop.closed_until))
    shop.closed_from = shop.closed_until = None


def set_auto_ack(shop: Shop, *, enabled: bool, text: str | None, by: User) -> None:
    text = (text or "").strip() or None
    if (enabled, text) != (shop.auto_ack_enabled, shop.auto_ack_text):
        audit.record(shop.id, "shop.auto_ack", actor=by, field="auto_ack", old="on" if shop.auto_ack_enabled else "off",
                     new="on" if enabled else "off")
    shop.auto_ack_enabled, shop.auto_ack_text = enabled, text


def upcoming_closure(shop: Shop, at: datetime) -> bool:
    return shop.closed_from is not None and shop.closed_from > at and (shop.closed_until is None or shop.closed_until > at)


# -- the automatic acknowledgement -----------------------------------------------------------

def default_auto_ack_text(shop: Shop, language: str) -> str:
    from inbox.i18n import local_time  # formatting in the customer's language, in the shop's zone
    with force_locale("nl" if language == "nl" else "en"):
        if shop.closed_until is None:   # closed with no reopening date set
            return _("Thank you for your message. %(shop)s is temporarily closed, but your question has arrived "
                     "and will be answered within 8 business hours. There is no need to send it again.",
                     shop=shop.name)
        return _("Thank you for your message. %(shop)s is closed until %(until)s, but your question has arrived "
                 "and will be answered within 8 business hours. There is no need to send it again.",
                 shop=shop.name, until=local_time(shop.closed_until, "long"))


def auto_acknowledge(ticket: Ticket, shop: Shop, *, auto_submitted: bool = False,
                     at: datetime | None = None) -> OutboundEmail | None:
    """Queue the one automatic acknowledgement for a new question, when it is due; else None.

    Due when the shop is closed at `at`, the owner switched it on, the customer left an address
    (e-mail or web form), the incoming mail was not itself automatic or bulk (`auto_submitted`:
    Auto-Submitted, Precedence bulk/list, List-Id, ...: answering those causes mail loops), and the
    ticket never got one before. It is a Message of kind "auto": it does not stop the reply clock
    and never counts as the first reaction.
    """
    at = at or clock.now()
    if auto_submitted or not shop.auto_ack_enabled or not shop.is_closed(at):
        return None
    if not ticket.customer_email or ticket.channel not in AUTO_ACK_CHANNELS:
        return None
    key = f"auto-ack:{ticket.id}"
    already = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.ticket_id == ticket.id, Message.kind == MessageKind.AUTO.value))
    if already or db.session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.idempotency_key == key)):
        return None
    body = shop.auto_ack_text or default_auto_ack_text(shop, ticket.language)
    message = Message(shop_id=shop.id, kind=MessageKind.AUTO.value, body=body, created_at=at)
    ticket.messages.append(message)
    ticket.message_count = (ticket.message_count or 0) + 1
    db.session.flush()
    from inbox.mailparse import reply_subject
    outbound = OutboundEmail(shop_id=shop.id, ticket_id=ticket.id, message_id=message.id, idempotency_key=key,
                             to_addr=ticket.customer_email, subject=reply_subject(ticket.subject, ticket.id)[:300],
                             body=body, created_at=at, next_attempt_at=at)
    db.session.add(outbound)
    audit.record(shop.id, "ticket.auto_ack", ticket=ticket)
    return outbound
