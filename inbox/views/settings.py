"""Shop settings: details, country (which decides the business calendar) and time zone."""
from __future__ import annotations

from zoneinfo import available_timezones

import holidays
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from inbox import clock
from inbox.access import require
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import lazy_gettext as _l
from inbox.services import shops, sla as sla_service, uploads

bp = Blueprint("settings", __name__, url_prefix="/settings")

COUNTRY_NAMES = {"NL": _l("Netherlands"), "BE": _l("Belgium"), "DE": _l("Germany"), "FR": _l("France"),
                 "LU": _l("Luxembourg"), "GB": _l("United Kingdom"), "AT": _l("Austria"), "ES": _l("Spain"),
                 "IT": _l("Italy"), "PL": _l("Poland"), "DK": _l("Denmark"), "SE": _l("Sweden")}


def country_choices():
    known = sorted(holidays.list_supported_countries())
    first = [(c, f"{COUNTRY_NAMES[c]} ({c})") for c in COUNTRY_NAMES if c in known]
    return choices(first + [(c, c) for c in known if c not in COUNTRY_NAMES])


class ShopForm(FlaskForm):
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(max=120)])
    country = SelectField(_l("Established in"), description=_l(
        "Decides the public holidays that do not count as business hours. "
        "A shop in the Netherlands skips Dutch and Belgian holidays; a shop in Belgium only Belgian ones."))
    timezone = SelectField(_l("Time zone"))
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone number"), validators=[
        Optional(), Length(max=40), Regexp(r"^[+0-9 ()\-]{6,40}$", message=_l("Use digits, spaces and + ( ) - only."))])
    rating_mode = SelectField(_l("Ask \"How did we do?\" when a question is solved"), choices=choices([
        ("reply", _l("In the reply that solves it")), ("separate", _l("In a separate short e-mail")),
        ("off", _l("Do not ask"))]), description=_l(
        "Never asked of automatic senders (no-reply addresses, out-of-office mail) or for spam."))
    ack_all = BooleanField(_l("Acknowledge every new question by e-mail"), description=_l(
        "The customer gets the date and time they will have an answer, and a link to follow their question. "
        "Automatic and bulk mail is never answered."))
    attachment_file_mb = IntegerField(
        _l("Largest attachment (MB)"), validators=[Optional(), NumberRange(min=1, max=uploads.MAX_FILE_MB)],
        description=_l("Per file, on replies and notes. Most mail servers refuse a message over about 25 MB."))
    attachment_message_mb = IntegerField(
        _l("All attachments of one message (MB)"),
        validators=[Optional(), NumberRange(min=1, max=uploads.MAX_MESSAGE_MB)])

    def validate_attachment_message_mb(self, field):
        if field.data and self.attachment_file_mb.data and field.data < self.attachment_file_mb.data:
            raise ValidationError(_("At least the largest attachment (%(n)s MB).", n=self.attachment_file_mb.data))


def holiday_language() -> str:
    """Holiday names in the user's language (the holidays package calls English en_US)."""
    return "nl" if str(get_locale()) == "nl" else "en_US"


@bp.route("/shop", methods=["GET", "POST"])
@require("manage_shop")
def shop():
    """Shop details, and the year's closed days so an owner sees why a deadline falls where it does."""
    shop = current_user.shop
    form = ShopForm(obj=shop)
    form.country.choices = country_choices()
    form.timezone.choices = choices((z, z) for z in sorted(available_timezones()) if "/" in z and not z.startswith("Etc/"))
    if form.validate_on_submit():
        changed = shops.update_details(shop, {f: getattr(form, f).data for f in (*shops.DETAILS, *shops.FLAGS)}, by=current_user)
        if changed is not None:
            flash(_("The calendar changed: due times of %(n)s open questions were recomputed.", n=changed), "info")
        db.session.commit()
        flash(_("Shop settings saved."), "success")
        return redirect(url_for("settings.shop"), 303)
    calendar = sla_service.calendar_for(shop)
    year = clock.now().astimezone(shop.tz).year
    status = 422 if form.errors else 200
    return render_template("settings/shop.html", form=form, shop=shop, calendar=calendar,
                           year=year, closed_days=calendar.closed_days(year, language=holiday_language())), status
