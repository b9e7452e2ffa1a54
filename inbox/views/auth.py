"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from inbox import clock, throttle
from inbox.extensions import db, login_manager, statement
from inbox.htmx import is_htmx
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import User
from inbox.services import audit

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


@statement
def _user_with_shop():
    # Every page shows the shop too: one query for both.
    return sa.select(User).where(User.id == sa.bindparam("user_id")).options(so.joinedload(User.shop))


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.scalar(_user_with_shop(), {"user_id": int(user_id)}) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx() or request.htmx:
        # Never swap a login page into a table cell: send the whole page there.
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def _safe_next(value: str | None) -> str:
    if not value or urlsplit(value).netloc or not value.startswith("/") or value.startswith("//"):
        return url_for("tickets.index")
    return value


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
        wait = throttle.retry_after(email, ip, current_app.config["LOGIN_FREE_FAILURES"])
        if wait:
            form.form_errors.append(_("Too many failed attempts. Try again in %(s)s seconds.", s=wait))
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None or not user.check_password(form.password.data) or not user.active:
            throttle.record_failure(email, ip)
            form.form_errors.append(_("The e-mail address or password is not right."))
            return render_template("auth/login.html", form=form), 401
        throttle.clear(email)
        login_user(user, remember=form.remember.data)
        user.last_login_at = clock.now()
        audit.record(user.shop_id, "user.login", actor=user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    if form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    audit.record(current_user.shop_id, "user.logout", actor=current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
