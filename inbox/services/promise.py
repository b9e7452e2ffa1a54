"""What a customer is promised: the moment they will have an answer, and when the shop can be reached.

The moment is the reply norm itself (seed 001: 8 business hours, holidays skipped), computed by the pure
`inbox/sla.py` from the instant asked. A temporarily closed shop still answers mail within the norm, so a
closure does not move the promise; it only hides the phone (views/vacation.contact_details).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from inbox import clock
from inbox.models import Shop, Ticket
from inbox.services import norms, sla, team_photos
from inbox.sla import group_weekdays


ROUND_TO = timedelta(minutes=15)


def round_up(at: datetime, step: timedelta = ROUND_TO) -> datetime:
    """The next whole step at or after `at` (11:01 -> 11:15): a promise people read at a glance, never earlier
    than the norm's deadline, so keeping the norm keeps the promise."""
    epoch = datetime(2000, 1, 1, tzinfo=at.tzinfo)
    rest = (at - epoch) % step
    return at if not rest else at + (step - rest)


@dataclass(frozen=True)
class Promise:
    """An answer due at `due` (UTC; the reply clock's deadline), promised at the next quarter hour in the shop's
    zone."""

    due: datetime
    zone: str

    @property
    def local(self) -> datetime:
        return round_up(self.due).astimezone(ZoneInfo(self.zone))

    @property
    def iso(self) -> str:
        """ISO 8601 with the shop's UTC offset, for <time datetime="…">: 2026-12-03T13:00+01:00."""
        return self.local.isoformat(timespec="minutes")


@dataclass(frozen=True)
class ContactPromise:
    """What the public contact page promises right now."""

    promise: Promise
    business_hours: list[tuple[int, int, tuple]]   # sla.group_weekdays rows: the hours the norm counts
    phone_hours: list[tuple[int, int, tuple]]      # the owner's phone hours (reports settings)
    team: list[team_photos.TeamMember]              # who answers (who chose to show): first names, photos


def answer_by(shop: Shop, at: datetime | None = None) -> Promise:
    """The answer a question asked at `at` (now) is promised by."""
    return Promise(sla.due_after(shop, at or clock.now()), shop.timezone)


def for_ticket(ticket: Ticket, shop: Shop) -> Promise | None:
    """The promise a waiting ticket carries (its reply clock); None when nobody waits for us."""
    return Promise(clock.as_utc(ticket.due_at), shop.timezone) if ticket.due_at is not None else None


def contact_promise(shop: Shop, at: datetime | None = None) -> ContactPromise:
    weekly = {wd: tuple((a.strftime("%H:%M"), "24:00" if b.hour == 0 and b.minute == 0 else b.strftime("%H:%M"))
                        for a, b in spans) for wd, spans in sla.calendar_for(shop).weekly.items()}
    return ContactPromise(answer_by(shop, at), group_weekdays(weekly), group_weekdays(norms.phone_weekly_hours(shop.id)),
                          team_photos.team(shop))
