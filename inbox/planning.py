"""Plan a quiet period: weekly question volume, next weeks' expected volume, the quietest weeks.

PURE: no Flask, no database. Weeks are ISO weeks, keyed by their Monday (a local date).
The expectation for a coming week is the same week last year (smoothed 1-2-1 with its neighbours),
scaled by the recent trend: the last 8 weeks against the same 8 weeks a year earlier.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

YEAR = timedelta(weeks=52)   # 364 days: the same ISO week last year, give or take a week every ~6 years
TREND_WEEKS = 8
TREND_LIMITS = (0.5, 2.0)    # a trend outside this range says more about missing data than about the shop
# Half a year ahead: a seller planning in spring sees the summer holidays (July and August), and last year's
# same weeks are still in the past to copy from.
AHEAD_WEEKS = 26


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(days: Iterable[date]) -> Counter:
    """How many questions arrived per week (keyed by Monday), from the local arrival dates."""
    return Counter(monday(d) for d in days)


def trend(counts: Counter, this_week: date) -> float:
    """Recent weeks against the same weeks a year earlier; 1.0 without a year of history."""
    recent = sum(counts.get(this_week - timedelta(weeks=i), 0) for i in range(1, TREND_WEEKS + 1))
    before = sum(counts.get(this_week - YEAR - timedelta(weeks=i), 0) for i in range(1, TREND_WEEKS + 1))
    if before == 0 or recent == 0:
        return 1.0
    low, high = TREND_LIMITS
    return min(high, max(low, recent / before))


def expected_week(counts: Counter, week: date, factor: float, this_week: date) -> float:
    """The expected number of questions in a coming week."""
    last_year = week - YEAR
    around = [counts.get(last_year + timedelta(weeks=d), 0) for d in (-1, 0, 1)]
    has_history = any(monday_ < this_week and counts.get(monday_, 0) for monday_ in
                      (last_year + timedelta(weeks=d) for d in (-1, 0, 1)))
    if not has_history:
        # No last year to copy: the average of the recent weeks.
        recent = [counts.get(this_week - timedelta(weeks=i), 0) for i in range(1, TREND_WEEKS + 1)]
        return sum(recent) / len(recent)
    return (around[0] + 2 * around[1] + around[2]) / 4 * factor


@dataclass
class Week:
    start: date
    actual: int | None = None        # past weeks (and the current one, so far)
    expected: float | None = None    # coming weeks
    holidays: list[str] = field(default_factory=list)

    @property
    def iso_week(self) -> int:
        return self.start.isocalendar()[1]


@dataclass
class Period:
    start: date        # a Monday
    weeks: int         # 1 or 2
    expected: float    # questions in the whole period

    @property
    def end(self) -> date:
        """The last day (a Sunday)."""
        return self.start + timedelta(weeks=self.weeks, days=-1)

    @property
    def per_week(self) -> float:
        return self.expected / self.weeks


def build_weeks(counts: Counter, today: date, *, past: int = 52, ahead: int = AHEAD_WEEKS,
                holidays: dict[date, str] | None = None) -> tuple[list[Week], float]:
    """The weeks for the chart: `past` weeks with their counts (the current week included), then
    `ahead` weeks with an expectation. Returns the weeks and the trend factor used."""
    this_week = monday(today)
    factor = trend(counts, this_week)
    by_week: dict[date, list[str]] = {}
    for day, name in sorted((holidays or {}).items()):
        if day.weekday() < 5:
            by_week.setdefault(monday(day), []).append(name)
    weeks = [Week(this_week - timedelta(weeks=i), actual=counts.get(this_week - timedelta(weeks=i), 0))
             for i in range(past - 1, -1, -1)]
    weeks += [Week(this_week + timedelta(weeks=i), expected=expected_week(counts, this_week + timedelta(weeks=i),
                                                                          factor, this_week))
              for i in range(1, ahead + 1)]
    for week in weeks:
        week.holidays = by_week.get(week.start, [])
    return weeks, factor


def quietest_periods(coming: list[Week], n: int = 3) -> list[Period]:
    """The `n` quietest 1- or 2-week periods among the coming weeks, not overlapping, quietest first
    (by questions per week, so a two-week period competes fairly with a single week)."""
    candidates = []
    for i, week in enumerate(coming):
        candidates.append(Period(week.start, 1, week.expected))
        if i + 1 < len(coming):
            candidates.append(Period(week.start, 2, week.expected + coming[i + 1].expected))
    # Ties: prefer the longer period (more holiday), then the earlier one.
    candidates.sort(key=lambda p: (round(p.per_week, 1), -p.weeks, p.start))
    chosen: list[Period] = []
    for period in candidates:
        if all(period.end < other.start or period.start > other.end for other in chosen):
            chosen.append(period)
        if len(chosen) == n:
            break
    return chosen


@dataclass
class Estimate:
    questions: float
    business_days: int

    @property
    def per_business_day(self) -> float:
        return self.questions / self.business_days if self.business_days else self.questions


def estimate(start: date, end: date, weekly_expectation, open_days: Iterable[date]) -> Estimate:
    """Questions expected from `start` to `end` (both included), spread evenly over each week's seven
    days (customers also write at weekends), and how many business days a stand-in has to answer them.

    :param weekly_expectation: Monday -> expected questions in that week.
    :param open_days: the business days in the period (weekdays that are not holidays).
    """
    total = 0.0
    day = start
    while day <= end:
        total += weekly_expectation(monday(day)) / 7
        day += timedelta(days=1)
    return Estimate(total, sum(1 for d in open_days if start <= d <= end))


def nice_scale(value: float, lines: int = 4) -> int:
    """The top of a scale with `lines` gridlines at round steps (1, 2, 5, 10, 20, 25, 50, ...) that holds `value`."""
    steps = sorted({m * 10 ** e for e in range(9) for m in (1, 2, 5)} | {25 * 10 ** e for e in range(8)})
    return next(step * lines for step in steps if step * lines >= value)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    week: Week
    label: str | None = None


def chart_bars(weeks: list[Week], *, width: float, height: float, top: float = 10) -> tuple[list[Bar], float]:
    """Bar geometry for an SVG chart of `width` x `height` (y grows downward). Returns the bars and
    the value at the top of the scale (rounded up to a multiple of 10)."""
    values = [w.actual if w.actual is not None else (w.expected or 0) for w in weeks]
    scale_max = nice_scale(max(values, default=0) * 1.1)
    slot = width / max(1, len(weeks))
    bars = []
    for week, value in zip(weeks, values):
        h = (height - top) * value / scale_max
        bars.append(Bar(x=len(bars) * slot + slot * 0.12, y=height - h, width=slot * 0.76, height=h, week=week))
    return bars, scale_max
