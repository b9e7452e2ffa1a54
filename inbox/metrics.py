"""The performance measures as pure functions: no Flask, no database.

The norms (seed 001): 90% of new questions get a first reaction within 8 business hours; 90% of
call attempts during phone opening hours are answered; and a shop's questions per 100 orders stay
near its own trailing rate per product. The service measures are those of seed 003.

Weeks are ISO weeks (Monday 00:00 to the next Monday 00:00) in the shop's zone. Their bounds are
computed here as UTC instants, so a database can bucket rows by comparing with plain timestamps,
and a DST week is simply 167 or 169 hours long.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from inbox.sla import BusinessCalendar

NORM_SHARE = 0.9          # both the response and the phone norm
SLA_SECONDS = 8 * 3600    # a first reaction within 8 business hours
WARNING_AT = 10           # the marketplace mails the seller at 10 misses in one week
BANNER_AT = 5             # the inbox warns managers halfway there
VOLUME_FACTOR = 1.5       # a product is flagged above 1.5x its own expected rate...
VOLUME_MIN_QUESTIONS = 5  # ...with at least this many questions, so one odd question is no alarm
HISTORY_WEEKS = 13


# -- weeks ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Week:
    """One ISO week in a shop's zone; start and end are aware UTC instants (end exclusive)."""

    year: int
    week: int
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def monday(self, tz: tzinfo) -> date:
        return self.start.astimezone(tz).date()

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    # Midnight exists in every zone we serve (DST moves happen at 02:00/03:00 in Europe).
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def week_of(at: datetime, tz: tzinfo) -> Week:
    """The ISO week, in zone tz, that contains the instant `at`.

    :raise ValueError: a naive datetime.
    """
    if at.tzinfo is None:
        raise ValueError("week_of needs an aware datetime")
    local = at.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    year, week, _ = monday.isocalendar()
    return Week(year, week, _local_midnight(monday, tz), _local_midnight(monday + timedelta(days=7), tz))


def weeks_back(now: datetime, tz: tzinfo, count: int) -> list[Week]:
    """The `count` ISO weeks ending with the one containing now, oldest first."""
    current = week_of(now, tz)
    monday = current.monday(tz)
    weeks = []
    for back in range(count - 1, -1, -1):
        day = monday - timedelta(weeks=back)
        weeks.append(week_of(_local_midnight(day, tz) + timedelta(hours=12), tz))
    return weeks


def week_index(weeks: Sequence[Week], at: datetime) -> int | None:
    """Which of the consecutive `weeks` contains `at` (by bisection), or None."""
    starts = [w.start for w in weeks]
    i = bisect_right(starts, at) - 1
    return i if 0 <= i < len(weeks) and at < weeks[i].end else None


# -- response time -------------------------------------------------------------------------------

def first_reaction_outcome(first_reply_at: datetime | None, due: datetime | None, margin: int | None,
                           now: datetime) -> str:
    """"on_time", "late" (answered late), "missing" (no reaction, past due) or "waiting" (not due yet).

    An answer after closing time on the due day used no business time past the deadline, so the
    stored margin (business seconds to spare) decides, not the wall clock.
    """
    if first_reply_at is not None:
        if margin is not None:
            return "late" if margin < 0 else "on_time"
        return "late" if due is not None and first_reply_at > due else "on_time"
    if due is not None and now > due:
        return "missing"
    return "waiting"


@dataclass
class WeekScore:
    """The response norm for one week: counted by the week the question arrived (or was forwarded)."""

    week: Week
    on_time: int = 0
    late: int = 0
    missing: int = 0
    waiting: int = 0

    @property
    def missed(self) -> int:
        return self.late + self.missing

    @property
    def decided(self) -> int:
        return self.on_time + self.missed

    @property
    def total(self) -> int:
        return self.decided + self.waiting

    @property
    def share(self) -> float | None:
        """On time / decided; questions whose clock still runs are not counted yet."""
        return self.on_time / self.decided if self.decided else None

    @property
    def meets_norm(self) -> bool | None:
        return None if self.share is None else self.share >= NORM_SHARE


def response_scores(rows: Iterable[tuple], weeks: Sequence[Week], now: datetime) -> list[WeekScore]:
    """Score each week from rows (clock_start, first_reply_at, first_reply_due_at, first_reply_margin).

    One pass; rows outside the weeks are ignored.
    """
    scores = [WeekScore(w) for w in weeks]
    for start, replied, due, margin in rows:
        i = week_index(weeks, start)
        if i is not None:
            outcome = first_reaction_outcome(replied, due, margin, now)
            setattr(scores[i], outcome, getattr(scores[i], outcome) + 1)
    return scores


@dataclass
class Total:
    on_time: int
    missed: int

    @property
    def share(self) -> float | None:
        n = self.on_time + self.missed
        return self.on_time / n if n else None


def combine(scores: Sequence, good: str = "on_time") -> Total:
    """The share over several weeks: pooled counts, not the average of weekly shares.
    `good` names the attribute counting successes (on_time for replies, answered for calls)."""
    return Total(sum(getattr(s, good) for s in scores), sum(s.missed for s in scores))


@dataclass(frozen=True)
class AtRisk:
    """A question of this week still waiting for a first reaction and not yet late."""

    ticket_id: int
    subject: str
    due: datetime
    seconds_left: int   # business seconds until due
    assignee: str | None


def forecast(waiting: Iterable[tuple], cal: BusinessCalendar, now: datetime) -> list[AtRisk]:
    """Open questions that will also miss unless answered before their due time, soonest first.

    :param waiting: (ticket_id, subject, first_reply_due_at, assignee name) of this week's questions
        without a first reaction whose due time has not passed.
    """
    result = [AtRisk(tid, subject, due, cal.business_seconds_between(now, due), who)
              for tid, subject, due, who in waiting if due is not None and due >= now]
    return sorted(result, key=lambda r: r.due)


# -- phone ----------------------------------------------------------------------------------------

@dataclass
class PhoneScore:
    week: Week
    answered: int = 0
    missed: int = 0
    outside_hours: int = 0   # attempts outside opening hours or while temporarily closed: not counted

    @property
    def attempts(self) -> int:
        return self.answered + self.missed

    @property
    def share(self) -> float | None:
        return self.answered / self.attempts if self.attempts else None


def phone_scores(calls: Iterable[tuple], weeks: Sequence[Week], hours: BusinessCalendar,
                 closures: Sequence[tuple[datetime, datetime | None]] = ()) -> list[PhoneScore]:
    """Reachability per week from calls (at, direction, answered).

    Only incoming attempts count, and only while the phone was offered: inside the phone's opening
    hours (`hours`, a calendar whose holidays are skipped) and outside temporary closures
    (from, until-or-None).
    """
    scores = [PhoneScore(w) for w in weeks]
    for at, direction, answered in calls:
        if direction != "in":
            continue
        i = week_index(weeks, at)
        if i is None:
            continue
        if not hours.is_open(at) or any(f <= at and (u is None or at < u) for f, u in closures):
            scores[i].outside_hours += 1
        elif answered:
            scores[i].answered += 1
        else:
            scores[i].missed += 1
    return scores


# -- question volume ------------------------------------------------------------------------------

def per_hundred(questions: int, orders: int) -> float | None:
    return 100.0 * questions / orders if orders else None


@dataclass
class VolumeWeek:
    week: Week
    questions: int
    orders: int
    expected: float | None   # the trailing 13-week rate before this week

    @property
    def rate(self) -> float | None:
        return per_hundred(self.questions, self.orders)

    @property
    def above(self) -> bool:
        return self.rate is not None and self.expected is not None and self.rate > self.expected * VOLUME_FACTOR


def volume_weeks(questions: Sequence[int], orders: Sequence[int], weeks: Sequence[Week],
                 history: int = HISTORY_WEEKS) -> list[VolumeWeek]:
    """Questions per 100 orders for the last len(weeks) weeks; `questions` and `orders` hold
    `history` more weeks before them (oldest first), for the trailing expectation."""
    offset = len(questions) - len(weeks)
    result = []
    for i, week in enumerate(weeks):
        j = offset + i
        past_q, past_o = sum(questions[max(0, j - history):j]), sum(orders[max(0, j - history):j])
        result.append(VolumeWeek(week, questions[j], orders[j], per_hundred(past_q, past_o)))
    return result


@dataclass
class ProductRate:
    product: str
    questions: int
    orders: int
    past_questions: int
    past_orders: int
    categories: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return per_hundred(self.questions, self.orders)

    @property
    def expected(self) -> float | None:
        return per_hundred(self.past_questions, self.past_orders)

    @property
    def ratio(self) -> float | None:
        if self.rate is None or not self.expected:
            return None
        return self.rate / self.expected

    @property
    def flagged(self) -> bool:
        """Well above its own expectation. A product without history is flagged only when it draws
        many questions on few orders (rate over 1.5x the shop's expectation is judged by the caller)."""
        return (self.questions >= VOLUME_MIN_QUESTIONS and self.ratio is not None
                and self.ratio > VOLUME_FACTOR)


def product_rates(now_counts: dict[str, tuple[int, int]], past_counts: dict[str, tuple[int, int]],
                  categories: dict[str, Counter] | None = None) -> list[ProductRate]:
    """Per product: (questions, orders) in the period against the 13 weeks before it; flagged first,
    then by questions."""
    rows = []
    for product in set(now_counts) | set(past_counts):
        q, o = now_counts.get(product, (0, 0))
        pq, po = past_counts.get(product, (0, 0))
        if q == 0 and o == 0:
            continue
        top = (categories or {}).get(product, Counter()).most_common(3)
        rows.append(ProductRate(product, q, o, pq, po, top))
    return sorted(rows, key=lambda r: (not r.flagged, -(r.ratio or 0) if r.flagged else 0, -r.questions, r.product))


# -- service measures (seed 003) -------------------------------------------------------------------

@dataclass
class TicketFacts:
    """What the service measures need of one ticket: its clock start and the public thread."""

    ticket_id: int
    assignee_id: int | None
    channel: str
    clock_start: datetime
    status: str
    solved_at: datetime | None
    # (kind, at) of customer messages and public replies, in time order; notes and auto-replies left out.
    thread: list[tuple[str, datetime]]


@dataclass
class ServiceMeasures:
    tickets: int = 0
    first_response_median: float | None = None
    first_response_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    between_responses_avg: float | None = None
    first_contact_share: float | None = None
    first_contact_solved: int = 0
    solved: int = 0
    waiting_median: float | None = None
    waiting_p90: float | None = None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return float(ordered[lo]) if lo == hi else ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class TicketFigures:
    """One ticket's service figures in whole business minutes (what TicketMeasure stores)."""

    first_response: int | None = None
    resolution: int | None = None
    gap_sum: int = 0
    gap_count: int = 0
    wait: int = 0
    solved: bool = False
    first_contact: bool = False
    # On an open ticket whose customer waits for us: its whole wait at any moment is the business minute of that
    # moment (BusinessCalendar.business_minute) minus this key, the minute the wait began less the waits before.
    wait_key: int | None = None


def ticket_figures(t: TicketFacts, cal: BusinessCalendar) -> TicketFigures:
    """The business-hour figures of one ticket, in whole business minutes: each duration is the difference of the
    business minutes (cal.business_minute) at its two ends, so durations add up exactly.

    - first response: clock start (receipt, or the marketplace's forward) to the first reply;
    - resolution: clock start to solved, for solved tickets;
    - gaps: between consecutive public replies in the thread;
    - first contact: solved with exactly one reply and no customer message after it;
    - wait: the business time the customer spent waiting for us (every wait from a customer
      message to our next reply; on an open ticket the current wait runs until now: wait_key).
    """
    minute = cal.business_minute
    start = minute(t.clock_start)
    f = TicketFigures()
    replies = [at for kind, at in t.thread if kind == "reply"]
    reply_minutes = [minute(at) for at in replies]
    if replies:
        f.first_response = max(0, reply_minutes[0] - start)
    if t.status == "solved" and t.solved_at is not None:
        f.solved = True
        f.resolution = max(0, minute(t.solved_at) - start)
        followed_up = any(kind == "customer" and at > replies[0] for kind, at in t.thread) if replies else True
        f.first_contact = len(replies) == 1 and not followed_up
    for a, b in zip(reply_minutes, reply_minutes[1:]):
        f.gap_sum += b - a
        f.gap_count += 1
    since: int | None = start
    for kind, at in t.thread:
        if kind == "customer" and since is None:
            since = minute(at)
        elif kind == "reply" and since is not None:
            f.wait += max(0, minute(at) - since)
            since = None
    if since is not None and t.status == "open":
        f.wait_key = since - f.wait
    return f


def with_running_wait(f: TicketFigures, cal: BusinessCalendar, now: datetime) -> TicketFigures:
    """The figures as of now: an open ticket's current wait counted up to this moment."""
    if f.wait_key is not None:
        f.wait = cal.business_minute(now) - f.wait_key
        f.wait_key = None
    return f


def summarise(figures: Sequence[TicketFigures]) -> ServiceMeasures:
    """Medians, 90th percentiles, averages and shares over tickets' figures."""
    first = [f.first_response for f in figures if f.first_response is not None]
    resolution = [f.resolution for f in figures if f.resolution is not None]
    gap_sum, gap_count = sum(f.gap_sum for f in figures), sum(f.gap_count for f in figures)
    waits = [f.wait for f in figures]
    m = ServiceMeasures(tickets=len(figures))
    m.solved = sum(1 for f in figures if f.solved)
    m.first_contact_solved = sum(1 for f in figures if f.first_contact)
    m.first_response_median, m.first_response_p90 = percentile(first, .5), percentile(first, .9)
    m.resolution_median, m.resolution_p90 = percentile(resolution, .5), percentile(resolution, .9)
    m.between_responses_avg = gap_sum / gap_count if gap_count else None
    m.first_contact_share = m.first_contact_solved / m.solved if m.solved else None
    m.waiting_median, m.waiting_p90 = percentile(waits, .5), percentile(waits, .9)
    return m


def service_measures(facts: Iterable[TicketFacts], cal: BusinessCalendar, now: datetime) -> ServiceMeasures:
    """The seed-003 measures over the tickets given (see ticket_figures for the definitions)."""
    return summarise([with_running_wait(ticket_figures(t, cal), cal, now) for t in facts])


def group_figures(rows: Iterable[tuple], key_index: int) -> dict:
    """rows of (assignee_id, channel, TicketFigures) -> {key: ServiceMeasures} by rows' key_index."""
    groups: dict = defaultdict(list)
    for row in rows:
        groups[row[key_index]].append(row[2])
    return {k: summarise(v) for k, v in groups.items()}
