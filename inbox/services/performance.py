"""The performance page's figures as one view-model: the three norms, the weekly warning, the service measures,
and the tables behind every chart (shown as accessible tables and downloaded as CSV).

Agents see their own figures (the questions assigned to them); managers and owners see the shop's. The views
(`views/reports.py`) read the period from the request and render what `build_report` returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from markupsafe import Markup

from inbox import csvexport, metrics, svgcharts
from inbox.i18n import _, lazy_gettext as _l, local_date
from inbox.labels import CATEGORY_LABELS
from inbox.models import Shop
from inbox.services import norms, satisfaction

CHANNEL_NAMES = {"email": _l("E-mail"), "webform": _l("Web form"), "phone": _l("Phone"),
                 "marketplace": _l("Forwarded by the marketplace")}


def _hours(seconds: float | None) -> csvexport.Hours | None:
    return None if seconds is None else csvexport.Hours(round(seconds / 3600, 2))


def _minutes(minutes: float | None) -> csvexport.Hours | None:
    """A service measure (business minutes) in hours."""
    return None if minutes is None else csvexport.Hours(round(minutes / 60, 2))


def _pct(share: float | None) -> csvexport.Percent | None:
    return None if share is None else csvexport.Percent(round(share * 100, 1))


@dataclass
class Table:
    """The numbers behind a chart: shown as an accessible table and downloaded as CSV."""

    name: str
    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    hours: set[int] = field(default_factory=set)   # columns of durations: the CSV header names the unit

    def csv_headers(self) -> list[str]:
        """The headers with the unit of the duration columns, whose cells are plain numbers in a spreadsheet."""
        return [_("%(column)s (hours)", column=h) if i in self.hours else h for i, h in enumerate(self.headers)]


@dataclass
class Report:
    shop: Shop
    now: datetime
    own_only: bool
    start: date
    end: date
    weeks: list[metrics.Week]
    response: list[metrics.WeekScore]
    last4: metrics.Total
    last13: metrics.Total
    this_week: metrics.WeekScore
    misses: list[norms.Miss]
    at_risk: list[metrics.AtRisk]
    at_risk_count: int = 0
    phone: list[metrics.PhoneScore] | None = None
    phone_last4: metrics.Total | None = None
    volume: list[metrics.VolumeWeek] | None = None
    products: list[metrics.ProductRate] | None = None
    service_rows: list[tuple[str, metrics.ServiceMeasures]] = field(default_factory=list)
    satisfaction: satisfaction.Satisfaction | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Markup] = field(default_factory=dict)


def week_label(week: metrics.Week) -> str:
    return _("W%(n)s", n=week.week)


def period(shop: Shop, now: datetime, start: date | None, end: date | None) -> tuple[date, date]:
    """The service measures' days: as chosen, else up to today, and the four weeks before the end."""
    today = now.astimezone(shop.tz).date()
    end = end or today
    start = start or min(end, today) - timedelta(days=norms.DEFAULT_PERIOD_DAYS - 1)
    return start, end


# What each downloadable table needs: a CSV computes only its own part of the page.
PARTS = {"response": {"weeks"}, "misses": {"weeks", "misses"}, "phone": {"phone"}, "volume": {"weeks", "volume"},
         "products": {"products"}, "service": {"service"}}
PAGE = {"weeks", "misses", "phone", "volume", "products", "service", "satisfaction"}
MISSES_SHOWN, AT_RISK_SHOWN = 50, 15


def build_report(shop: Shop, now: datetime, *, own_only: bool, user_id: int, start: date, end: date,
                 only: str | None = None) -> Report:
    """Everything the page shows, in a handful of aggregated queries; with `only`, just what that table needs
    (its CSV download)."""
    parts = PARTS.get(only, set()) if only else PAGE
    assignee = user_id if own_only else None
    weeks26 = metrics.weeks_back(now, shop.tz, norms.PAGE_WEEKS)
    weeks = weeks26[13:]
    scores26 = norms.weekly_tickets(shop, weeks26, now, assignee) if "weeks" in parts else None
    scores = scores26[13:] if scores26 else []
    this_week = scores[-1] if scores else metrics.WeekScore(weeks[-1])
    report = Report(shop, now, own_only, start, end, weeks, scores, metrics.combine(scores[-4:]),
                    metrics.combine(scores), this_week, [], [])
    if "misses" in parts:
        # The page lists the latest misses and the soonest due; the CSV has every miss.
        report.misses = norms.week_misses(shop, this_week.week, now, assignee, limit=None if only else MISSES_SHOWN)
        report.at_risk = norms.week_forecast(shop, this_week.week, now, assignee, limit=AT_RISK_SHOWN)
        report.at_risk_count = this_week.waiting
    if not own_only:
        if "phone" in parts:
            report.phone = norms.phone_weekly(shop, weeks, now)
            report.phone_last4 = metrics.combine(report.phone[-4:], good="answered")
        if "volume" in parts:
            report.volume = metrics.volume_weeks([s.total for s in scores26], norms.weekly_orders(shop, weeks26),
                                                 weeks)
        if "products" in parts:
            report.products = norms.product_volume(shop, weeks[-4:])
    if "satisfaction" in parts:
        report.satisfaction = satisfaction.summary(shop, weeks, agent_id=assignee)
    if "service" in parts:
        groups = norms.service_measures(shop, start, end, now, assignee)
        report.service_rows.append((_("Everyone") if not own_only else _("You"), groups[("everyone", None)]))
        if not own_only:
            names = {u.id: u.display_name for u in norms.shop_staff(shop)}
            agents = {who: m for (kind, who), m in groups.items() if kind == "agent"}
            for agent_id, m in sorted(agents.items(), key=lambda kv: names.get(kv[0], "~")):
                report.service_rows.append((names.get(agent_id, _("Unassigned")), m))
            channels = {name: m for (kind, name), m in groups.items() if kind == "channel"}
            for channel, m in sorted(channels.items()):
                report.service_rows.append((str(CHANNEL_NAMES.get(channel, channel)), m))
    _tables(report, parts)
    if not only:
        _charts(report)
    return report


def _tables(r: Report, parts: set[str]) -> None:
    tz = r.shop.tz
    if "weeks" in parts:
        t = Table("response", _("First reaction within 8 business hours, per week"),
                  [_("Week"), _("Monday"), _("Questions"), _("On time"), _("Late"), _("No reaction, past due"),
                   _("Still waiting"), _("% on time")])
        for s in r.response:
            t.rows.append([s.week.key, s.week.monday(tz).isoformat(), s.total, s.on_time, s.late, s.missing,
                           s.waiting, _pct(s.share)])
        r.tables["response"] = t
    if "misses" in parts:
        t = Table("misses", _("This week's misses"), [_("Ticket"), _("Subject"), _("Clock started"), _("Due"),
                                                        _("First reaction"), _("Late by (business hours)"),
                                                        _("Assigned to")])
        for m in r.misses:
            t.rows.append([m.ticket_id, m.subject, _iso(m.clock_start, tz), _iso(m.due, tz),
                           _iso(m.first_reply_at, tz), _hours(m.late_seconds), m.assignee or ""])
        r.tables["misses"] = t
    if r.phone is not None:
        t = Table("phone", _("Calls answered during phone opening hours, per week"),
                  [_("Week"), _("Monday"), _("Call attempts"), _("Answered"), _("Missed"),
                   _("Outside opening hours or closed"), _("% answered")])
        for s in r.phone:
            t.rows.append([s.week.key, s.week.monday(tz).isoformat(), s.attempts, s.answered, s.missed,
                           s.outside_hours, _pct(s.share)])
        r.tables["phone"] = t
    if r.volume is not None:
        t = Table("volume", _("Questions per 100 orders, per week"),
                  [_("Week"), _("Monday"), _("Questions"), _("Orders"), _("Per 100 orders"), _("Expected")])
        for v in r.volume:
            t.rows.append([v.week.key, v.week.monday(tz).isoformat(), v.questions, v.orders, _round(v.rate),
                           _round(v.expected)])
        r.tables["volume"] = t
    if r.products is not None:
        t = Table("products", _("Questions per 100 orders per product, last 4 weeks against the 13 before"),
                  [_("Product"), _("Questions"), _("Orders"), _("Per 100 orders"), _("Expected"), _("Times expected"),
                   _("Most common questions"), _("Well above expectation")])
        for p in r.products:
            t.rows.append([p.product, p.questions, p.orders, _round(p.rate), _round(p.expected), _round(p.ratio, 2),
                           ", ".join(f"{CATEGORY_LABELS.get(c, c)} ({n})" for c, n in p.categories), _("yes") if p.flagged else ""])
        r.tables["products"] = t
    if "service" not in parts:
        return
    t = Table("service", _("Service measures, %(start)s – %(end)s (business hours)",
                           start=local_date(r.start), end=local_date(r.end)),
              [_("Who / channel"), _("Questions"), _("First response, median"), _("First response, 90th percentile"),
               _("Resolution, median"), _("Resolution, 90th percentile"), _("Average time between responses"),
               _("% solved at first contact"), _("Customer waiting time, median"), _("Customer waiting time, 90th percentile")],
              hours={2, 3, 4, 5, 6, 8, 9})
    for name, m in r.service_rows:
        t.rows.append([name, m.tickets, _minutes(m.first_response_median), _minutes(m.first_response_p90),
                       _minutes(m.resolution_median), _minutes(m.resolution_p90), _minutes(m.between_responses_avg),
                       _pct(m.first_contact_share), _minutes(m.waiting_median), _minutes(m.waiting_p90)])
    r.tables["service"] = t


def _iso(value: datetime | None, tz) -> str:
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _charts(r: Report) -> None:
    labels = [week_label(w) for w in r.weeks]
    norm_label = _("norm 90%")
    r.charts["response"] = svgcharts.bar_chart(
        "chart-response", labels, [s.share for s in r.response], norm=metrics.NORM_SHARE, norm_label=norm_label,
        title=_("Share of questions with a first reaction within 8 business hours, last 13 weeks"),
        desc=_("Bars per ISO week; the dashed line is the 90%% norm. Last 4 weeks: %(a)s, last 13 weeks: %(b)s.",
               a=_fmt_share(r.last4.share), b=_fmt_share(r.last13.share)))
    if r.phone is not None:
        r.charts["phone"] = svgcharts.bar_chart(
            "chart-phone", labels, [s.share for s in r.phone], norm=metrics.NORM_SHARE, norm_label=norm_label,
            title=_("Share of call attempts answered during opening hours, last 13 weeks"),
            desc=_("Bars per ISO week; the dashed line is the 90% norm."))
    if r.volume is not None:
        r.charts["volume"] = svgcharts.line_chart(
            "chart-volume", labels,
            [svgcharts.Series(_("Questions per 100 orders"), [v.rate for v in r.volume]),
             svgcharts.Series(_("Expected (trailing 13 weeks)"), [v.expected for v in r.volume], "norm", dashed=True)],
            title=_("Questions per 100 orders, last 13 weeks"),
            desc=_("The solid line is this shop's rate per week; the dashed line its own rate over the 13 weeks before."))


def _fmt_share(share: float | None) -> str:
    return "–" if share is None else svgcharts.percent(share)
