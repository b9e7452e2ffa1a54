"""Employee accounts and vacation mode.

Everything that changes who works on what goes through here and is recorded in the audit log: roles,
deactivation (with reassignment in the same step), the shop's temporary closure, and the automatic
acknowledgement customers get while the shop is closed. Invitations and password links are in
services/invitations.py, a colleague's away period and stand-in in services/away.py.

For the mail intake: call ``auto_acknowledge(ticket, shop, auto_submitted=parsed.auto_submitted)``
right after ``tickets.create_ticket`` for a new question. It decides by itself whether to send
(shop closed, setting on, a customer address, not an automatic or bulk mail, not sent before).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from inbox import clock
from inbox.extensions import db
from inbox.i18n import force_locale
from inbox.models import Invitation, Message, OutboundEmail, Shop, Ticket, User
from inbox.services import audit, promise, sessions, tickets
from inbox.workflow import Channel, MessageKind, Role, Status

log = logging.getLogger(__name__)

MIN_PASSWORD = 10
# Channels whose customer gave us an address to write to; a phone call or the marketplace's own
# customer service is not someone to send an automatic mail to.
AUTO_ACK_CHANNELS = {Channel.EMAIL.value, Channel.WEBFORM.value}


class TeamError(ValueError):
    """A change that is not allowed; the message is shown to the user."""


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


# Listed, not "!= solved": the index (shop, assignee, status) then reads one range per person and status, where the
# negation would read every ticket the shop ever had (70 ms for the team page at 1,000,000).
_NOT_SOLVED = [s.value for s in Status if s is not Status.SOLVED]


def open_tickets_of(user: User, limit: int | None = None) -> list[Ticket]:
    """The tickets still on this person's plate: open or waiting for the customer (the first `limit`)."""
    return list(db.session.scalars(
        sa.select(Ticket).where(Ticket.shop_id == user.shop_id, Ticket.assignee_id == user.id,
                                Ticket.status.in_(_NOT_SOLVED)).order_by(Ticket.id).limit(limit)))


def open_counts(shop_id: int, user_ids: list[int]) -> dict[int, int]:
    """How many tickets are still on each of these people's plates."""
    if not user_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Ticket.assignee_id, sa.func.count())
        .where(Ticket.shop_id == shop_id, Ticket.assignee_id.in_(user_ids), Ticket.status.in_(_NOT_SOLVED))
        .group_by(Ticket.assignee_id)).all())


def move_open_tickets(user: User, shop: Shop, to: User | None, *, by: User | None) -> int:
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
    moved = move_open_tickets(user, user.shop, reassign_to, by=by)
    user.active = False
    sessions.end_all(user)  # someone who leaves keeps no signed-in browser, nor a remember-me cookie
    user.away_from = user.away_until = None
    # Nobody keeps a deactivated stand-in; their tickets would bounce to the queue anyway.
    db.session.execute(sa.update(User).where(User.shop_id == user.shop_id, User.delegate_id == user.id)
                       .values(delegate_id=None))
    db.session.execute(sa.update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                                   Invitation.revoked_at.is_(None)).values(revoked_at=clock.now()))
    audit.record(user.shop_id, "user.deactivate", actor=by, subject_user=user,
                 new=f"{reassign_to.display_name if reassign_to else ''} ({moved})")   # worded by audit_texts
    return moved


def reactivate(user: User, *, by: User) -> None:
    if user.active:
        return
    user.active = True
    audit.record(user.shop_id, "user.reactivate", actor=by, subject_user=user)


def update_profile(user: User, *, name: str, locale: str | None, show_on_contact: bool | None = None) -> None:
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
    if show_on_contact is not None and bool(show_on_contact) != user.show_on_contact:
        audit.record(user.shop_id, "user.update", actor=user, subject_user=user, field="show_on_contact",
                     old="on" if user.show_on_contact else "off", new="on" if show_on_contact else "off")
        user.show_on_contact = bool(show_on_contact)


def change_password(user: User, *, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise TeamError(_("Your current password is not right."))
    if len(new or "") < MIN_PASSWORD:
        raise TeamError(_("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD))
    user.set_password(new)
    # Every other browser signs in again with the new password; this one stays signed in.
    sessions.end_all(user, except_token=user.session_token)
    audit.record(user.shop_id, "user.password", actor=user, subject_user=user)


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
    old = clock.period_text(shop.closed_from, shop.closed_until)
    shop.closed_from, shop.closed_until = closed_from, closed_until
    new = clock.period_text(closed_from, closed_until)
    if old != new:
        audit.record(shop.id, "shop.closed", actor=by, field="closed", old=old, new=new)
    set_auto_ack(shop, enabled=auto_ack_enabled, text=auto_ack_text, by=by)


def reopen_shop(shop: Shop, *, by: User) -> None:
    if shop.closed_from is None:
        return
    audit.record(shop.id, "shop.reopened", actor=by, field="closed", old=clock.period_text(shop.closed_from, shop.closed_until))
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


def standard_ack_text(shop: Shop, language: str) -> str:
    """The acknowledgement of a shop that is open (the owner chose to acknowledge every question)."""
    with force_locale("nl" if language == "nl" else "en"):
        return _("Thank you for your message to %(shop)s. Your question has arrived and is waiting for one of us; "
                 "there is no need to send it again.", shop=shop.name)


def promise_text(ticket: Ticket, shop: Shop, language: str) -> str | None:
    """"You will have an answer by Thursday 3 December, 13:00." in the customer's language and the shop's zone."""
    from inbox.i18n import local_time
    promised = promise.for_ticket(ticket, shop)
    if promised is None:
        return None
    with force_locale("nl" if language == "nl" else "en"):
        return _("You will have an answer by %(when)s.", when=local_time(promised.local, "promise", shop.timezone))


def auto_acknowledge(ticket: Ticket, shop: Shop, *, auto_submitted: bool = False,
                     at: datetime | None = None) -> OutboundEmail | None:
    """Queue the one automatic acknowledgement for a new question, when it is due; else None.

    Due when the owner asked for it: for every question (`Shop.ack_all`), or while the shop is closed
    (`auto_ack_enabled`, with its own text); the customer left an address (e-mail or web form), the
    incoming mail was not itself automatic or bulk (`auto_submitted`: Auto-Submitted, Precedence
    bulk/list, List-Id, ...: answering those causes mail loops), and the ticket never got one before.
    It states the moment the customer will have an answer (the ticket's reply clock). It is a Message
    of kind "auto": it does not stop the reply clock and never counts as the first reaction.
    """
    at = at or clock.now()
    closed_ack = shop.auto_ack_enabled and shop.is_closed(at)
    if auto_submitted or not (closed_ack or shop.ack_all):
        return None
    if not ticket.customer_email or ticket.channel not in AUTO_ACK_CHANNELS:
        return None
    key = f"auto-ack:{ticket.id}"
    already = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
        Message.ticket_id == ticket.id, Message.kind == MessageKind.AUTO.value))
    if already or db.session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.idempotency_key == key)):
        return None
    if closed_ack:
        body = shop.auto_ack_text or default_auto_ack_text(shop, ticket.language)
    else:
        body = standard_ack_text(shop, ticket.language)
    promised = promise_text(ticket, shop, ticket.language)
    if promised:
        body = f"{body}\n\n{promised}"
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
