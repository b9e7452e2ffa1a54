"""The performance page and its CSVs: the period from the request, the figures from services/performance.py."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField
from wtforms.validators import Optional

from inbox import clock, csvexport, metrics
from inbox.forms import WithinReach
from inbox.i18n import _, language, lazy_gettext as _l
from inbox.services import norms, performance, satisfaction
from inbox.services.performance import PARTS, Report
from inbox.ui import Banner, fixed_url, recounting_notice, recounting_page

bp = Blueprint("reports", __name__, url_prefix="/reports")


class PeriodForm(FlaskForm):
    """The period of the service measures; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional(), WithinReach()])
    end = DateField(_l("To"), validators=[Optional(), WithinReach()])

    def period(self, shop, now) -> tuple[date, date] | None:
        """The period asked for with its open ends filled in (performance.period); None, with a field error, when
        it is not one. The year's cap applies after the filling: a lone start ten years back is ten years too."""
        if not self.validate():
            return None
        start, end = performance.period(shop, now, self.start.data, self.end.data)
        # The error goes to the date that was typed (the end when both were).
        field = self.end if self.end.data or not self.start.data else self.start
        if start > end:
            field.errors.append(_l("The end date must be on or after the start date."))
            return None
        if (end - start).days > 366:
            field.errors.append(_l("Choose a period of at most a year."))
            return None
        return start, end


def _report_from_request(only: str | None = None) -> tuple[Report | None, PeriodForm]:
    shop = current_user.shop
    now = clock.now()
    form = PeriodForm(formdata=request.args)
    chosen = form.period(shop, now)
    if chosen is None:
        form.start.data = form.end.data = None
    start, end = chosen or performance.period(shop, now, None, None)
    report = performance.build_report(shop, now, own_only=not current_user.may("see_reports"),
                                      user_id=current_user.id, start=start, end=end, only=only)
    return report, form


@bp.route("")
@login_required
def index():
    """The performance page; a bad period re-renders with field errors and 422."""
    waiting = recounting_page(current_user.shop, _("Performance"))
    if waiting is not None:
        return waiting
    report, form = _report_from_request()
    status = 422 if form.errors else 200
    return render_template("reports/index.html", r=report, form=form, metrics=metrics, timedelta=timedelta,
                           zip=zip, SCORE_NAMES=satisfaction.SCORE_NAMES), status


@bp.route("/<name>.csv")
@login_required
def download(name: str):
    """The numbers behind one chart or table, as CSV: `;` and decimal commas for Dutch Excel or `,` and points
    (`?format=excel-nl|standard`, by default the one the UI language's Excel expects), UTF-8 with a BOM.

    :raise 404: an unknown table, or one the user's role does not show.
    """
    if name not in PARTS:
        abort(404)
    notice = recounting_notice(current_user.shop)
    if notice is not None:
        return Response(notice + "\n", 503, mimetype="text/plain", headers={"Retry-After": "30"})
    report, form = _report_from_request(only=name)
    if form.errors:
        abort(422)
    table = report.tables.get(name)
    if table is None:
        abort(404)
    dialect = csvexport.dialect_for(request.args.get("format"), language())
    filename = f"{name}-{report.now.astimezone(report.shop.tz).date().isoformat()}.csv"
    return Response(csvexport.to_csv(table.csv_headers(), table.rows, dialect), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def week_misses_banner() -> Banner | None:
    """Managers and owners see this week's misses in the inbox once they reach 5 (the same count as the
    performance page's, whichever process serves either: norms.banner_miss_count)."""
    if not current_user.is_authenticated or not current_user.may("see_reports"):
        return None
    if not (request.endpoint or "").startswith("tickets.") or "reports.index" not in _app_views():
        return None
    shop = current_user.shop
    n = norms.banner_miss_count(shop, clock.now())
    if n < metrics.BANNER_AT:
        return None
    level = "danger" if n >= metrics.WARNING_AT else "warning"
    text = _("%(n)s questions this week got no first reaction within 8 business hours. At %(limit)s the marketplace sends a warning.",
             n=n, limit=metrics.WARNING_AT)
    # str.format over escaped parts: it is on every inbox page, and Markup.format is ten times slower.
    # bandit B704: the parts are escaped in place.
    return Banner(level, Markup('{} <a href="{}#warning">{}</a>'.format(  # nosec B704
        escape(text), escape(fixed_url("reports.index")), escape(_("See which ones")))))


def _app_views():
    from flask import current_app
    return current_app.view_functions
