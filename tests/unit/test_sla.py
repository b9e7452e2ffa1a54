"""The business-hours engine: Mon–Fri 09:00–17:00, public holidays skipped (seed 001).

Holiday dates are the `holidays` package's defaults; where a test depends on one, it first
checks that the package agrees, so a data change fails loudly in the right place.
"""
from __future__ import annotations

import ast
import sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from inbox.sla import BusinessCalendar, SlaState, sla_state

AMS = ZoneInfo("Europe/Amsterdam")
BRU = ZoneInfo("Europe/Brussels")
UTC = timezone.utc
HOUR = 3600


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def bru(*args) -> datetime:
    return datetime(*args, tzinfo=BRU)


@pytest.fixture(scope="module")
def nl() -> BusinessCalendar:
    return BusinessCalendar.for_country("NL")


@pytest.fixture(scope="module")
def be() -> BusinessCalendar:
    return BusinessCalendar.for_country("BE")


def lunch_calendar() -> BusinessCalendar:
    return BusinessCalendar.for_country(
        "NL", weekly={wd: [(time(9), time(12)), (time(13), time(17))] for wd in range(5)})


def every_day_calendar(start=time(9), end=time(17)) -> BusinessCalendar:
    return BusinessCalendar.for_country("NL", weekly={wd: [(start, end)] for wd in range(7)})


# -- deadlines on ordinary weeks ----------------------------------------------------------------

@pytest.mark.parametrize(("start", "hours", "expected"), [
    # Friday 16:00: 1 h on Friday, 7 h on Monday.
    (ams(2026, 4, 17, 16), 8, ams(2026, 4, 20, 16)),
    # Friday 16:00 + 2 h: 1 h Friday, 1 h Monday.
    (ams(2026, 4, 17, 16), 2, ams(2026, 4, 20, 10)),
    # Saturday and Sunday do not count at all.
    (ams(2026, 4, 18, 11), 8, ams(2026, 4, 20, 17)),
    (ams(2026, 4, 19, 23, 59), 1, ams(2026, 4, 20, 10)),
])
def test_deadline_rolls_over_weekend(nl, start, hours, expected):
    assert nl.add_business_hours(start, hours) == expected


@pytest.mark.parametrize(("start", "expected"), [
    (ams(2026, 4, 20, 9), ams(2026, 4, 20, 17)),   # Monday 09:00 + 8 h is Monday 17:00
    (ams(2026, 4, 17, 9), ams(2026, 4, 17, 17)),   # ... and Friday stays Friday, not Monday 09:00
])
def test_deadline_exactly_at_close_stays_that_day(nl, start, expected):
    due = nl.add_business_hours(start, 8)
    assert due == expected
    assert due.hour == 17 and due.tzinfo is AMS


def test_deadline_exactly_at_close_after_carry_over_stays_that_day(nl):
    # Tuesday 13:00 + 12 h: 4 h Tuesday, 8 h Wednesday, ending exactly at Wednesday's close.
    assert nl.add_business_hours(ams(2026, 4, 21, 13), 12) == ams(2026, 4, 22, 17)


@pytest.mark.parametrize(("start", "hours", "expected"), [
    (ams(2026, 4, 21, 7, 30), 1, ams(2026, 4, 21, 10)),
    (ams(2026, 4, 21, 7, 30), 8, ams(2026, 4, 21, 17)),
    (ams(2026, 4, 21, 0, 0), 0.5, ams(2026, 4, 21, 9, 30)),
])
def test_question_before_opening_starts_at_nine(nl, start, hours, expected):
    assert nl.add_business_hours(start, hours) == expected


@pytest.mark.parametrize("start", [ams(2026, 4, 21, 17), ams(2026, 4, 21, 18, 45), ams(2026, 4, 21, 23, 59, 59)])
def test_question_at_or_after_closing_starts_next_morning(nl, start):
    assert nl.add_business_hours(start, 1) == ams(2026, 4, 22, 10)


def test_question_at_opening_counts_from_opening(nl):
    assert nl.add_business_hours(ams(2026, 4, 21, 9), 1) == ams(2026, 4, 21, 10)


def test_whole_week_of_hours(nl):
    monday = ams(2026, 6, 8, 9)
    assert nl.add_business_hours(monday, 40) == ams(2026, 6, 12, 17)
    assert nl.add_business_hours(monday, 41) == ams(2026, 6, 15, 10)
    assert nl.business_seconds_between(monday, ams(2026, 6, 15, 9)) == 40 * HOUR
    assert nl.business_seconds_between(monday, ams(2026, 6, 22, 9)) == 80 * HOUR


def test_several_weeks_of_hours_round_trip(nl):
    start = ams(2026, 4, 1, 11, 17)
    due = nl.add_business_hours(start, 400)
    assert nl.business_seconds_between(start, due) == 400 * HOUR


# -- holidays -----------------------------------------------------------------------------------

def test_kings_day_skipped_in_nl(nl):
    assert holidays.NL(years=2026).get(date(2026, 4, 27)) is not None  # Monday 27 April 2026
    # Friday 16:00: 1 h Friday, King's Day skipped, 7 h Tuesday.
    assert nl.add_business_hours(ams(2026, 4, 24, 16), 8) == ams(2026, 4, 28, 16)
    assert not nl.is_open(ams(2026, 4, 27, 12))
    assert nl.business_seconds_between(ams(2026, 4, 27, 0), ams(2026, 4, 28, 0)) == 0


def test_belgian_national_day_skipped_in_nl_too(nl):
    assert date(2026, 7, 21) in holidays.BE(years=2026)
    assert date(2026, 7, 21) not in holidays.NL(years=2026)
    # Monday 16:00: 1 h Monday, Tuesday 21 July closed, 7 h Wednesday.
    assert nl.add_business_hours(ams(2026, 7, 20, 16), 8) == ams(2026, 7, 22, 16)


def test_belgian_labour_day_skipped_in_nl_too(nl, be):
    assert date(2026, 5, 1) in holidays.BE(years=2026)    # Friday
    assert date(2026, 5, 1) not in holidays.NL(years=2026)
    assert nl.add_business_hours(ams(2026, 4, 30, 16), 8) == ams(2026, 5, 4, 16)
    assert be.add_business_hours(bru(2026, 4, 30, 16), 8) == bru(2026, 5, 4, 16)


def test_kings_day_not_skipped_in_be(be):
    assert date(2026, 4, 27) not in holidays.BE(years=2026)
    assert be.add_business_hours(bru(2026, 4, 24, 16), 8) == bru(2026, 4, 27, 16)
    assert be.is_open(bru(2026, 4, 27, 12))


def test_good_friday_skipped_in_nl_as_the_holidays_package_lists_it(nl):
    # The package lists Goede Vrijdag among the Dutch defaults (it is not a day off for
    # everyone in the Netherlands, but we follow the package). Easter Monday: both countries.
    assert date(2026, 4, 3) in holidays.NL(years=2026)
    assert date(2026, 4, 6) in holidays.NL(years=2026) and date(2026, 4, 6) in holidays.BE(years=2026)
    # Thursday 16:00: 1 h Thursday; Good Friday, the weekend and Easter Monday skipped.
    assert nl.add_business_hours(ams(2026, 4, 2, 16), 8) == ams(2026, 4, 7, 16)


def test_good_friday_not_skipped_in_be(be):
    assert date(2026, 4, 3) not in holidays.BE(years=2026)
    assert be.add_business_hours(bru(2026, 4, 2, 16), 8) == bru(2026, 4, 3, 16)
    # Friday 16:00 to the next opening skips Easter Monday in Belgium too.
    assert be.add_business_hours(bru(2026, 4, 3, 16), 8) == bru(2026, 4, 7, 16)


def test_christmas_and_second_christmas_day_skipped_in_nl(nl):
    # 2025: Christmas Thursday, second Christmas day Friday.
    assert nl.add_business_hours(ams(2025, 12, 24, 16), 8) == ams(2025, 12, 29, 16)


def test_christmas_skipped_but_second_christmas_day_open_in_be(be):
    assert date(2025, 12, 26) not in holidays.BE(years=2025)
    assert be.add_business_hours(bru(2025, 12, 24, 16), 8) == bru(2025, 12, 26, 16)


def test_deadline_across_new_year_uses_next_years_holidays(nl):
    # Wednesday 31 Dec 2025 16:00: 1 h, New Year's Day closed, 7 h Friday 2 Jan 2026.
    assert nl.add_business_hours(ams(2025, 12, 31, 16), 8) == ams(2026, 1, 2, 16)


def test_liberation_day_only_in_lustrum_years_as_the_package_says(nl):
    assert date(2025, 5, 5) in holidays.NL(years=2025)       # Monday, lustrum year
    assert date(2026, 5, 5) not in holidays.NL(years=2026)   # Tuesday, ordinary year
    assert not nl.is_open(ams(2025, 5, 5, 12))
    assert nl.is_open(ams(2026, 5, 5, 12))


def test_year_2040_extends(nl):
    assert date(2040, 4, 27) in holidays.NL(years=2040)      # King's Day, a Friday
    # Thursday 26 April 2040 16:00: 1 h, King's Day and the weekend skipped, 7 h Monday.
    assert nl.add_business_hours(ams(2040, 4, 26, 16), 8) == ams(2040, 4, 30, 16)
    days = dict(nl.closed_days(2040, language="en_US"))
    assert days[date(2040, 4, 27)] == "King's Day"
    assert days[date(2040, 7, 21)] == "National Day (BE)"


def test_other_countries_skip_their_own_holidays():
    de = BusinessCalendar.for_country("DE")
    assert de.tz == ZoneInfo("Europe/Berlin")
    assert date(2026, 10, 3) in holidays.DE(years=2026)      # German Unity Day, Saturday in 2026
    berlin = ZoneInfo("Europe/Berlin")
    # 3 October 2025 is a Friday.
    assert not de.is_open(datetime(2025, 10, 3, 12, tzinfo=berlin))
    assert de.is_open(datetime(2025, 4, 28, 12, tzinfo=berlin))  # a Monday: no NL/BE holidays here


# -- closed days, for the settings page ---------------------------------------------------------

def test_closed_days_of_nl_lists_belgian_days_with_their_code(nl):
    days = nl.closed_days(2026, language="nl")
    assert days == sorted(days)
    named = dict(days)
    assert named[date(2026, 4, 27)] == "Koningsdag"
    assert named[date(2026, 7, 21)] == "Nationale feestdag (BE)"
    # A day both countries keep appears once, under the Dutch name.
    assert named[date(2026, 12, 25)] == "Eerste kerstdag"
    assert [d for d, _ in days].count(date(2026, 12, 25)) == 1


def test_closed_days_default_to_the_home_language_not_the_server_locale(nl, be):
    assert dict(nl.closed_days(2026))[date(2026, 4, 27)] == "Koningsdag"
    assert dict(be.closed_days(2026))[date(2026, 7, 21)] == "Nationale feestdag"


def test_closed_days_of_be_has_no_dutch_days(be):
    named = dict(be.closed_days(2026, language="en_US"))
    assert date(2026, 4, 27) not in named
    assert named[date(2026, 7, 21)] == "National Day"
    assert not any(name.endswith(")") for name in named.values())


# -- DST: wall-clock opening hours, real elapsed time -------------------------------------------

def test_dst_spring_forward_day_has_eight_hours():
    cal = every_day_calendar()
    sunday = date(2026, 3, 29)                                # clocks go 02:00 -> 03:00
    assert cal.business_seconds_between(ams(2026, 3, 29, 0), ams(2026, 3, 30, 0)) == 8 * HOUR
    assert cal.add_business_hours(ams(2026, 3, 29, 0), 8) == ams(2026, 3, 29, 17)
    assert cal.add_business_hours(ams(2026, 3, 28, 0), 8).date() == sunday - timedelta(days=1)


def test_dst_week_keeps_local_opening_time(nl):
    # Friday before the spring change + 8 h lands on Monday at 16:00 local, now at +02:00.
    due = nl.add_business_hours(ams(2026, 3, 27, 16), 8)
    assert due == ams(2026, 3, 30, 16)
    assert (due.hour, due.utcoffset()) == (16, timedelta(hours=2))
    assert nl.business_seconds_between(ams(2026, 3, 27, 9), ams(2026, 3, 30, 17)) == 16 * HOUR
    assert nl.next_open(ams(2026, 3, 28, 12)).utcoffset() == timedelta(hours=2)


def test_dst_autumn_fall_back_day_has_eight_hours(nl):
    cal = every_day_calendar()
    assert cal.business_seconds_between(ams(2026, 10, 25, 0), ams(2026, 10, 26, 0)) == 8 * HOUR
    due = nl.add_business_hours(ams(2026, 10, 23, 16), 8)
    assert (due, due.utcoffset()) == (ams(2026, 10, 26, 16), timedelta(hours=1))


def test_dst_round_the_clock_schedule_counts_real_time():
    # 00:00–24:00 is 23 real hours on the spring day and 25 on the autumn day.
    cal = every_day_calendar(time(0), time(0))
    assert cal.business_seconds_between(ams(2026, 3, 29, 0), ams(2026, 3, 30, 0)) == 23 * HOUR
    assert cal.business_seconds_between(ams(2026, 10, 25, 0), ams(2026, 10, 26, 0)) == 25 * HOUR
    # The second 02:30 of the autumn night is kept as the second one (fold=1).
    due = cal.add_business_hours(ams(2026, 10, 25, 0), 3.5)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (due.hour, due.minute, due.fold) == (2, 30, 1)


def test_dst_gap_at_midnight_opens_when_the_clock_jumps():
    # Chile jumps from Saturday 24:00 to Sunday 01:00: a Sunday opening at 00:00 opens at the jump.
    santiago = ZoneInfo("America/Santiago")
    cal = BusinessCalendar.for_country("CL", tz=santiago, weekly={6: [(time(0), time(6))]})
    jump = datetime(2026, 9, 6, 4, tzinfo=UTC)
    assert jump.astimezone(santiago).hour == 1
    assert cal.next_open(datetime(2026, 9, 5, 12, tzinfo=santiago)) == jump
    assert cal.business_seconds_between(jump - timedelta(days=1), jump + timedelta(days=1)) == 5 * HOUR


def test_interval_inside_dst_gap_vanishes():
    cal = BusinessCalendar.for_country("NL", weekly={6: [(time(2, 15), time(2, 45)), (time(10), time(11))]})
    assert cal.business_seconds_between(ams(2026, 3, 29, 0), ams(2026, 3, 30, 0)) == HOUR
    assert cal.business_seconds_between(ams(2026, 3, 22, 0), ams(2026, 3, 23, 0)) == HOUR + 30 * 60


# -- zones and naive input ------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["add_business_hours", "business_seconds_between", "is_open", "next_open"])
def test_naive_input_raises(nl, method):
    naive = datetime(2026, 4, 21, 10)
    args = {"add_business_hours": (naive, 1), "business_seconds_between": (ams(2026, 4, 21, 9), naive),
            "is_open": (naive,), "next_open": (naive,)}[method]
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(nl, method)(*args)


def test_date_instead_of_datetime_raises(nl):
    with pytest.raises(ValueError, match="timezone-aware datetime"):
        nl.add_business_hours(date(2026, 4, 21), 1)


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"),
                                  ZoneInfo("Asia/Kathmandu"), timezone(timedelta(hours=-3, minutes=-30))])
def test_any_zone_same_instant(nl, zone):
    start = ams(2026, 4, 17, 16).astimezone(zone)
    due = nl.add_business_hours(start, 8)
    assert due == ams(2026, 4, 20, 16)
    assert due.tzinfo is AMS and due.hour == 16
    assert nl.business_seconds_between(start, ams(2026, 4, 20, 16).astimezone(zone)) == 8 * HOUR


def test_zero_hours_returns_start_in_calendar_zone(nl):
    start = datetime(2026, 4, 21, 8, 15, tzinfo=UTC)          # 10:15 in Amsterdam: open
    assert nl.add_business_hours(start, 0) == start
    assert nl.add_business_hours(start, 0).tzinfo is AMS


def test_zero_hours_in_closed_time_returns_start_itself(nl):
    # "Earliest t >= start with 0 business seconds" is start itself, not the next opening.
    saturday = ams(2026, 4, 18, 11)
    assert nl.add_business_hours(saturday, 0) == saturday


@pytest.mark.parametrize("hours", [-1, -0.001, float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"),
                                   True, "8", None, timedelta(hours=1)])
def test_negative_or_bad_hours_raise(nl, hours):
    with pytest.raises(ValueError):
        nl.add_business_hours(ams(2026, 4, 21, 10), hours)


@pytest.mark.parametrize(("hours", "expected"), [
    (1.25, ams(2026, 4, 21, 10, 15)),
    (0.1, ams(2026, 4, 21, 9, 6)),
    (7 / 60, ams(2026, 4, 21, 9, 7)),
    (Decimal("2.5"), ams(2026, 4, 21, 11, 30)),
    (Fraction(1, 3600), ams(2026, 4, 21, 9, 0, 1)),
    (1 / 3_600_000_000, ams(2026, 4, 21, 9, 0, 0, 1)),
])
def test_fractional_hours_round_to_the_microsecond(nl, hours, expected):
    assert nl.add_business_hours(ams(2026, 4, 21, 9), hours) == expected


def test_microseconds_are_kept(nl):
    start = ams(2026, 4, 21, 16, 59, 59, 999_999)
    due = nl.add_business_hours(start, 1)
    assert due == ams(2026, 4, 22, 9, 59, 59, 999_999)
    assert nl.business_seconds_between(start, due) == HOUR


def test_negative_when_end_before_start(nl):
    a, b = ams(2026, 4, 17, 16), ams(2026, 4, 20, 10)
    assert nl.business_seconds_between(a, b) == 2 * HOUR
    assert nl.business_seconds_between(b, a) == -2 * HOUR
    assert nl.business_seconds_between(a, a) == 0


def test_partial_seconds_truncate_toward_zero(nl):
    a, b = ams(2026, 4, 21, 10), ams(2026, 4, 21, 10, 0, 1, 500_000)
    assert nl.business_seconds_between(a, b) == 1
    assert nl.business_seconds_between(b, a) == -1


def test_business_seconds_over_closed_time_are_zero(nl):
    assert nl.business_seconds_between(ams(2026, 4, 17, 17), ams(2026, 4, 20, 9)) == 0


def test_business_seconds_over_a_year(nl):
    # 2026 has 261 weekdays, 10 of them NL or BE holidays (Aug 15, Nov 1, Dec 26 are weekend days).
    weekday_holidays = [d for d, _ in nl.closed_days(2026) if d.weekday() < 5]
    assert len(weekday_holidays) == 10
    total = nl.business_seconds_between(ams(2026, 1, 1), ams(2027, 1, 1))
    assert total == (261 - 10) * 8 * HOUR


# -- is_open / next_open ------------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "expected"), [
    (ams(2026, 4, 21, 8, 59, 59), False),
    (ams(2026, 4, 21, 9), True),                # opening time is open
    (ams(2026, 4, 21, 16, 59, 59, 999_999), True),
    (ams(2026, 4, 21, 17), False),              # closing time is closed
    (ams(2026, 4, 18, 12), False),              # Saturday
])
def test_opening_is_open_closing_is_closed(nl, at, expected):
    assert nl.is_open(at) is expected


def test_next_open_over_weekend(nl):
    assert nl.next_open(ams(2026, 4, 17, 17)) == ams(2026, 4, 20, 9)
    assert nl.next_open(datetime(2026, 4, 18, 22, tzinfo=UTC)).tzinfo is AMS


def test_next_open_while_open_is_now(nl):
    at = datetime(2026, 4, 21, 8, tzinfo=UTC)
    assert nl.next_open(at) == at and nl.next_open(at).tzinfo is AMS


def test_next_open_skips_holidays(nl):
    assert nl.next_open(ams(2026, 4, 24, 18)) == ams(2026, 4, 28, 9)   # King's Day Monday


# -- custom weekly schedules ----------------------------------------------------------------------------

def test_custom_weekly_with_lunch_break():
    cal = lunch_calendar()
    assert cal.add_business_hours(ams(2026, 4, 21, 11), 2) == ams(2026, 4, 21, 14)
    assert cal.add_business_hours(ams(2026, 4, 21, 11), 1) == ams(2026, 4, 21, 12)  # at the break: stays
    assert cal.add_business_hours(ams(2026, 4, 21, 12, 30), 1) == ams(2026, 4, 21, 14)
    assert cal.business_seconds_between(ams(2026, 4, 21, 0), ams(2026, 4, 22, 0)) == 7 * HOUR
    assert not cal.is_open(ams(2026, 4, 21, 12, 30))
    assert cal.next_open(ams(2026, 4, 21, 12, 30)) == ams(2026, 4, 21, 13)
    # Holidays still apply: Friday 16:00 + 7 h is 1 h Friday, King's Day skipped, then
    # Tuesday 09:00–12:00 and 13:00–16:00.
    assert cal.add_business_hours(ams(2026, 4, 24, 16), 7) == ams(2026, 4, 28, 16)


def test_custom_weekly_with_saturday_and_strings():
    cal = BusinessCalendar.for_country("NL", weekly={5: [("10:00", "14:00")], 0: [("09:00", "24:00")]})
    assert cal.add_business_hours(ams(2026, 4, 18, 13), 2) == ams(2026, 4, 20, 10)
    assert cal.business_seconds_between(ams(2026, 4, 20, 0), ams(2026, 4, 21, 0)) == 15 * HOUR
    assert cal.weekly[0] == ((time(9), time(0)),)


def test_touching_intervals_are_merged():
    cal = BusinessCalendar.for_country("NL", weekly={0: [(time(13), time(17)), (time(9), time(13))]})
    assert cal.weekly[0] == ((time(9), time(17)),)


@pytest.mark.parametrize(("weekly", "message"), [
    ({}, "at least one open interval"),
    ({0: [], 6: []}, "at least one open interval"),
    ({0: [(time(17), time(9))]}, "start before it ends"),
    ({0: [(time(9), time(9))]}, "start before it ends"),
    ({0: [(time(9), time(13)), (time(12), time(17))]}, "overlap"),
    ({7: [(time(9), time(17))]}, "weekday"),
    ({"monday": [(time(9), time(17))]}, "weekday"),
    ({0: [("9 o'clock", "17:00")]}, "not a time"),
    ({0: [(time(9),)]}, "pair"),
    ({0: [(time(9, tzinfo=UTC), time(17))]}, "wall-clock"),
    ([(time(9), time(17))], "mapping"),
])
def test_calendar_with_no_open_day_or_bad_schedule_raises(weekly, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.for_country("NL", weekly=weekly)


def test_calendar_with_no_open_day_raises():
    with pytest.raises(ValueError, match="at least one open interval"):
        BusinessCalendar.for_country("NL", weekly={wd: [] for wd in range(7)})


def test_weekly_describes_all_seven_days(nl):
    assert nl.weekly == {0: ((time(9), time(17)),), 1: ((time(9), time(17)),), 2: ((time(9), time(17)),),
                         3: ((time(9), time(17)),), 4: ((time(9), time(17)),), 5: (), 6: ()}
    rows = nl.weekly_schedule()
    assert [r.label for r in rows][:2] == ["Monday", "Tuesday"]
    assert rows[6].intervals == () and rows[0].weekday == 0


# -- construction and caching -------------------------------------------------------------------------

def test_for_country_returns_one_cached_instance_per_key(nl):
    assert BusinessCalendar.for_country("nl") is nl
    assert BusinessCalendar.for_country("NL", tz="Europe/Amsterdam") is nl
    assert BusinessCalendar.for_country("NL", weekly=nl.weekly) is nl
    assert BusinessCalendar.for_country("NL", tz="Europe/London") is not nl
    assert lunch_calendar() is lunch_calendar()


def test_own_calendar_can_skip_dutch_holidays_only_like_the_phone_norm(nl):
    cal = BusinessCalendar("NL")
    assert cal is not nl and cal.skipped_countries == ("NL", "BE")
    national_day = ams(2026, 7, 21, 12)
    assert not cal.is_open(national_day)           # builds 2026 with BE holidays first...
    cal.skipped_countries = ["nl"]
    assert cal.skipped_countries == ("NL",)
    assert cal.is_open(national_day)               # ...and the change rebuilds it
    assert not cal.is_open(ams(2026, 4, 27, 12))
    assert date(2026, 7, 21) not in dict(cal.closed_days(2026))
    assert not nl.is_open(national_day)            # the shared calendar is untouched


@pytest.mark.parametrize(("country", "zone"), [
    ("NL", ZoneInfo("Europe/Amsterdam")), ("BE", ZoneInfo("Europe/Brussels")),
    ("US", ZoneInfo("America/New_York")), ("PL", ZoneInfo("Europe/Warsaw")),
    ("BR", UTC),   # not in our map: UTC rather than a guess
])
def test_default_zone_per_country(country, zone):
    assert BusinessCalendar.for_country(country).tz == zone


def test_tz_override_reads_hours_in_that_zone():
    cal = BusinessCalendar.for_country("NL", tz="Europe/London")
    london = ZoneInfo("Europe/London")
    due = cal.add_business_hours(datetime(2026, 4, 21, 8, tzinfo=london), 1)
    assert due == datetime(2026, 4, 21, 10, tzinfo=london)
    assert not cal.is_open(datetime(2026, 4, 27, 12, tzinfo=london))   # still NL + BE holidays


@pytest.mark.parametrize("country", ["XX", "", "Netherlands"])
def test_unknown_country_raises(country):
    with pytest.raises(ValueError, match="country"):
        BusinessCalendar.for_country(country)


def test_unknown_zone_raises():
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar.for_country("NL", tz="Mars/Olympus_Mons")


# -- sla_state ------------------------------------------------------------------------------------------

DUE = ams(2026, 4, 22, 15)   # Wednesday 15:00


@pytest.mark.parametrize(("now", "state", "remaining"), [
    (ams(2026, 4, 21, 10), "on_track", 13 * HOUR),
    (ams(2026, 4, 22, 12, 59, 59), "on_track", 2 * HOUR + 1),
    (ams(2026, 4, 22, 13), "due_soon", 2 * HOUR),                    # exactly 2 h left: due soon
    (ams(2026, 4, 22, 14, 59), "due_soon", 60),
    (ams(2026, 4, 22, 15), "due_soon", 0),                           # at the due instant: not yet overdue
    (ams(2026, 4, 22, 15, 0, 0, 1), "overdue", 0),                   # strictly after: overdue
    (ams(2026, 4, 23, 10), "overdue", -3 * HOUR),
])
def test_sla_state_while_waiting(nl, now, state, remaining):
    result = sla_state(nl, DUE, now)
    assert (result.state, result.remaining_seconds, result.paused_until) == (state, remaining, None)
    assert result.due == DUE


def test_sla_state_yesterday_evening_is_due_soon_and_paused(nl):
    # Tuesday 20:00, due Wednesday 10:00: one business hour left, the clock stands still.
    result = sla_state(nl, ams(2026, 4, 22, 10), ams(2026, 4, 21, 20))
    assert result == SlaState("due_soon", HOUR, ams(2026, 4, 22, 9), ams(2026, 4, 22, 10))


def test_sla_state_paused_until_over_a_weekend(nl):
    due = datetime(2026, 4, 20, 13, tzinfo=UTC)               # Monday 15:00 in Amsterdam
    result = sla_state(nl, due, ams(2026, 4, 18, 11))          # Saturday
    assert result.state == "on_track" and result.remaining_seconds == 6 * HOUR
    assert result.paused_until == ams(2026, 4, 20, 9)
    assert result.due.tzinfo is AMS and result.due == due


def test_sla_state_overdue_after_closing_with_no_business_time_lost_yet(nl):
    # Due Friday 17:00, now Friday 17:30: the deadline has passed (overdue), the clock is
    # paused until Monday and no business second has been used past it.
    result = sla_state(nl, ams(2026, 4, 17, 17), ams(2026, 4, 17, 17, 30))
    assert result == SlaState("overdue", 0, ams(2026, 4, 20, 9), ams(2026, 4, 17, 17))


def test_sla_state_paused_until_over_a_holiday(nl):
    result = sla_state(nl, ams(2026, 4, 28, 12), ams(2026, 4, 27, 10))   # King's Day
    assert result.paused_until == ams(2026, 4, 28, 9)


def test_sla_state_answered_on_time(nl):
    result = sla_state(nl, DUE, ams(2026, 4, 25, 9), answered_at=ams(2026, 4, 22, 11))
    assert result == SlaState("answered_on_time", 4 * HOUR, None, DUE)


def test_sla_state_answered_late(nl):
    result = sla_state(nl, DUE, ams(2026, 4, 25, 9), answered_at=ams(2026, 4, 23, 9, 30))
    assert result == SlaState("answered_late", -(2 * HOUR + 30 * 60), None, DUE)


def test_sla_state_answered_after_closing_on_the_due_day_is_on_time(nl):
    # Due Friday 17:00, answered 17:30: no business time used past the deadline, so the
    # answer still came "within 8 business hours".
    result = sla_state(nl, ams(2026, 4, 17, 17), ams(2026, 4, 18, 9), answered_at=ams(2026, 4, 17, 17, 30))
    assert (result.state, result.remaining_seconds) == ("answered_on_time", 0)


def test_sla_state_custom_due_soon_threshold(nl):
    assert sla_state(nl, DUE, ams(2026, 4, 22, 10), due_soon_seconds=6 * HOUR).state == "due_soon"
    assert sla_state(nl, DUE, ams(2026, 4, 22, 10), due_soon_seconds=0).state == "on_track"
    with pytest.raises(ValueError):
        sla_state(nl, DUE, ams(2026, 4, 22, 10), due_soon_seconds=-1)


def test_sla_state_naive_input_raises(nl):
    with pytest.raises(ValueError, match="timezone-aware"):
        sla_state(nl, datetime(2026, 4, 22, 15), ams(2026, 4, 22, 10))
    with pytest.raises(ValueError, match="now must be a timezone-aware"):
        sla_state(nl, DUE, datetime(2026, 4, 22, 10))
    with pytest.raises(ValueError, match="answered_at must be a timezone-aware"):
        sla_state(nl, DUE, ams(2026, 4, 22, 10), answered_at=datetime(2026, 4, 22, 10))


# -- purity ----------------------------------------------------------------------------------------------

def test_sla_module_imports_only_stdlib_and_holidays():
    source = Path(__file__).resolve().parents[2] / "inbox" / "sla.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"holidays"}
