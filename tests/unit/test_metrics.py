"""The pure measures behind the performance page: weeks in the shop's zone, the norms, the service measures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from inbox import metrics
from inbox.sla import BusinessCalendar

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_sunday_2330_local_belongs_to_that_week():
    sunday_late = local(2026, 11, 22, 23, 30)          # 22:30 UTC
    monday_early = local(2026, 11, 23, 0, 10)          # still Sunday 23:10 in UTC
    assert metrics.week_of(sunday_late, AMS).week == 47
    assert metrics.week_of(monday_early, AMS).week == 48
    assert metrics.week_of(sunday_late, AMS).end == monday_early.replace(minute=0).astimezone(UTC)


@pytest.mark.parametrize("day, hours", [(datetime(2026, 3, 25), 167), (datetime(2026, 10, 22), 169),
                                        (datetime(2026, 6, 10), 168)])
def test_dst_weeks_are_one_hour_shorter_or_longer(day, hours):
    week = metrics.week_of(day.replace(tzinfo=AMS), AMS)
    assert (week.end - week.start) == timedelta(hours=hours)
    assert week.start.astimezone(AMS).hour == 0 and week.start.astimezone(AMS).weekday() == 0


def test_weeks_back_are_consecutive_and_end_with_this_week():
    now = local(2026, 4, 1, 12)
    weeks = metrics.weeks_back(now, AMS, 13)
    assert len(weeks) == 13 and weeks[-1].contains(now)
    assert all(a.end == b.start for a, b in zip(weeks, weeks[1:]))
    assert metrics.week_index(weeks, weeks[3].start) == 3
    assert metrics.week_index(weeks, weeks[0].start - timedelta(seconds=1)) is None


def test_outcome_late_answer_missing_and_waiting():
    now = local(2026, 11, 20, 12)
    due = local(2026, 11, 19, 12)
    assert metrics.first_reaction_outcome(due - timedelta(hours=1), due, 3600, now) == "on_time"
    assert metrics.first_reaction_outcome(due + timedelta(hours=1), due, -3600, now) == "late"
    # An answer at 17:30 on the due day (due 17:00) used no business time past the deadline: on time.
    assert metrics.first_reaction_outcome(due + timedelta(hours=5, minutes=30), due, 0, now) == "on_time"
    assert metrics.first_reaction_outcome(None, due, None, now) == "missing"
    assert metrics.first_reaction_outcome(None, now + timedelta(hours=1), None, now) == "waiting"


def test_week_share_ignores_questions_whose_clock_still_runs():
    now = local(2026, 11, 20, 12)
    weeks = metrics.weeks_back(now, AMS, 2)
    monday = weeks[-1].start
    rows = [(monday + timedelta(hours=10), monday + timedelta(hours=11), monday + timedelta(hours=18), 100)] * 9
    rows += [(monday + timedelta(hours=10), None, monday + timedelta(hours=18), None)]          # missing
    rows += [(now - timedelta(minutes=5), None, now + timedelta(hours=7), None)]                 # waiting
    scores = metrics.response_scores(rows, weeks, now)
    assert (scores[-1].on_time, scores[-1].missed, scores[-1].waiting) == (9, 1, 1)
    assert scores[-1].share == pytest.approx(0.9) and scores[-1].meets_norm
    assert scores[0].share is None
    assert metrics.combine(scores).share == pytest.approx(0.9)


def test_forecast_lists_latest_time_to_answer_soonest_first():
    cal = BusinessCalendar.for_country("NL", tz="Europe/Amsterdam")
    now = local(2026, 11, 18, 10)
    waiting = [(1, "later", local(2026, 11, 19, 9, 30), None), (2, "soon", local(2026, 11, 18, 11), "Anna"),
               (3, "already late", local(2026, 11, 18, 9), None)]
    risk = metrics.forecast(waiting, cal, now)
    assert [r.ticket_id for r in risk] == [2, 1]
    assert risk[0].seconds_left == 3600 and risk[1].seconds_left == 7 * 3600 + 30 * 60


def phone_cal(weekly=None, country="NL"):
    cal = BusinessCalendar(country, weekly=weekly, tz="Europe/Amsterdam")
    cal.skipped_countries = (country,)
    return cal


def test_phone_counts_only_incoming_calls_in_opening_hours():
    now = local(2026, 11, 20, 23)
    weeks = metrics.weeks_back(now, AMS, 1)
    calls = [(local(2026, 11, 16, 10), "in", True), (local(2026, 11, 16, 11), "in", False),
             (local(2026, 11, 16, 19, 30), "in", False),          # evening: phone closed by default
             (local(2026, 11, 17, 10), "out", False)]             # our own call out
    default = metrics.phone_scores(calls, weeks, phone_cal())[0]
    assert (default.answered, default.missed, default.outside_hours) == (1, 1, 1)
    evenings = phone_cal({d: (("09:00", "17:00"), ("19:00", "21:00")) for d in range(5)})
    extended = metrics.phone_scores(calls, weeks, evenings)[0]
    assert (extended.answered, extended.missed) == (1, 2)


def test_phone_leaves_out_temporary_closure_and_dutch_holidays_only():
    kings_day = local(2026, 4, 27, 10)            # Monday, Dutch holiday
    belgian_day = local(2026, 7, 21, 10)          # Tuesday, Belgian national day: the phone norm skips Dutch ones only
    closed = local(2026, 8, 4, 10)
    cal = phone_cal()
    assert not cal.is_open(kings_day) and cal.is_open(belgian_day)
    weeks = [metrics.week_of(at, AMS) for at in (kings_day, belgian_day, closed)]
    calls = [(kings_day, "in", False), (belgian_day, "in", False), (closed, "in", False)]
    closures = [(local(2026, 8, 3), local(2026, 8, 10))]
    scores = [metrics.phone_scores(calls, [w], cal, closures)[0] for w in weeks]
    assert [(s.missed, s.outside_hours) for s in scores] == [(0, 1), (1, 0), (0, 1)]


def test_volume_expectation_is_the_trailing_13_weeks():
    now = local(2026, 11, 20, 12)
    weeks = metrics.weeks_back(now, AMS, 14)
    questions = [5] * 13 + [30]
    orders = [100] * 14
    [week] = metrics.volume_weeks(questions, orders, weeks[-1:])
    assert week.expected == pytest.approx(5.0) and week.rate == pytest.approx(30.0) and week.above


def test_product_flagged_well_above_its_own_rate_with_enough_questions():
    rows = metrics.product_rates({"jacket": (9, 60), "socks": (2, 10), "mug": (3, 100)},
                                 {"jacket": (10, 400), "socks": (1, 100), "mug": (9, 300)})
    by_name = {r.product: r for r in rows}
    assert by_name["jacket"].flagged                       # 15 per 100 against 2.5
    assert not by_name["socks"].flagged                    # far above, but only 2 questions
    assert not by_name["mug"].flagged
    assert rows[0].product == "jacket"


def test_service_measures_in_business_hours():
    cal = BusinessCalendar.for_country("NL", tz="Europe/Amsterdam")
    now = local(2026, 11, 20, 16)
    mon9 = local(2026, 11, 16, 9)
    one_reply = metrics.TicketFacts(1, 7, "email", mon9, "solved", local(2026, 11, 16, 12),
                                    [("customer", mon9), ("reply", local(2026, 11, 16, 11))])
    # Friday 16:00 question answered Monday 10:00: 2 business hours, not a weekend.
    fri = local(2026, 11, 13, 16)
    follow_up = metrics.TicketFacts(2, 8, "phone", fri, "solved", local(2026, 11, 17, 10),
                                    [("customer", fri), ("reply", local(2026, 11, 16, 10)),
                                     ("customer", local(2026, 11, 16, 11)), ("reply", local(2026, 11, 16, 15))])
    figures = [metrics.ticket_figures(t, cal) for t in (one_reply, follow_up)]
    assert figures[0].first_response == 2 * 60 and figures[1].first_response == 2 * 60   # business minutes
    assert figures[0].first_contact and not figures[1].first_contact
    assert figures[1].gap_sum == 5 * 60 and figures[1].wait == 2 * 60 + 4 * 60
    m = metrics.summarise(figures)
    assert m.first_contact_share == 0.5 and m.between_responses_avg == 5 * 60
    assert m.resolution_median == (3 + 10) / 2 * 60


def test_durations_are_whole_business_minutes_that_add_up():
    """Each duration is the difference of two business minutes: seconds past a minute are not rounded per
    duration, so a wait split in two adds up to the whole."""
    cal = BusinessCalendar.for_country("NL", tz="Europe/Amsterdam")
    start = local(2026, 11, 16, 9, 0, 40)
    t = metrics.TicketFacts(1, None, "email", start, "open", None,
                            [("customer", start), ("reply", local(2026, 11, 16, 9, 2, 10)),
                             ("customer", local(2026, 11, 16, 9, 3, 50))])
    f = metrics.ticket_figures(t, cal)
    assert f.first_response == 2 and f.wait == 2          # 09:00 to 09:02 on the minute clock
    assert f.wait_key == cal.business_minute(local(2026, 11, 16, 9, 3, 50)) - 2
    now = local(2026, 11, 16, 10, 0, 5)
    assert metrics.with_running_wait(f, cal, now).wait == 2 + 57


def test_percentile_interpolates():
    assert metrics.percentile([], .5) is None
    assert metrics.percentile([1, 2, 3, 4], .5) == 2.5
    assert metrics.percentile(list(range(1, 11)), .9) == pytest.approx(9.1)
