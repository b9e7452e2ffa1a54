"""Plan a quiet period: weekly counts, the expectation for coming weeks, the quietest periods, the estimate."""
from collections import Counter
from datetime import date, timedelta

from inbox import planning

TODAY = date(2026, 11, 18)  # a Wednesday
THIS_WEEK = date(2026, 11, 16)


def flat_year(per_week=20, weeks=70):
    return Counter({THIS_WEEK - timedelta(weeks=i): per_week for i in range(1, weeks)})


def test_weeks_are_keyed_by_their_monday():
    counts = planning.weekly_counts([date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 23)])
    assert counts == {date(2026, 11, 16): 2, date(2026, 11, 23): 1}


def test_next_weeks_follow_last_year_scaled_by_the_trend():
    counts = flat_year(20)
    for i in range(1, 9):  # the last 8 weeks: 50 % busier than a year earlier
        counts[THIS_WEEK - timedelta(weeks=i)] = 30
    weeks, factor = planning.build_weeks(counts, TODAY)
    assert factor == 1.5
    coming = [w for w in weeks if w.expected is not None]
    assert len(coming) == planning.AHEAD_WEEKS and coming[0].start == THIS_WEEK + timedelta(weeks=1)
    assert coming[0].expected == 30  # 20 last year x 1.5


def test_without_a_year_of_history_the_recent_average_is_the_expectation():
    counts = Counter({THIS_WEEK - timedelta(weeks=i): 12 for i in range(1, 9)})
    weeks, factor = planning.build_weeks(counts, TODAY)
    assert factor == 1.0 and {w.expected for w in weeks if w.expected is not None} == {12}


def test_in_spring_the_coming_weeks_reach_past_the_summer_holidays_and_find_a_quiet_summer():
    spring = date(2027, 3, 17)
    counts = Counter()
    for i in range(1, 70):   # last year: 30 questions a week, but a quiet summer (July and August)
        week = planning.monday(spring) - timedelta(weeks=i)
        counts[week] = 8 if week.month in (7, 8) else 30
    weeks, _ = planning.build_weeks(counts, spring)
    coming = [w for w in weeks if w.expected is not None]
    assert coming[-1].start >= date(2027, 8, 30)          # the whole of August is in sight
    best = planning.quietest_periods(coming)[0]
    assert best.weeks == 2 and best.start.month in (7, 8) and best.end.month in (7, 8)


def test_the_chart_has_52_past_weeks_and_notes_holidays():
    weeks, _ = planning.build_weeks(flat_year(), TODAY, holidays={date(2026, 12, 25): "Christmas Day",
                                                                   date(2026, 12, 26): "Second Day of Christmas"})
    assert sum(1 for w in weeks if w.actual is not None) == 52
    christmas = next(w for w in weeks if w.start == date(2026, 12, 21))
    assert christmas.holidays == ["Christmas Day"]  # Saturday's holiday costs no business day


def test_the_quietest_periods_do_not_overlap_and_come_quietest_first():
    coming = [planning.Week(THIS_WEEK + timedelta(weeks=i), expected=e) for i, e in enumerate([40, 12, 10, 35, 50, 20, 45, 38], 1)]
    periods = planning.quietest_periods(coming)
    assert [(p.start, p.weeks) for p in periods] == [
        (THIS_WEEK + timedelta(weeks=3), 1), (THIS_WEEK + timedelta(weeks=2), 1), (THIS_WEEK + timedelta(weeks=6), 1)]
    assert periods[0].end == THIS_WEEK + timedelta(weeks=3, days=6)


def test_a_two_week_period_wins_when_both_weeks_are_quiet():
    coming = [planning.Week(THIS_WEEK + timedelta(weeks=i), expected=e) for i, e in enumerate([40, 10, 10, 40], 1)]
    assert planning.quietest_periods(coming, n=1)[0].weeks == 2


def test_the_estimate_spreads_weeks_over_days_and_divides_by_business_days():
    start, end = date(2026, 12, 21), date(2026, 12, 27)   # Christmas week
    open_days = [date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 24)]
    result = planning.estimate(start, end, lambda monday: 35.0, open_days)
    assert round(result.questions, 6) == 35 and result.business_days == 4 and result.per_business_day == 8.75


def test_a_nice_scale_for_the_chart():
    assert [planning.nice_scale(v) for v in (0, 38, 63, 95, 410)] == [4, 40, 80, 100, 800]
