"""Saying how it went: "How did we do?" when a question is solved, the customer's rating, the follow-up of a bad
one, and the figures for the performance page.

The mail's links only open a page (views/customer.py); the rating is saved by the form on it (POST). Link
scanners and mail prefetchers follow every link in a mail with GET, so a GET that saved "bad" would rate on the
customer's behalf. A rating is never a message: it does not restart or stop the reply clock.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from inbox import clock, mailparse, metrics
from inbox.extensions import db
from inbox.i18n import _, force_locale, lazy_gettext as _l
from inbox.mailparse import reply_subject
from inbox.models import InboundMail, Message, OutboundEmail, Rating, Shop, Ticket, TicketTag, User
from inbox.services import audit
from inbox.workflow import MessageKind

SCORES = ("good", "okay", "bad")
SCORE_NAMES = {"good": _l("Good"), "okay": _l("Okay"), "bad": _l("Bad")}
MODES = ("reply", "separate", "off")
CHANGE_WINDOW = timedelta(days=7)
FOLLOW_UP_TAG = "bad-rating"
# Addresses that are machines, never people: no survey (and no mail loop).
MACHINES = ("no-reply", "noreply", "do-not-reply", "donotreply", "mailer-daemon", "postmaster", "bounce",
            "bounces", "notifications", "auto-reply", "autoreply")
SPAM_TAGS = {"spam"}


class RatingError(ValueError):
    """A rating that cannot be saved; the message is shown to the customer."""


def is_machine(address: str | None) -> bool:
    local = (address or "").split("@", 1)[0].lower()
    return not local or local in MACHINES or local.startswith(("bounce+", "bounces+", "no-reply+", "noreply+"))


def rating_for(ticket: Ticket) -> Rating | None:
    return db.session.scalar(sa.select(Rating).where(Rating.ticket_id == ticket.id))


def may_ask(ticket: Ticket, shop: Shop) -> bool:
    """Ask only people (not no-reply, bounce or automatic senders), not for spam, and only once per ticket."""
    if shop.rating_mode == "off" or not ticket.customer_email or is_machine(ticket.customer_email):
        return False
    if SPAM_TAGS & set(ticket.tags) or _auto_submitted_question(ticket):
        return False
    return rating_for(ticket) is None


def _auto_submitted_question(ticket: Ticket) -> bool:
    """A question opened by an automatic mail (an out-of-office, a mailing list) gets no survey either."""
    raw = db.session.scalar(sa.select(InboundMail.raw).where(InboundMail.ticket_id == ticket.id,
                                                             InboundMail.outcome == "new").limit(1))
    return bool(raw) and mailparse.is_automatic(raw)


def footer_for_reply(ticket: Ticket, shop: Shop) -> str | None:
    """The outbox footer of a reply: "rating" when this reply solved the ticket and the shop asks in it."""
    if ticket.status == "solved" and shop.rating_mode == "reply" and may_ask(ticket, shop):
        return "rating"
    return None


def on_solved(ticket: Ticket, shop: Shop, at: datetime) -> OutboundEmail | None:
    """The shop asks in a separate short mail: queue it when a ticket is solved (by a reply or a status change)."""
    if shop.rating_mode != "separate" or not may_ask(ticket, shop):
        return None
    db.session.flush()
    key = f"rating:{ticket.id}:{int(at.timestamp())}"
    with force_locale("nl" if ticket.language == "nl" else "en"):
        body = _("Your question \"%(subject)s\" is solved. We would like to know how we did: one click is "
                 "enough.", subject=ticket.subject)
    row = OutboundEmail(shop_id=shop.id, ticket_id=ticket.id, message_id=None, idempotency_key=key, footer="rating",
                        to_addr=ticket.customer_email, subject=reply_subject(ticket.subject, ticket.id)[:300],
                        body=body, created_at=at, next_attempt_at=at)
    db.session.add(row)
    return row


def changeable_until(rating: Rating | None) -> datetime | None:
    """When the customer's rating becomes final (none given yet: None)."""
    return None if rating is None else clock.as_utc(rating.created_at) + CHANGE_WINDOW


def can_change(rating: Rating | None, now: datetime) -> bool:
    return rating is None or now < changeable_until(rating)


def rate(ticket: Ticket, shop: Shop, score: str, comment: str | None) -> Rating:
    """Save the customer's rating (or change it within the week). A bad one becomes a task for the manager:
    an internal note on the ticket and the tag "bad-rating", until someone marks it followed up."""
    if score not in SCORES:
        raise RatingError(_("Choose good, okay or bad."))
    now = clock.now()
    rating = rating_for(ticket)
    if not can_change(rating, now):
        raise RatingError(_("This rating can no longer be changed: ratings can be changed for 7 days."))
    comment = (comment or "").strip()[:2000] or None
    was_bad = rating is not None and rating.score == "bad"
    if rating is None:
        rating = Rating(shop_id=shop.id, ticket_id=ticket.id, channel=ticket.channel, created_at=now)
        db.session.add(rating)
    rating.agent_id = ticket.assignee_id
    rating.score, rating.comment, rating.updated_at = score, comment, now
    audit.record(shop.id, "ticket.rated", ticket=ticket, field="rating", new=score)
    if score == "bad" and not was_bad:
        open_follow_up(ticket, shop, comment, now)
        rating.followed_up_at = rating.followed_up_by = None
    return rating


def open_follow_up(ticket: Ticket, shop: Shop, comment: str | None, now: datetime) -> None:
    """A bad rating becomes the manager's task: an internal note with the comment, and the bad-rating tag."""
    with force_locale("nl" if shop.country in ("NL", "BE") else "en"):
        text = _("The customer rated this conversation bad.")
        if comment:
            text += "\n" + _("Their comment: %(comment)s", comment=comment)
        text += "\n" + _("Follow up with them, then mark it done on the performance page.")
    ticket.messages.append(Message(shop_id=shop.id, kind=MessageKind.NOTE.value, body=text, created_at=now))
    ticket.message_count = (ticket.message_count or 0) + 1
    if FOLLOW_UP_TAG not in ticket.tags:
        ticket.tag_rows.append(TicketTag(name=FOLLOW_UP_TAG))
    ticket.updated_at = now


def mark_followed_up(rating: Rating, *, by: User) -> None:
    if rating.followed_up_at is None:
        rating.followed_up_at, rating.followed_up_by = clock.now(), by.id
        ticket = db.session.get(Ticket, rating.ticket_id)
        ticket.tag_rows = [row for row in ticket.tag_rows if row.name != FOLLOW_UP_TAG]
        audit.record(rating.shop_id, "ticket.rating_followed_up", actor=by, ticket=ticket)


# -- the performance page ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Ratings of one group (a week, an agent, a channel)."""

    label: str
    good: int = 0
    okay: int = 0
    bad: int = 0

    @property
    def total(self) -> int:
        return self.good + self.okay + self.bad

    @property
    def share_good(self) -> float | None:
        """Satisfaction (CSAT): good ratings among all."""
        return self.good / self.total if self.total else None

    def add(self, score: str) -> None:
        setattr(self, score, getattr(self, score) + 1)


@dataclass
class Satisfaction:
    weeks: list[tuple[metrics.Week, Tally]]
    agents: list[Tally]
    channels: list[tuple[str, Tally]]
    total: Tally
    comments: list[tuple[Rating, str, str | None]] = field(default_factory=list)   # rating, subject, agent name
    follow_up: list[tuple[Rating, str, str | None]] = field(default_factory=list)


COMMENTS_SHOWN = 10


def summary(shop: Shop, weeks: list[metrics.Week], *, agent_id: int | None = None) -> Satisfaction:
    """Ratings given in these weeks, per week, per agent and per channel (one query), the latest comments, and
    the bad ratings nobody followed up yet (any age). `agent_id`: only that agent's."""
    query = (sa.select(Rating, Ticket.subject, User.display_name).join(Ticket, Ticket.id == Rating.ticket_id)
             .outerjoin(User, User.id == Rating.agent_id)
             .where(Rating.shop_id == shop.id, Rating.created_at >= weeks[0].start, Rating.created_at < weeks[-1].end)
             .order_by(Rating.updated_at.desc()))
    if agent_id is not None:
        query = query.where(Rating.agent_id == agent_id)
    per_week = {w.key: Tally(w.key) for w in weeks}
    agents: dict[str, Tally] = {}
    channels: dict[str, Tally] = defaultdict(lambda: Tally(""))
    total = Tally("")
    comments = []
    for rating, subject, agent in db.session.execute(query):
        created = clock.as_utc(rating.created_at)
        for w in weeks:
            if w.start <= created < w.end:
                per_week[w.key].add(rating.score)
                break
        name = agent or _("Unassigned")
        agents.setdefault(name, Tally(name)).add(rating.score)
        channels[rating.channel].add(rating.score)
        total.add(rating.score)
        if rating.comment and len(comments) < COMMENTS_SHOWN:
            comments.append((rating, subject, agent))
    follow = (sa.select(Rating, Ticket.subject, User.display_name).join(Ticket, Ticket.id == Rating.ticket_id)
              .outerjoin(User, User.id == Rating.agent_id)
              .where(Rating.shop_id == shop.id, Rating.score == "bad", Rating.followed_up_at.is_(None))
              .order_by(Rating.updated_at).limit(50))
    if agent_id is not None:
        follow = follow.where(Rating.agent_id == agent_id)
    return Satisfaction([(w, per_week[w.key]) for w in weeks], sorted(agents.values(), key=lambda t: t.label),
                        sorted(channels.items()), total, comments, list(db.session.execute(follow)))
