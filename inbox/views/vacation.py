"""Vacation mode: the owner closes the shop temporarily. The reply norm still applies while closed."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from inbox import clock, ui
from inbox.access import require
from inbox.extensions import db
from inbox.forms import INVALID_DATETIME, LocalDateTimeField
from inbox.i18n import _, lazy_gettext as _l, local_time
from inbox.models import Shop
from inbox.services import team

bp = Blueprint("vacation", __name__, url_prefix="/settings/vacation")


class CloseForm(FlaskForm):
    closed_from = LocalDateTimeField(_l("Closed from"), validators=[Optional()],
                                     description=_l("Leave empty to close now."))
    closed_until = LocalDateTimeField(_l("Open again on"), validators=[Optional()])
    auto_ack_enabled = BooleanField(_l("Send customers an automatic acknowledgement"))
    auto_ack_text = TextAreaField(_l("Text of the acknowledgement"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Leave empty for a standard text that names the reopening date "
                                                 "and promises an answer within 8 business hours."))


@dataclass
class ContactDetails:
    """What customers are offered to reach the shop right now."""

    email: str | None
    phone: str | None
    phone_offered: bool
    closed: bool


def contact_details(shop: Shop, at=None) -> ContactDetails:
    """The phone is not offered while the shop is temporarily closed; messages still are (seed 001)."""
    closed = shop.is_closed(at or clock.now())
    return ContactDetails(shop.contact_email, shop.phone, bool(shop.phone) and not closed, closed)


def _page(form: CloseForm, *, status=200, coverage=None, needs_confirm=False):
    shop = current_user.shop
    now = clock.now()
    if coverage is None and shop.closed_until and shop.closed_until > now:
        coverage = team.coverage(shop, max(shop.closed_from or now, now), shop.closed_until, besides=current_user)
    return render_template("vacation/index.html", form=form, shop=shop, now=now, coverage=coverage,
                           needs_confirm=needs_confirm, contact=contact_details(shop, now),
                           scheduled=team.upcoming_closure(shop, now),
                           default_text=team.default_auto_ack_text(shop, "nl" if shop.country in ("NL", "BE") else "en")), status


@bp.get("")
@require("manage_shop")
def index():
    """Vacation mode: when the shop is closed, who covers, and the automatic reply."""
    shop = current_user.shop
    form = CloseForm(data={"closed_from": shop.closed_from, "closed_until": shop.closed_until,
                           "auto_ack_enabled": shop.auto_ack_enabled, "auto_ack_text": shop.auto_ack_text})
    return _page(form)


@bp.post("")
@require("manage_shop")
def close():
    """Close (or change the closure). Without anyone else working, ask once more before closing."""
    shop = current_user.shop
    form = CloseForm()
    if form.validate_on_submit():
        now = clock.now()
        start, until = form.closed_from.data or now, form.closed_until.data
        if until is None:
            form.closed_until.errors = [*form.closed_until.errors, _("When does the shop open again?")]
        elif until <= start:
            form.closed_until.errors = [*form.closed_until.errors, _("The end of the closure must come after its start.")]
        elif until <= now:
            form.closed_until.errors = [*form.closed_until.errors, _("This period lies in the past.")]
        else:
            coverage = team.coverage(shop, start, until, besides=current_user)
            if coverage.nobody and request.form.get("confirm") != "1":
                return _page(form, coverage=coverage, needs_confirm=True)
            team.close_shop(shop, closed_from=form.closed_from.data, closed_until=until, by=current_user,
                            auto_ack_enabled=form.auto_ack_enabled.data, auto_ack_text=form.auto_ack_text.data)
            db.session.commit()
            if shop.is_closed(clock.now()):
                flash(_("The shop is closed until %(when)s.", when=local_time(until, "long")), "success")
            else:
                flash(_("The shop will be closed from %(start)s until %(until)s.", start=local_time(start, "long"),
                        until=local_time(until, "long")), "success")
            return redirect(url_for("vacation.index"), 303)
    for field in (form.closed_from, form.closed_until):
        if field.errors and field.raw_data and any(field.raw_data) and field.data is None:
            field.errors[:] = [INVALID_DATETIME]
    return _page(form, status=422)


@bp.post("/reopen")
@require("manage_shop")
def reopen():
    """End vacation mode now: the phone number is offered again."""
    team.reopen_shop(current_user.shop, by=current_user)
    db.session.commit()
    flash(_("The shop is open again. The phone number is offered to customers again."), "success")
    return redirect(url_for("vacation.index"), 303)


def closed_banner():
    """Everyone in the shop sees that it is closed, and that the 8-hour norm still applies."""
    shop = current_user.shop
    now = clock.now()
    if shop.is_closed(now):
        text = _("The shop is temporarily closed until %(when)s. The phone number is not offered to customers; "
                 "questions still need a first reaction within 8 business hours.",
                 when=local_time(shop.closed_until, "long") if shop.closed_until else "…")
        link = ""
        if current_user.may("manage_shop"):
            link = Markup(' <a href="{}">{}</a>').format(url_for("vacation.index"), _("Vacation mode"))
        return ui.Banner("warning", escape(text) + link)
    if current_user.is_away(now):
        text = _("You are marked away until %(when)s.", when=local_time(current_user.away_until, "long"))
        return ui.Banner("info", escape(text) + Markup(' <a href="{}">{}</a>').format(
            url_for("account.index") + "#away", _("Change")))
    return None
