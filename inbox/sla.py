"""Business-hours maths for the reply clock: pure Python (stdlib ``zoneinfo`` + ``holidays``).

The norm (seed 001): a first reaction within 8 business hours, business hours being
Monday–Friday 09:00–17:00 in the shop's country, official public holidays skipped; a shop
established in the Netherlands also skips the Belgian ones.

Public API::

    cal = BusinessCalendar.for_country("NL")    # cached; weekly= and tz= override the defaults
    cal.add_business_hours(start, hours)        # -> aware datetime in cal.tz
    cal.business_seconds_between(start, end)    # -> int, negative when end < start
    cal.business_minute(at)                     # -> int, whole business minutes since a fixed epoch
    cal.is_open(at) / cal.next_open(at)
    cal.closed_days(year) / cal.weekly / cal.weekly_schedule()
    sla_state(cal, due, now, answered_at=None)  # -> SlaState

Every instant in and out is a timezone-aware ``datetime``; naive ones raise ``ValueError``.
This module never touches Flask, SQLAlchemy or the database.

How it works: a calendar lays out each local year once, on first use, as sorted lists of
its open intervals in integer UTC microseconds since the epoch, with a running total of
business time (``_Year``). The wall-clock bounds (09:00, 17:00) become aware datetimes per
date before anything is subtracted, so a DST day still has eight business hours and results
carry the right UTC offset. One primitive, ``_locate(t)``, finds the open interval containing
or following instant ``t`` (a bisect). ``business_seconds_between`` is the difference of two
running totals, and ``add_business_hours`` bisects the running total for the point where it
reaches the target; both loop a whole year at a time only when a span crosses New Year.
(This is businesstimedelta's "next interval" structure with the day-by-day walk replaced by
prefix sums: it keeps a call at a few microseconds whatever the number of hours.)
"""
from __future__ import annotations

import numbers
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "BusinessCalendar",
    "DEFAULT_WEEKLY",
    "SLA_STATES",
    "SlaState",
    "WeekdayHours",
    "group_weekdays",
    "sla_state",
]

_US = 1_000_000                      # microseconds per second
_US_PER_HOUR = 3600 * _US
_DAY_US = 86_400 * _US
_ONE_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MEAN_YEAR_US = 31_556_952 * _US       # 365.2425 days
_MINUTE_US = 60 * _US
# business_minute counts from the local New Year of this year (any fixed year would do).
_MINUTE_EPOCH_YEAR = 2020
_fromtimestamp = datetime.fromtimestamp

# A weekly schedule with at least one open interval has open time in every year; this bound
# only guards against one whose every interval vanishes in local time (e.g. only inside a
# DST gap), which would otherwise loop forever.
_MAX_EMPTY_YEARS = 3

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Monday–Friday 09:00–17:00 (seed 001).
DEFAULT_WEEKLY: Mapping[int, tuple[tuple[time, time], ...]] = {
    weekday: ((time(9), time(17)),) for weekday in range(5)
}

# Which countries' public holidays a shop established in a country skips, besides its own.
# Seed 001: a shop established in the Netherlands skips Dutch and Belgian holidays; one in
# Belgium only Belgian ones; everyone else, only their own.
_ALSO_SKIPPED = {"NL": ("BE",)}

# The zone a shop's business hours are read in, when the caller does not pass tz=.
# Countries with several zones get the one most shops trade in (US: the east coast).
_COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "AU": "Australia/Sydney", "BE": "Europe/Brussels",
    "BG": "Europe/Sofia", "CA": "America/Toronto", "CH": "Europe/Zurich",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn", "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki", "FR": "Europe/Paris", "GB": "Europe/London",
    "GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest",
    "IE": "Europe/Dublin", "IS": "Atlantic/Reykjavik", "IT": "Europe/Rome",
    "JP": "Asia/Tokyo", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga", "MT": "Europe/Malta", "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo", "NZ": "Pacific/Auckland", "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon", "RO": "Europe/Bucharest", "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "TR": "Europe/Istanbul",
    "UA": "Europe/Kyiv", "US": "America/New_York",
}
# Any other country falls back to UTC: guessing one zone for a country we have not looked at
# (or one spanning several zones, like Brazil or Russia) would silently shift every deadline,
# while UTC is at least predictable. Callers who know the shop's zone pass tz=.
_FALLBACK_ZONE = timezone.utc


class WeekdayHours(NamedTuple):
    """One row of the weekly schedule, for a settings page."""

    weekday: int                               # 0 = Monday … 6 = Sunday
    label: str                                 # English day name; the app translates by weekday
    intervals: tuple[tuple[time, time], ...]   # () when closed; an end of time(0) means midnight


def group_weekdays(weekly: Mapping) -> list[tuple[int, int, tuple]]:
    """Consecutive weekdays with the same hours, for people: ``[(first, last, spans), ...]``.

    ``weekly`` maps weekday (0 = Monday) to its spans in any form (``("09:00", "17:00")`` pairs or
    times); closed days (missing or empty) are left out. Monday–Friday 09:00–17:00 and Saturday
    10:00–14:00 become ``[(0, 4, spans), (5, 5, spans)]``, which reads "Monday to Friday …, Saturday …".
    """
    groups: list[tuple[int, int, tuple]] = []
    for weekday in range(7):
        spans = tuple(tuple(span) for span in (weekly.get(weekday) or ()))
        if not spans:
            continue
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], weekday, spans)
        else:
            groups.append((weekday, weekday, spans))
    return groups


class BusinessCalendar:
    """Business hours of a shop: a weekly schedule in one time zone, minus public holidays.

    Build it with :meth:`for_country` (cached). Intervals are half-open: open at 09:00:00,
    closed at 17:00:00.
    """

    def __init__(self, country: str, *, weekly: Mapping | None = None,
                 tz: tzinfo | str | None = None) -> None:
        """A calendar for ``country`` (ISO 3166 alpha-2, any country ``holidays`` knows).

        :param weekly: weekday (0 = Monday … 6 = Sunday) -> iterable of ``(start, end)``
            pairs of ``datetime.time`` or ``"HH:MM"``; missing weekdays are closed. Several
            intervals a day are allowed (lunch breaks); an end of ``time(0)`` / ``"24:00"``
            means midnight at the end of the day. Default: Monday–Friday 09:00–17:00.
        :param tz: a ``tzinfo`` or zone name; default: the country's main zone.
        :raises ValueError: unknown country or zone, invalid or entirely closed schedule.
        """
        self.country = _normalise_country(country)
        self._weekly_us = _normalise_weekly(DEFAULT_WEEKLY if weekly is None else weekly)
        self.tz = _resolve_tz(self.country, tz)
        self._lock = threading.Lock()
        self.skipped_countries = (self.country, *_ALSO_SKIPPED.get(self.country, ()))

    @classmethod
    def for_country(cls, country: str, *, weekly: Mapping | None = None,
                    tz: tzinfo | str | None = None) -> BusinessCalendar:
        """The calendar of a shop established in ``country``; one shared instance per
        (country, weekly, tz), so callers may call this on every request.

        ``tz=None`` means the country's main zone (see :class:`BusinessCalendar`).
        """
        code = _normalise_country(country)
        weekly_key = None if weekly is None else _normalise_weekly(weekly)
        if weekly_key == _DEFAULT_WEEKLY_US:
            weekly_key = None
        return _cached_calendar(code, weekly_key, _resolve_tz(code, tz))

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.country} {self.tz}>"

    @property
    def skipped_countries(self) -> tuple[str, ...]:
        """The countries whose public holidays are closed days, home country first."""
        return self._skipped

    @skipped_countries.setter
    def skipped_countries(self, codes) -> None:
        # Assignable for a calendar with another holiday rule (the phone norm of seed 001
        # skips Dutch holidays only); do that on your own instance, never on a shared one
        # from for_country().
        skipped = tuple(dict.fromkeys(_normalise_country(code) for code in codes))
        with self._lock:
            self._skipped = skipped
            # year -> frozenset of date ordinals closed for a holiday
            self._closed: dict[int, frozenset[int]] = {}
            # local year -> its open intervals, built on first use (any year, e.g. 2040)
            self._years: dict[int, _Year] = {}
            self._last_year = _Year(0, 0, 0, [], [])   # an empty range: the first call looks up
            # year -> business microseconds from the minute epoch's New Year to this year's
            self._offsets: dict[int, int] = {_MINUTE_EPOCH_YEAR: 0}

    # -- the schedule, for people ---------------------------------------------------------

    @property
    def weekly(self) -> dict[int, tuple[tuple[time, time], ...]]:
        """The weekly schedule: weekday (0 = Monday) -> ``((start, end), ...)``, all seven
        days, ``()`` for closed days. Touching intervals are merged. Accepted back as
        ``weekly=``."""
        return {wd: tuple((_us_to_time(s), _us_to_time(e)) for s, e in spans)
                for wd, spans in enumerate(self._weekly_us)}

    def weekly_schedule(self) -> tuple[WeekdayHours, ...]:
        """The weekly schedule as seven :class:`WeekdayHours` rows, Monday first."""
        return tuple(WeekdayHours(wd, WEEKDAY_NAMES[wd], spans) for wd, spans in self.weekly.items())

    def closed_days(self, year: int, *, language: str | None = None) -> list[tuple[date, str]]:
        """The public holidays of ``year`` this calendar skips, sorted by date, as
        ``(date, name)``. A holiday of a country other than the shop's own carries its code,
        e.g. ``"Nationale feestdag (BE)"`` for an NL shop; a date both countries observe
        shows the home name only.

        :param language: language of the names; default: the home country's own language
            (we pass one explicitly because ``holidays`` otherwise follows the server locale).
        """
        home_language = language or _holiday_class(self.country).default_language
        names: dict[date, str] = {}
        for code in self.skipped_countries:
            supported = _holiday_class(code).supported_languages
            lang = home_language if home_language in supported else _holiday_class(code).default_language
            suffix = "" if code == self.country else f" ({code})"
            for day, name in holidays.country_holidays(code, years=year, language=lang).items():
                names.setdefault(day, name + suffix)
        return sorted(names.items())

    # -- the primitive ----------------------------------------------------------------------

    def _year_at(self, t: int) -> _Year:
        """The timeline of the local year that instant ``t`` falls in."""
        year = self._last_year
        if year.start <= t < year.end:         # most calls stay in one year
            return year
        # Guess from the mean Gregorian year (off by a day or two at most), then step.
        number = 1970 + t // _MEAN_YEAR_US
        year = self._years.get(number) or self._year(number)
        while t < year.start:
            year = self._year(year.number - 1)
        while t >= year.end:
            year = self._year(year.number + 1)
        self._last_year = year
        return year

    def _locate(self, t: int) -> tuple[_Year, int]:
        """The open interval containing ``t`` or the next one to open: ``(year, k)`` with
        ``year.starts[k] <= t < year.ends[k]`` (open) or ``t < year.starts[k]`` (closed)."""
        year = self._year_at(t)
        k = bisect_right(year.ends, t)
        if k < len(year.ends):
            return year, k
        return self._year_with_hours_after(year), 0    # after the year's last closing time

    def _year_with_hours_after(self, year: _Year) -> _Year:
        for _ in range(_MAX_EMPTY_YEARS):
            year = self._year(year.number + 1)
            if year.ends:
                return year
        raise RuntimeError(f"{self!r}: no open interval within {_MAX_EMPTY_YEARS} years")

    def _year(self, number: int) -> _Year:
        year = self._years.get(number)
        if year is None:
            with self._lock:
                year = self._years.get(number)
                if year is None:
                    year = self._years[number] = self._build_year(number)
        return year

    def _build_year(self, number: int) -> _Year:
        """Lay out the open intervals of one local year as UTC microseconds since the epoch."""
        first, last = date(number, 1, 1).toordinal(), date(number, 12, 31).toordinal()
        closed = self._closed_ordinals(number)
        weekly = self._weekly_us
        starts: list[int] = []
        ends: list[int] = []
        for ordinal in range(first, last + 1):
            if ordinal in closed:
                continue
            # date.weekday() of an ordinal: ordinal 1 (0001-01-01) was a Monday.
            for start, end in weekly[(ordinal - 1) % 7]:
                s, e = self._wall_to_us(ordinal, start), self._wall_to_us(ordinal, end)
                if e > s:       # an interval lying wholly inside a DST gap vanishes
                    starts.append(s)
                    ends.append(e)
        return _Year(number, self._wall_to_us(first, 0), self._wall_to_us(last + 1, 0), starts, ends)

    def _wall_to_us(self, ordinal: int, us_of_day: int) -> int:
        """The UTC instant at which the local wall clock shows this time of this date.

        An ambiguous time (the repeated autumn hour) is its first occurrence (fold=0). A time
        skipped by a DST jump is the moment of the jump: the clock passes it there.
        """
        extra_days, us = divmod(us_of_day, _DAY_US)   # an end of 24:00 is the next midnight
        seconds, micro = divmod(us, _US)
        wall = datetime.combine(date.fromordinal(ordinal + extra_days),
                                time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro),
                                tzinfo=self.tz)
        instant = (wall - _EPOCH) // _ONE_US
        naive = wall.replace(tzinfo=None)
        if wall.astimezone(timezone.utc).astimezone(self.tz).replace(tzinfo=None) == naive:
            return instant
        # Skipped wall time: fold=0 reads it with the offset before the jump (too late),
        # fold=1 with the one after (too early). Bisect between them, in whole seconds (zone
        # transitions fall on whole seconds), for the first instant the clock shows >= wall.
        lo = (wall.replace(fold=1) - _EPOCH) // _ONE_US // _US
        hi = -(-instant // _US)
        while lo < hi:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, self.tz).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid + 1
        return lo * _US

    def _closed_ordinals(self, year: int) -> frozenset[int]:
        """Date ordinals of the year's skipped holidays; built once per year."""
        closed = self._closed.get(year)
        if closed is None:
            ordinals: set[int] = set()
            for code in self.skipped_countries:
                # Only the dates matter here, so the language of the names does not.
                ordinals.update(d.toordinal() for d in holidays.country_holidays(code, years=year))
            closed = self._closed[year] = frozenset(ordinals)
        return closed

    def _to_datetime(self, us: int) -> datetime:
        if us % _US:
            # replace() keeps fold, so the second 02:30 of an autumn night stays the second one.
            return _fromtimestamp(us // _US, self.tz).replace(microsecond=us % _US)
        return _fromtimestamp(us // _US, self.tz)

    # -- the operations -----------------------------------------------------------------------

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The earliest instant ``t >= start`` with ``business_seconds_between(start, t)``
        equal to ``hours`` hours, in this calendar's zone.

        A deadline that lands exactly at closing time is that closing time (Monday 09:00 + 8 h
        is Monday 17:00, not Tuesday 09:00). ``hours == 0`` returns ``start`` itself, even in
        closed time. ``hours`` may be fractional (int, float, Decimal, Fraction); it is
        rounded to the nearest microsecond.

        :raises ValueError: naive ``start``; negative, NaN or infinite ``hours``.
        """
        t = _to_us(start, "start")
        remaining = _hours_to_us(hours)
        if remaining == 0:
            return start.astimezone(self.tz)
        year, k = self._locate(t)
        # Count in the year's running total: the deadline is where it reaches `target`.
        cum = year.cum
        opened = year.starts[k]
        target = cum[k] + (t - opened if t > opened else 0) + remaining
        lo = k + 1
        while target > cum[-1]:                # a year at a time past the year's last closing
            target -= cum[-1]
            year = self._year_with_hours_after(year)
            cum, lo = year.cum, 1
        # The first interval whose running total at its closing reaches the target; bisect_left
        # ("<=") makes a deadline that lands exactly at closing time that closing time.
        j = bisect_left(cum, target, lo)
        return self._to_datetime(year.ends[j - 1] - (cum[j] - target))

    def business_seconds_between(self, start: datetime, end: datetime) -> int:
        """Business seconds from ``start`` to ``end``; negative when ``end < start``.

        Whole seconds, truncated toward zero (so swapping the arguments only flips the sign).

        :raises ValueError: a naive datetime.
        """
        a, b = _to_us(start, "start"), _to_us(end, "end")
        if b < a:
            return -(self._business_us(b, a) // _US)
        return self._business_us(a, b) // _US

    def _business_us(self, a: int, b: int) -> int:
        """Business microseconds from ``a`` to ``b >= a``."""
        year_a, year_b = self._year_at(a), self._year_at(b)
        total = year_b.running(b) - year_a.running(a)
        # Whole years in between (and year a itself) add their totals, a year at a time.
        number = year_a.number
        while number < year_b.number:
            total += self._year(number).cum[-1]
            number += 1
        return total

    def business_minute(self, at: datetime) -> int:
        """Whole business minutes from a fixed epoch (the local New Year of 2020) to ``at``, rounded down.

        A duration in whole business minutes is the difference of two of these: so durations add up exactly
        (a histogram of them, counted as they change, equals a recount), and an open question's wait up to any
        moment is ``business_minute(now)`` minus a number fixed while it waits.

        :raises ValueError: a naive datetime.
        """
        t = _to_us(at, "at")
        year = self._year_at(t)
        return (self._offset(year.number) + year.running(t)) // _MINUTE_US

    def _offset(self, number: int) -> int:
        offsets = self._offsets
        if number not in offsets:
            # Filled year by year from the nearest known one (the epoch's, on first use).
            step = 1 if number > _MINUTE_EPOCH_YEAR else -1
            known = number
            while known not in offsets:
                known -= step
            while known != number:
                if step == 1:
                    offsets[known + 1] = offsets[known] + self._year(known).cum[-1]
                else:
                    offsets[known - 1] = offsets[known] - self._year(known - 1).cum[-1]
                known += step
        return offsets[number]

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls in business hours (opening time included, closing excluded)."""
        t = _to_us(at, "at")
        year, k = self._locate(t)
        return year.starts[k] <= t

    def next_open(self, at: datetime) -> datetime:
        """The earliest open instant at or after ``at``, in this calendar's zone: ``at``
        itself while open, else the next opening (e.g. "paused until Monday 09:00")."""
        t = _to_us(at, "at")
        year, k = self._locate(t)
        opening = year.starts[k]
        return at.astimezone(self.tz) if opening <= t else self._to_datetime(opening)


class _Year:
    """The open intervals of one local year, as parallel sorted lists of UTC microseconds.

    ``cum[k]`` is the business time of intervals ``0..k-1`` (``cum[0] == 0``, ``cum[-1]`` the
    year's total), so business time up to any instant is one bisect away.
    """

    __slots__ = ("number", "start", "end", "starts", "ends", "cum")

    def __init__(self, number: int, start: int, end: int, starts: list[int], ends: list[int]):
        self.number = number
        self.start, self.end = start, end      # local Jan 1 00:00 and the next year's
        self.starts, self.ends = starts, ends
        cum = [0]
        for s, e in zip(starts, ends):
            cum.append(cum[-1] + e - s)
        self.cum = cum

    def running(self, t: int) -> int:
        """Business time from the year's start to ``t`` (``t`` inside the year)."""
        k = bisect_right(self.ends, t)         # the interval containing t or the next one
        if k == len(self.ends):
            return self.cum[-1]
        return self.cum[k] + max(t - self.starts[k], 0)


@lru_cache(maxsize=256)
def _cached_calendar(country: str, weekly_key: tuple | None, tz: tzinfo) -> BusinessCalendar:
    weekly = None if weekly_key is None else {
        wd: tuple((_us_to_time(s), _us_to_time(e)) for s, e in spans)
        for wd, spans in enumerate(weekly_key)
    }
    return BusinessCalendar(country, weekly=weekly, tz=tz)


# -- SLA state ----------------------------------------------------------------------------------

SLA_STATES = ("on_track", "due_soon", "overdue", "answered_on_time", "answered_late")


@dataclass(frozen=True, slots=True)
class SlaState:
    """Where a ticket stands against its reply deadline.

    ``remaining_seconds``: business seconds from now to ``due`` (negative when overdue); for
    an answered ticket, from the answer to ``due`` (negative = late by that much).
    ``paused_until``: the next opening while the calendar is closed and the ticket waits.
    """

    state: str
    remaining_seconds: int
    paused_until: datetime | None
    due: datetime


def sla_state(cal: BusinessCalendar, due: datetime, now: datetime, *,
              answered_at: datetime | None = None, due_soon_seconds: int = 2 * 3600) -> SlaState:
    """The SLA state of a ticket due at ``due``, seen at ``now``.

    Waiting tickets: ``overdue`` as soon as ``now`` is strictly after ``due`` (even when no
    business time has passed since, e.g. Friday 17:30 for a Friday 17:00 deadline); else
    ``due_soon`` with ``due_soon_seconds`` business seconds or less left (exactly at ``due``
    that is 0 left: due soon, not yet overdue); else ``on_track``.

    Answered tickets: ``answered_late`` when the answer came at least one business second
    after ``due``. An answer after closing time on the due day used no business time past
    the deadline, so it still met the norm "within 8 business hours": ``answered_on_time``
    with 0 seconds to spare.

    :raises ValueError: a naive datetime, or a negative ``due_soon_seconds``.
    """
    if due_soon_seconds < 0:
        raise ValueError("due_soon_seconds must be >= 0")
    for name, value in (("due", due), ("now", now), ("answered_at", answered_at)):
        if value is not None and not _is_aware(value):
            _naive_error(name)
    due_local = due.astimezone(cal.tz)
    if answered_at is not None:
        margin = cal.business_seconds_between(answered_at, due)
        return SlaState("answered_late" if margin < 0 else "answered_on_time", margin, None, due_local)
    remaining = cal.business_seconds_between(now, due)
    if now > due:
        state = "overdue"
    elif remaining <= due_soon_seconds:
        state = "due_soon"
    else:
        state = "on_track"
    paused_until = None if cal.is_open(now) else cal.next_open(now)
    return SlaState(state, remaining, paused_until, due_local)


# -- helpers ----------------------------------------------------------------------------------

def _is_aware(dt: datetime) -> bool:
    return isinstance(dt, datetime) and dt.tzinfo is not None and dt.utcoffset() is not None


def _naive_error(name: str) -> NoReturn:
    raise ValueError(f"{name} must be a timezone-aware datetime (naive datetimes are ambiguous; "
                     f"attach the zone they were recorded in, e.g. UTC from the database)")


def _to_us(dt: datetime, name: str) -> int:
    """Microseconds since the epoch of an aware datetime."""
    try:
        # Subtracting an aware epoch is the validity check too: it raises TypeError for naive
        # datetimes (and non-datetimes), which saves a separate utcoffset() call per argument.
        return (dt - _EPOCH) // _ONE_US
    except TypeError:
        if isinstance(dt, datetime):
            _naive_error(name)
        raise ValueError(f"{name} must be a timezone-aware datetime, not {type(dt).__name__}") from None


def _hours_to_us(hours) -> int:
    """Hours as whole microseconds, rounded to the nearest one."""
    kind = type(hours)
    # Check the type before multiplying: "8" * 3_600_000_000 would build a 3.6 GB string.
    if kind is not int and kind is not float and (
            isinstance(hours, bool) or not isinstance(hours, (numbers.Real, Decimal))):
        raise ValueError(f"hours must be a number, got {kind.__name__}")
    try:
        us = round(hours * _US_PER_HOUR)
    except (OverflowError, ValueError, ArithmeticError):   # inf, NaN (float and Decimal)
        raise ValueError(f"hours must be finite, got {hours!r}") from None
    if us < 0:
        raise ValueError(f"hours must be >= 0, got {hours!r}")
    return us


def _normalise_country(country: str) -> str:
    code = str(country or "").strip().upper()
    if code not in _supported_countries():
        raise ValueError(f"unknown country code {country!r}: the holidays package has no calendar for it")
    return code


@lru_cache(maxsize=1)
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=None)
def _holiday_class(code: str) -> type:
    return type(holidays.country_holidays(code))


def _resolve_tz(country: str, tz: tzinfo | str | None) -> tzinfo:
    if tz is None or tz == "":
        name = _COUNTRY_ZONES.get(country)
        return ZoneInfo(name) if name else _FALLBACK_ZONE
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _time_to_us(value, *, is_end: bool) -> int:
    if isinstance(value, str):
        if is_end and value.strip() == "24:00":
            return _DAY_US
        try:
            value = time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a time of day: {value!r} (use 'HH:MM')") from None
    if not isinstance(value, time) or isinstance(value, datetime):
        raise ValueError(f"not a time of day: {value!r}")
    if value.tzinfo is not None:
        raise ValueError(f"weekly times are local wall-clock times, drop the tzinfo of {value!r}")
    us = ((value.hour * 60 + value.minute) * 60 + value.second) * _US + value.microsecond
    # time(0) cannot end an interval on its own day, so as an end it means midnight after.
    return _DAY_US if is_end and us == 0 else us


def _us_to_time(us: int) -> time:
    if us >= _DAY_US:
        return time(0)
    seconds, micro = divmod(us, _US)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def _normalise_weekly(weekly: Mapping) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Validate a weekly schedule; return 7 tuples of (start_us, end_us) of the day, sorted,
    touching intervals merged (so equal schedules share one cache key)."""
    if not isinstance(weekly, Mapping):
        raise ValueError("weekly must be a mapping weekday (0 = Monday … 6 = Sunday) -> [(start, end), ...]")
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekday, intervals in weekly.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be an int 0 (Monday) … 6 (Sunday), got {weekday!r}")
        for pair in intervals or ():
            try:
                start, end = pair
            except (TypeError, ValueError):
                raise ValueError(f"{WEEKDAY_NAMES[weekday]}: an interval is a (start, end) pair, "
                                 f"got {pair!r}") from None
            s, e = _time_to_us(start, is_end=False), _time_to_us(end, is_end=True)
            if not s < e:
                raise ValueError(f"{WEEKDAY_NAMES[weekday]}: interval {start}–{end} must start before it ends")
            days[weekday].append((s, e))
    result = []
    for weekday, spans in enumerate(days):
        spans.sort()
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s < merged[-1][1]:
                raise ValueError(f"{WEEKDAY_NAMES[weekday]}: intervals overlap "
                                 f"({_us_to_time(merged[-1][0])}–{_us_to_time(merged[-1][1])} "
                                 f"and {_us_to_time(s)}–{_us_to_time(e)})")
            if merged and s == merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        result.append(tuple(merged))
    if not any(result):
        raise ValueError("a business calendar needs at least one open interval in the week")
    return tuple(result)


_DEFAULT_WEEKLY_US = _normalise_weekly(DEFAULT_WEEKLY)
