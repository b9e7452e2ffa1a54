"""Plan a quiet period: last year's questions per week, the coming weeks' expectation, the quietest weeks."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user

from inbox import clock, planning
from inbox.access import require
from inbox.i18n import _
from inbox.services import sla as sla_service, ticket_days
from inbox.ui import recounting_page
from inbox.views.settings import holiday_language

bp = Blueprint("planning", __name__, url_prefix="/planning")

CHART_W, CHART_H = 960, 220


def _closed_days(calendar, years) -> dict[date, str]:
    days = {}
    for year in years:
        days.update(calendar.closed_days(year, language=holiday_language()))
    return days


def _open_days(calendar, start: date, end: date, holidays: dict[date, str]) -> list[date]:
    open_weekdays = {d.weekday for d in calendar.weekly_schedule() if d.intervals}
    days, day = [], start
    while day <= end:
        if day.weekday() in open_weekdays and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def _parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("")
@require("see_reports")
def index():
    """Staff planning: expected questions per week from last year's arrivals and the trend."""
    shop = current_user.shop
    today = clock.now().astimezone(shop.tz).date()
    this_week = planning.monday(today)
    waiting = recounting_page(shop, _("Plan a quiet period"))
    if waiting is not None:
        return waiting
    counts = ticket_days.weekly_arrivals(shop, this_week - planning.YEAR - timedelta(weeks=planning.TREND_WEEKS + 2))
    calendar = sla_service.calendar_for(shop)
    holidays = _closed_days(calendar, range(today.year - 1, today.year + 3))
    weeks, factor = planning.build_weeks(counts, today, ahead=planning.AHEAD_WEEKS, holidays=holidays)
    coming = [w for w in weeks if w.expected is not None]
    suggestions = planning.quietest_periods(coming)

    def weekly(week_start: date) -> float:
        if week_start <= this_week:
            return counts.get(week_start, 0)
        return planning.expected_week(counts, week_start, factor, this_week)

    errors = []
    start, end = _parse_date(request.args.get("start")), _parse_date(request.args.get("end"))
    if request.args.get("start") or request.args.get("end"):
        if start is None or end is None:
            errors.append(_("Enter both dates, e.g. 2026-07-20."))
        elif end < start:
            errors.append(_("The last day must come after the first."))
        elif (end - start).days > 366 or start < today - timedelta(days=366) or end > today + clock.AHEAD:
            errors.append(_("Choose a period within a year from now."))
    if not errors and (start is None or end is None) and suggestions:
        start, end = suggestions[0].start, suggestions[0].end
    result = None
    if not errors and start and end:
        result = planning.estimate(start, end, weekly, _open_days(calendar, start, end, holidays))
    bars, scale_max = planning.chart_bars(weeks, width=CHART_W, height=CHART_H)
    past = [w.actual for w in weeks if w.actual is not None]
    status = 422 if errors else 200
    return render_template(
        "planning/index.html", shop=shop, weeks=weeks, bars=bars, scale_max=scale_max, chart_w=CHART_W,
        chart_h=CHART_H, factor=factor, suggestions=suggestions, start=start, end=end, result=result,
        errors=errors, this_week=this_week, ahead=len(coming),
        horizon_end=coming[-1].start + timedelta(days=6) if coming else None, total_past=sum(past), busiest=max(past, default=0),
        average=sum(past) / len(past) if past else 0, holidays=holidays), status
