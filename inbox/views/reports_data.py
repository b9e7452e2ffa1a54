"""The data behind the performance page: the call log, orders, phone hours, norm e-mails and API tokens.

These routes hang on the reports blueprint, so they sit under /reports and the Performance tab stays lit.
"""
from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from inbox import csvimport
from inbox.access import require, shop_row_or_404
from inbox.extensions import db
from inbox.forms import INVALID_DATETIME, LocalDateTimeField, choices
from inbox.htmx import render_page_or_fragment
from inbox.i18n import _, lazy_gettext as _l
from inbox.labels import CALL_SOURCE_LABELS
from inbox.models import ApiToken, Call, NormSettings, Order
from inbox.services import api_tokens, imports, keyset, norms
from inbox.sla import BusinessCalendar

# The data behind the performance page, under its address: phone calls, orders, norm settings, API tokens.
bp = Blueprint("reports_data", __name__, url_prefix="/reports")


class CallForm(FlaskForm):
    at = LocalDateTimeField(_l("When"), validators=[DataRequired(message=INVALID_DATETIME)])
    direction = SelectField(_l("Direction"), choices=choices([("in", _l("Incoming")), ("out", _l("Outgoing"))]))
    answered = SelectField(_l("Result"), choices=choices([("1", _l("Answered")), ("0", _l("Missed"))]))
    duration_s = IntegerField(_l("Duration in seconds"), default=0, validators=[Optional(), NumberRange(0, 86400)])
    caller = StringField(_l("Caller's number"), validators=[Optional(), Length(max=64)])


class UploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


@bp.route("/calls", methods=["GET", "POST"])
@require("see_reports")
def calls():
    """The call log, newest first, page by page; a call typed in by hand, or a telephony export uploaded."""
    shop = current_user.shop
    form, upload = CallForm(prefix="call"), UploadForm(prefix="upload")
    result = None
    status = 200
    if request.method == "POST" and "upload-file" in request.files:
        if upload.validate_on_submit():
            result = imports.import_calls(shop, upload.file.data.read(), by=current_user)
            status = 422 if result.error else 200
        else:
            status = 422
    elif request.method == "POST":
        if form.validate_on_submit():
            row = csvimport.CallRow(form.at.data, form.direction.data, form.answered.data == "1",
                                    form.duration_s.data or 0, (form.caller.data or "").strip())
            added = imports.add_call(shop, row, by=current_user)
            db.session.commit()
            flash(_("Call added.") if added else _("That call was already in the log."), "success" if added else "info")
            return redirect(url_for("reports_data.calls"), 303)
        status = 422
    page = keyset.newest_first(Call, Call.at, shop.id, **keyset.link_args(request.args))
    return render_page_or_fragment("reports/calls.html", "reports/_call_log.html", status, form=form, upload=upload,
                                   result=result, log=page, source_labels=CALL_SOURCE_LABELS)


@bp.route("/orders", methods=["GET", "POST"])
@require("see_reports")
def orders():
    """Order lines, newest first, page by page, for questions per 100 orders: imported from a CSV export (or
    posted to the API)."""
    shop = current_user.shop
    upload = UploadForm(prefix="upload")
    result, status = None, 200
    if request.method == "POST":
        if upload.validate_on_submit():
            result = imports.import_orders(shop, upload.file.data.read(), by=current_user)
            status = 422 if result.error else 200
        else:
            status = 422
    page = keyset.newest_first(Order, Order.ordered_at, shop.id, **keyset.link_args(request.args))
    return render_page_or_fragment("reports/orders.html", "reports/_order_lines.html", status, upload=upload,
                                   result=result, log=page)


WEEKDAYS = range(7)


def _hours_text(spans) -> str:
    return ", ".join(f"{a}-{b}" for a, b in spans)


def parse_hours(text: str) -> tuple[tuple[str, str], ...]:
    """ "09:00-17:00, 19:00-21:00" -> (("09:00", "17:00"), ("19:00", "21:00")); "" -> closed.

    :raise ValueError: with the reason.
    """
    spans = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        try:
            start, end = (x.strip() for x in part.replace("–", "-").split("-"))
        except ValueError:
            raise ValueError(_("Write hours as 09:00-17:00.")) from None
        for value in (start, end):
            if not (len(value) == 5 and value[2] == ":" and value[:2].isdecimal() and value[3:].isdecimal()
                    and (int(value[:2]) < 24 or value == "24:00") and int(value[3:]) < 60):
                raise ValueError(_("%(v)s is not a time like 09:00.", v=value))
        spans.append((start, end))
    return tuple(spans)


class NormSettingsForm(FlaskForm):
    volume_email = BooleanField(_l("E-mail me when products draw far more questions than expected (weekly)"))


@bp.route("/settings", methods=["GET", "POST"])
@require("manage_shop")
def settings():
    """The phone's opening hours (evenings and weekends can be added) and the opt-in norm e-mail."""
    from inbox.i18n import weekday_name
    shop = current_user.shop
    prefs = db.session.scalar(sa.select(NormSettings).where(NormSettings.shop_id == shop.id))
    form = NormSettingsForm(obj=prefs)
    weekly = norms.phone_weekly_hours(shop.id)
    values = {wd: request.form.get(f"day-{wd}", _hours_text(weekly.get(wd, ()))) for wd in WEEKDAYS}
    errors = {}
    if request.method == "POST" and form.validate_on_submit():
        parsed = {}
        for wd in WEEKDAYS:
            try:
                parsed[wd] = parse_hours(values[wd])
            except ValueError as e:
                errors[wd] = str(e)
        if not errors:
            try:
                BusinessCalendar(shop.country, weekly={wd: s for wd, s in parsed.items() if s}, tz=shop.timezone)
            except ValueError as e:
                errors["all"] = str(e)
        if not errors:
            norms.save_settings(shop, parsed, volume_email=form.volume_email.data, by=current_user)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("reports_data.settings"), 303)
    status = 422 if errors or form.errors else 200
    days = [(wd, weekday_name(wd), values[wd], errors.get(wd)) for wd in WEEKDAYS]
    return render_template("reports/settings.html", form=form, days=days, errors=errors), status


TOKEN_SCOPES = {
    "imports": _l("Calls and orders only"),
    "read": _l("Read only"),
    "write": _l("Read and write"),
}


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Where it is used, e.g. \"Telephony (Voys)\" or \"Web shop orders\"."))
    scope = RadioField(_l("What it may do"), default="imports", choices=choices(TOKEN_SCOPES.items()),
                       description=_l("Give each tool the least it needs: a telephony service or web shop only "
                                      "posts calls and orders; a dashboard only reads; a tool that answers or "
                                      "sorts questions needs write."))


@bp.route("/tokens", methods=["GET", "POST"])
@require("manage_shop")
def tokens():
    """API tokens for the telephony service and the web shop; a new token is shown once."""
    shop = current_user.shop
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = api_tokens.create(shop, form.name.data, by=current_user, scope=form.scope.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.shop_id == shop.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.created_at.desc())).all()
    status = 422 if form.errors else 200
    return render_template("reports/tokens.html", form=form, tokens=rows, new_token=new_token,
                           base=request.host_url.rstrip("/"), scopes=TOKEN_SCOPES), status


@bp.post("/tokens/<int:token_id>/revoke")
@require("manage_shop")
def revoke_token(token_id: int):
    """Revoke an API token of the shop at once (404 for another shop's)."""
    token = shop_row_or_404(ApiToken, token_id)
    if api_tokens.revoke(token, by=current_user):
        db.session.commit()
        flash(_("Token revoked: it no longer works."), "success")
    return redirect(url_for("reports_data.tokens"), 303)
