"""Property tests: the engine against a slow, obviously correct minute-by-minute reference.

The reference looks at one UTC minute at a time, converts it to the calendar's wall clock and
asks "is that a listed weekday, not a holiday, inside an opening interval?". It shares no code
with the engine: holidays come straight from the `holidays` package. Starts and hours are
whole minutes there, and every zone used has whole-minute offsets, so a whole minute is
exactly open or exactly closed. Schedules either keep clear of the DST-jump hours or (Chile,
Sundays round the clock) meet them at midnight, where "the clock shows a time inside the
hours" and the engine's "from the opening instant to the closing instant" agree.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox.sla import BusinessCalendar

UTC = timezone.utc
MINUTE = timedelta(minutes=1)
YEARS = range(2024, 2030)   # holiday data the reference loads; starts fall in 2025–2027

# database=None: write no .hypothesis folder into the shared checkout.
BOUNDED = settings(max_examples=40, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


class Reference:
    """A calendar described as plain data, answered one minute at a time."""

    def __init__(self, cal: BusinessCalendar, countries: tuple[str, ...], weekly: dict):
        self.cal = cal
        self.tz = cal.tz
        self.closed = set()
        for code in countries:
            self.closed.update(holidays.country_holidays(code, years=YEARS))
        # weekday -> [(first open minute of the day, first closed minute)]
        self.minutes = {wd: [(s.hour * 60 + s.minute, 1440 if e == time(0) else e.hour * 60 + e.minute)
                             for s, e in spans] for wd, spans in weekly.items()}

    def open_minute(self, minute_start: datetime) -> bool:
        local = minute_start.astimezone(self.tz)
        if local.date() in self.closed:
            return False
        m = local.hour * 60 + local.minute
        return any(s <= m < e for s, e in self.minutes.get(local.weekday(), ()))

    def business_minutes(self, a: datetime, b: datetime) -> int:
        sign, (a, b) = (1, (a, b)) if a <= b else (-1, (b, a))
        count, t = 0, a.astimezone(UTC)
        while t < b:
            count += self.open_minute(t)
            t += MINUTE
        return sign * count

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        t = start.astimezone(UTC)
        while minutes:
            if self.open_minute(t):
                minutes -= 1
            t += MINUTE
        return t


NINE_TO_FIVE = {wd: [(time(9), time(17))] for wd in range(5)}


def _reference(country, countries, weekly=None, tz=None):
    cal = BusinessCalendar.for_country(country, weekly=weekly, tz=tz)
    return Reference(cal, countries, weekly or NINE_TO_FIVE)

CALENDARS = {
    "NL": _reference("NL", ("NL", "BE")),
    "BE": _reference("BE", ("BE",)),
    "US": _reference("US", ("US",)),
    # Lunch break, a short Saturday, and Sundays round the clock (so DST Sundays count).
    "NL lunch+weekend": _reference("NL", ("NL", "BE"), weekly={
        **{wd: [(time(8, 30), time(12)), (time(12, 45), time(17, 15))] for wd in range(5)},
        5: [(time(10), time(14))], 6: [(time(0), time(0))]}),
    # Chile moves its clocks at midnight: on the spring day 00:00 does not exist.
    "CL midnight DST": _reference("CL", ("CL",), weekly={wd: [(time(0), time(6)), (time(20), time(0))]
                                                             for wd in range(7)}, tz="America/Santiago"),
}

INPUT_ZONES = [UTC, ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"),
               ZoneInfo("Asia/Kathmandu"), timezone(timedelta(hours=-3, minutes=-30))]

# Days worth aiming at: DST changes (EU, US, Chile), holidays, year ends.
ANCHORS = [date(2025, 3, 30), date(2025, 10, 26), date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28),
           date(2025, 3, 9), date(2026, 11, 1), date(2026, 9, 6), date(2026, 4, 5),
           date(2025, 4, 26), date(2026, 4, 27), date(2026, 7, 21), date(2025, 12, 25), date(2026, 12, 31),
           date(2026, 5, 1), date(2027, 5, 27), date(2025, 7, 4), date(2026, 11, 26)]
EPOCH_2025 = datetime(2025, 1, 1, tzinfo=UTC)
MINUTES_2025_2027 = 3 * 365 * 24 * 60


@st.composite
def minute_starts(draw) -> datetime:
    """Aware, whole-minute instants across 2025–2027, often near DST changes and holidays."""
    if draw(st.booleans()):
        t = EPOCH_2025 + timedelta(minutes=draw(st.integers(0, MINUTES_2025_2027)))
    else:
        anchor = datetime.combine(draw(st.sampled_from(ANCHORS)), time(0), UTC)
        t = anchor + timedelta(minutes=draw(st.integers(-3 * 1440, 3 * 1440)))
    return t.astimezone(draw(st.sampled_from(INPUT_ZONES)))


calendars = st.sampled_from(sorted(CALENDARS))


def utc(dt: datetime) -> datetime:
    # Compare instants in UTC: Python's == between zones is always False when either side
    # is an ambiguous wall time (PEP 495), e.g. 02:30 on an autumn DST night.
    return dt.astimezone(UTC)
hour_minutes = st.integers(0, 40 * 60)   # up to 40 business hours, whole minutes


@BOUNDED
@given(name=calendars, start=minute_starts(), minutes=hour_minutes)
def test_add_business_hours_matches_reference(name, start, minutes):
    ref = CALENDARS[name]
    due = ref.cal.add_business_hours(start, minutes / 60)
    assert utc(due) == ref.add_minutes(start, minutes)
    assert due.tzinfo is ref.cal.tz
    # The offset the result carries is the zone's offset at that instant (DST-correct).
    assert due.utcoffset() == due.astimezone(UTC).astimezone(ref.cal.tz).utcoffset()


@BOUNDED
@given(name=calendars, a=minute_starts(), span=st.integers(-12 * 1440, 12 * 1440))
def test_business_seconds_between_matches_reference(name, a, span):
    ref = CALENDARS[name]
    b = (a + timedelta(minutes=span)).astimezone(INPUT_ZONES[span % len(INPUT_ZONES)])
    assert ref.cal.business_seconds_between(a, b) == 60 * ref.business_minutes(a, b)


@BOUNDED
@given(name=calendars, start=minute_starts(), minutes=hour_minutes)
def test_is_open_and_next_open_match_reference(name, start, minutes):
    ref = CALENDARS[name]
    at = start + timedelta(minutes=minutes)
    assert ref.cal.is_open(at) == ref.open_minute(at)
    opening = ref.cal.next_open(at)
    assert opening >= at and ref.open_minute(opening)
    assert utc(opening) == utc(at) or not ref.open_minute(utc(opening) - MINUTE)


# Sub-minute inputs: no reference, but the defining properties must hold to the microsecond.
micro_starts = st.builds(lambda t, us: t + timedelta(microseconds=us),
                         minute_starts(), st.integers(0, 60_000_000 - 1))


@settings(BOUNDED, max_examples=150)
@given(name=calendars, start=micro_starts, seconds=st.integers(0, 60 * 3600))
def test_round_trip_and_earliest(name, start, seconds):
    cal = CALENDARS[name].cal
    due = cal.add_business_hours(start, seconds / 3600)
    assert due >= start
    assert cal.business_seconds_between(start, due) == seconds
    assert cal.business_seconds_between(due, start) == -seconds
    if seconds:
        # Earliest: one microsecond before the deadline the hours are not yet spent. (Step
        # back in UTC: aware arithmetic is wall-clock arithmetic and would drop fold=1.)
        just_before = utc(due) - timedelta(microseconds=1)
        assert cal.business_seconds_between(start, just_before) == seconds - 1
        assert cal.is_open(just_before)
    else:
        assert utc(due) == utc(start)


@settings(BOUNDED, max_examples=80)
@given(name=calendars, a=micro_starts, b=micro_starts, c=micro_starts)
def test_business_seconds_add_up_and_flip_sign(name, a, b, c):
    cal = CALENDARS[name].cal
    a, b, c = sorted([a, b, c])
    if (c - a) > timedelta(days=60):   # keep the loops short; spans of years are unit-tested
        c = a + (c - a) % timedelta(days=60)
        a, b, c = sorted([a, b, c])
    ab, bc, ac = (cal.business_seconds_between(a, b), cal.business_seconds_between(b, c),
                  cal.business_seconds_between(a, c))
    assert ab >= 0 and bc >= 0
    assert ac - 1 <= ab + bc <= ac          # whole seconds: each part truncates
    assert cal.business_seconds_between(c, a) == -ac
