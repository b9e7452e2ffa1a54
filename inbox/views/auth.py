"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from inbox import clock, known_device, passwords, throttle
from inbox.extensions import db, statement
from inbox.htmx import current_page
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import User
from inbox.services import sessions

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


def load_user(token: str):
    """The user of this browser's token (session or remember-me cookie); None once that sign-in has ended."""
    user = sessions.resolve(token)
    if user is not None and sessions.seen_due(user.login_session):
        g.login_session_seen = user.login_session.id
    return user


def note_browser_seen(response):
    """Note when a browser was last used (at most every few minutes): the account page lists it, and a browser
    without "keep me signed in" ends after hours of disuse. Only after a request that left nothing unsaved."""
    session_id = g.pop("login_session_seen", None)
    if session_id is not None and response.status_code < 400:
        pending = db.session()
        if not (pending.new or pending.dirty or pending.deleted):
            sessions.note_seen(session_id)
            db.session.commit()
    return response


def sign_in(user: User, *, remember: bool = False) -> None:
    """Sign this browser in as `user`: a new server-side session, a fresh CSRF token (one seen before sign-in
    must not carry over), and the sign-in noted on the account. The caller commits."""
    sessions.start(user, remember=remember, user_agent=request.user_agent.string, ip=request.remote_addr or "")
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(user, remember=remember)
    user.last_login_at = clock.now()


def unauthorized():
    """Not signed in: to the sign-in page, and back here afterwards."""
    if request.htmx:
        # Never swap a login page into a table cell: send the whole page there, and afterwards back to the page
        # the user was on (not to the poll or form that asked).
        return "", 401, {"HX-Redirect": url_for("auth.login", next=current_page())}
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _safe_next(value: str | None) -> str:
    if not value or urlsplit(value).netloc or not value.startswith("/") or value.startswith("//"):
        return url_for("tickets.index")
    return value


@statement
def _login_query():
    # The hash comes in the same query whether or not the address exists (it is deferred on every other page).
    return sa.select(User).where(User.email == sa.bindparam("email")).options(so.undefer(User.password_hash))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in. A failed attempt never says whether the e-mail or the password was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("tickets.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        ip = request.remote_addr or "?"
        device = known_device.device_for(request, email)
        wait = throttle.retry_after(email, ip, current_app.config["LOGIN_FREE_FAILURES"], device)
        if wait:
            form.form_errors.append(_("Too many failed attempts. Try again in %(s)s seconds.", s=wait))
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(_login_query(), {"email": email})
        # An unknown address costs the same hashing as a wrong password: the time taken tells nothing.
        stored = user.password_hash if user is not None and user.password_hash else passwords.dummy_hash()
        password_ok = passwords.check(stored, form.password.data)
        if user is None or not user.password_hash or not password_ok or not user.active:
            throttle.record_failure(email, ip, device)
            form.form_errors.append(_("The e-mail address or password is not right."))
            return render_template("auth/login.html", form=form), 401
        throttle.clear(email)
        sign_in(user, remember=form.remember.data)
        sessions.logged_in(user)
        db.session.commit()
        response = redirect(_safe_next(request.args.get("next")))
        known_device.remember(request, response, email)
        return response
    if form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out this browser on the server too: a copy of its cookies no longer works."""
    sessions.sign_out(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
