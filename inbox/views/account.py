"""My account: name, language, photo, password, the browsers I am signed in on, and my away period with a
stand-in."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from inbox import clock
from inbox.access import shop_users
from inbox.extensions import db
from inbox.forms import INVALID_DATETIME, LocalDateTimeField, choices
from inbox.config import APP_LANGUAGES
from inbox.i18n import _, lazy_gettext as _l
from inbox.labels import language_choices
from inbox.services import away as away_periods, sessions, team, team_photos, uploads
from inbox.upload_limits import takes_files

bp = Blueprint("account", __name__, url_prefix="/account")


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=choices([("", _l("Same as my browser")),
                                                          *language_choices(APP_LANGUAGES)]))
    show_on_contact = BooleanField(_l("Show my first name on the shop's contact page"), description=_l(
        "Customers see who answers them. Only your first name is shown."))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), description=_l(
        "A JPEG, PNG, GIF or WebP image. It is cut to a square, and shown beside your first name on the contact "
        "page while you choose to be shown there."))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=team.MIN_PASSWORD, max=200)],
                        description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The passwords are not the same."))])


class AwayForm(FlaskForm):
    away_from = LocalDateTimeField(_l("Away from"), validators=[Optional()],
                                   description=_l("Leave empty to start now."))
    away_until = LocalDateTimeField(_l("Back on"), validators=[Optional()])
    delegate_id = SelectField(_l("Stand-in"), description=_l(
        "While you are away, your open questions move to your stand-in (or to the unassigned queue), "
        "and no new questions are assigned to you."))
    clear = BooleanField(_l("I am not away"))


def _forms(profile=None, password=None, away=None, photo=None):
    user = current_user
    profile = profile or ProfileForm(data={"display_name": user.display_name, "locale": user.locale or "",
                                           "show_on_contact": user.show_on_contact})
    password = password or PasswordForm(formdata=None)
    away = away or AwayForm(formdata=None, data={"away_from": user.away_from, "away_until": user.away_until,
                                                 "delegate_id": str(user.delegate_id or "")})
    away.delegate_id.choices = choices([("", _l("Nobody: the unassigned queue"))]
                                       + [(str(u.id), u.display_name) for u in shop_users() if u.id != user.id])
    return {"profile": profile, "password": password, "away": away, "photo": photo or PhotoForm(formdata=None)}


def _page(status=200, **forms):
    return render_template("account/index.html", now=clock.now(), browsers=sessions.of_user(current_user),
                           device=device_label, own_photo=team_photos.photo_of(current_user),
                           **_forms(**forms)), status


def device_label(user_agent: str) -> str:
    browser, system = sessions.describe_device(user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")


@bp.get("")
@login_required
def index():
    """Your own account: name, language, password and away period."""
    return _page()


@bp.post("")
@login_required
def profile():
    """Save your name and the language the inbox speaks to you in."""
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(422, profile=form)
    team.update_profile(current_user, name=form.display_name.data, locale=form.locale.data or None,
                        show_on_contact=form.show_on_contact.data)
    db.session.commit()
    flash(_("Your details are saved."), "success")
    return redirect(url_for("account.index"), 303)


@bp.post("/photo")
@takes_files
@login_required
def photo():
    """Choose (or replace) your photo for the contact page's team block."""
    form = PhotoForm()
    if form.validate_on_submit():
        incoming = uploads.read_files(request.files.getlist(form.photo.name))
        try:
            team_photos.set_photo(current_user, current_user.shop, incoming[0] if incoming
                                  else uploads.IncomingFile("", b""))
        except team_photos.PhotoError as e:
            db.session.rollback()
            form.photo.errors = [str(e)]
        else:
            db.session.commit()
            flash(_("Your photo is saved.") if current_user.show_on_contact else
                  _("Your photo is saved. Tick “Show my first name on the shop's contact page” to show it there."),
                  "success")
            return redirect(url_for("account.index") + "#photo-card", 303)
    return _page(422, photo=form)


@bp.post("/photo/remove")
@login_required
def remove_photo():
    """Take your photo off the contact page (and out of the database)."""
    team_photos.remove_photo(current_user)
    db.session.commit()
    flash(_("Your photo is removed."), "success")
    return redirect(url_for("account.index") + "#photo-card", 303)


@bp.get("/photo")
@login_required
def own_photo():
    """Your own photo as stored, for the account page (whether or not it is shown to customers)."""
    data = team_photos.own_photo_data(current_user)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/password")
@login_required
def password():
    """Change your password (the current one first)."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            team.change_password(current_user, current=form.current.data, new=form.new.data)
        except team.TeamError as e:
            db.session.rollback()
            form.current.errors = [str(e)]
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("account.index"), 303)
    return _page(422, password=form)


@bp.post("/away")
@login_required
def away():
    """Plan, change or clear your away period and who takes over your open tickets."""
    form = AwayForm()
    form.delegate_id.choices = _forms()["away"].delegate_id.choices
    if form.validate_on_submit():
        delegate = None
        if form.delegate_id.data:
            delegate = next((u for u in shop_users() if str(u.id) == form.delegate_id.data), None)
        if form.clear.data:
            start = until = None
        else:
            start, until = form.away_from.data, form.away_until.data
        try:
            moved = away_periods.set_away(current_user, away_from=start, away_until=until, delegate=delegate, by=current_user)
        except team.TeamError as e:
            db.session.rollback()
            form.away_until.errors = [str(e)]
        else:
            db.session.commit()
            if moved:
                to = away_periods.stand_in_for(current_user, clock.now())
                flash(_("You are away. %(n)s open questions moved to %(to)s.", n=moved,
                        to=to.display_name if to else _("the unassigned queue")), "success")
            else:
                flash(_("Your away period and stand-in are saved."), "success")
            return redirect(url_for("account.index"), 303)
    for field in (form.away_from, form.away_until):
        if field.errors and field.raw_data and any(field.raw_data) and field.data is None:
            field.errors[:] = [INVALID_DATETIME]
    return _page(422, away=form)


@bp.post("/browsers/<int:session_id>/sign-out")
@login_required
def end_browser(session_id: int):
    """Sign out one of my browsers (a shared computer, a lost phone)."""
    if session_id == current_user.login_session.id:
        return _sign_out_here(_("You are signed out."))
    if not sessions.sign_out_browser(current_user, session_id):
        abort(404)
    db.session.commit()
    flash(_("That browser is signed out."), "success")
    return redirect(url_for("account.index") + "#browsers", 303)


@bp.post("/browsers/sign-out")
@login_required
def end_all_browsers():
    """Sign out everywhere, this browser included: after a lost phone or a password seen by someone else."""
    return _sign_out_here(_("You are signed out on every browser."), everywhere=True)


def _sign_out_here(message: str, *, everywhere: bool = False):
    sessions.sign_out(current_user, everywhere=everywhere)
    db.session.commit()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login"), 303)
