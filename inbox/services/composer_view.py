"""What the composer shows: the live nudge panel and the view-model `_reply_form.html` renders.

Built on the ticket page and again by each composer endpoint (`views/composer.py`), for the signed-in user.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inbox import clock, nudges
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import Draft, Message, Ticket, User
from inbox.nudge_texts import hint_text
from inbox.services import composer as composer_service, reply_templates, sla as sla_service
from inbox.workflow import MessageKind, Status

PILLAR_LABELS = {"fast": _l("Fast"), "expert": _l("Expert"), "personal": _l("Personal")}


@dataclass(frozen=True)
class Hint:
    """One line of the panel: a check's outcome and its text (advice in the UI's language, phrase in the customer's)."""

    code: str
    ok: bool
    text: str


@dataclass
class NudgePanel:
    """The live review of a draft: checks grouped by pillar, and whether a short first reaction is advisable."""

    groups: list[tuple[str, str, list[Hint], bool]]   # pillar, label, its hints, all of them ok
    all_ok: bool
    first_reaction: bool
    active: bool = True  # False for an internal note: nothing goes to the customer
    empty: bool = False  # nothing typed yet: the checks show what the reply will need, not failures


def fast_check(ticket: Ticket, user: User, now: datetime) -> tuple[Hint, bool]:
    """The "fast" pillar comes from the reply clock: ok when this reply goes out before it is due.

    :return: the hint, and whether little time is left (due soon or overdue).
    """
    badge = sla_service.badge(ticket, user.shop, now)
    if badge is None or ticket.due_at is None:
        return Hint("fast", True, _("No reply is due: nobody is waiting on us.")), False
    if badge.state == "overdue":
        return Hint("fast", False, _("The reply is overdue. Send it now, or a short first reaction first.")), True
    if badge.state == "due_soon":
        return Hint("fast", True, _("Little time left: send now, or a short first reaction first.")), True
    return Hint("fast", True, _("Sent now, it is on time.")), False


def nudge_panel(ticket: Ticket, user: User, body: str, kind: str) -> NudgePanel:
    """The Fast / Expert / Personal checks for `body` as a reply (or note) on `ticket`, right now."""
    fast, hurry = fast_check(ticket, user, clock.now())
    checks = nudges.review(body, composer_service.latest_question(ticket), customer_name=ticket.customer_name or None)
    signer = user.first_name or ""
    groups = [("fast", str(PILLAR_LABELS["fast"]), [fast], fast.ok)]
    for pillar in ("expert", "personal"):
        mine = [Hint(c.code, c.ok, hint_text(c, signer)) for c in checks if c.pillar == pillar]
        groups.append((pillar, str(PILLAR_LABELS[pillar]), mine, all(c.ok for c in mine)))
    all_ok = bool(body.strip()) and fast.ok and all(c.ok for c in checks)
    return NudgePanel(groups, all_ok, hurry, active=kind != MessageKind.NOTE.value, empty=not body.strip())


@dataclass
class Composer:
    """Everything _reply_form.html needs; built on page load and again by each composer endpoint."""

    ticket: Ticket
    token: str
    seen_message_id: int
    body: str = ""
    kind: str = MessageKind.REPLY.value
    draft: Draft | None = None
    restored: bool = False
    suggested: list = field(default_factory=list)   # rows of reply_templates.template_bar
    other_count: int = 0
    tone: nudges.Tone | None = None
    panel: NudgePanel | None = None
    newer: list[Message] = field(default_factory=list)
    chosen_status: str = Status.PENDING.value
    error: str | None = None


_LOOK_UP = object()


def build_composer(ticket: Ticket, user: User, *, body: str | None = None, kind: str | None = None,
                   token: str | None = None, seen_message_id: int | None = None, draft: Draft | None = _LOOK_UP,
                   **extra) -> Composer:
    """The composer for `user` on `ticket`: the typed text if given, else the user's draft restored.

    `draft`: the user's unsent draft when the caller loaded it already (the ticket page does, with the ticket).
    """
    if draft is _LOOK_UP:
        draft = composer_service.draft_for(ticket, user)
    restored = body is None and draft is not None
    if body is None:
        body = draft.body if draft else ""
        kind = kind or (draft.kind if draft else None)
    kind = MessageKind.NOTE.value if kind == MessageKind.NOTE.value else MessageKind.REPLY.value
    if seen_message_id is None:
        seen_message_id = max((m.id for m in ticket.messages), default=0)
    suggested, other_count = reply_templates.template_bar(ticket, user.shop)
    return Composer(
        ticket=ticket, token=token or composer_service.new_token(), seen_message_id=seen_message_id, body=body,
        kind=kind, draft=draft, restored=restored, suggested=suggested, other_count=other_count,
        tone=nudges.detect_tone(composer_service.latest_question(ticket)), panel=nudge_panel(ticket, user, body, kind),
        **extra)
