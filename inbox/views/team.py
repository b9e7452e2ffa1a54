"""The team: everyone sees who works here and who is away until when; the owner invites, changes
roles, deactivates and reactivates accounts and hands out password links. Also the invitation page."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from inbox import clock
from inbox.access import require, shop_row_or_404, shop_user_or_404, shop_users
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import _, lazy_gettext as _l
from inbox.ids import read_id
from inbox.models import Invitation, Shop, User
from inbox.services import invitations, mail, public_url, team
from inbox.labels import ROLE_LABELS
from inbox.views.auth import sign_in
from inbox.workflow import Role

log = logging.getLogger(__name__)
bp = Blueprint("team", __name__)


def role_choices():
    return choices((r.value, ROLE_LABELS[r.value]) for r in Role)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), default=Role.AGENT.value, description=_l(
        "Agents answer questions and see their own figures on the performance page. Managers also assign "
        "questions, edit reply templates, plan holidays and see the whole shop's performance, calls and orders. "
        "Owners also manage the team, the audit log, the shop settings, mail, API tokens and vacation mode."))


class AcceptForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=team.MIN_PASSWORD, max=200)],
                             description=_l("At least 10 characters."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords are not the same."))])


def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail or to pass on: at the shop's public address (services/public_url.py)."""
    return public_url.base_for(current_user.shop_id) + url_for(endpoint, **values)


def _render_index(invite_form=None, shown_link=None, status=200):
    shop = current_user.shop
    invite_form = invite_form or InviteForm()
    invite_form.role.choices = role_choices()
    people = shop_users(active_only=False)
    return render_template(
        "team/index.html", shop=shop, people=people, now=clock.now(),
        open_counts=team.open_counts(shop.id, [p.id for p in people]),
        invitations=invitations.open_invitations(shop.id) if current_user.may("manage_team") else [],
        invite_form=invite_form, shown_link=shown_link, role_choices=role_choices(),
        colleagues=[p for p in people if p.active]), status


@bp.get("/team")
@login_required
def index():
    """The team: accounts, roles, open invitations and away periods."""
    return _render_index()


def _send_link(email: str, link: str, *, subject: str, body: str) -> dict | None:
    """Mail the link, or, while no mail server is set up, hand it back to show to the owner (and log it)."""
    if mail.smtp_configured():
        try:
            mail.deliver(mail.system_message(to=email, subject=subject, body=body))
            return None
        except Exception:  # noqa: BLE001 (any delivery failure: fall back to showing the link)
            log.exception("could not mail the link to %s", email)
            flash(_("The e-mail could not be sent. Give the link below to %(email)s yourself.", email=email), "warning")
    log.warning("Mail delivery is not configured; link for %s: %s", email, link)
    return {"email": email, "url": link}


@bp.post("/team/invite")
@require("manage_team")
def invite():
    """Invite a colleague by e-mail with a role; the link works once."""
    form = InviteForm()
    form.role.choices = role_choices()
    if not form.validate_on_submit():
        return _render_index(form, status=422)
    shop = current_user.shop
    try:
        invitation, token = invitations.invite(shop, email=form.email.data, role=form.role.data, by=current_user)
    except team.TeamError as e:
        db.session.rollback()
        form.email.errors = [*form.email.errors, str(e)]
        return _render_index(form, status=422)
    db.session.commit()
    link = absolute_url("team.accept", token=token)
    shown = _send_link(invitation.email, link, subject=_("%(name)s invites you to answer customer questions", name=shop.name),
                       body=_("%(who)s invited you to the Seller Inbox of %(shop)s.\n\nSet your password here "
                              "(the link works once, for 48 hours):\n%(link)s\n",
                              who=current_user.display_name, shop=shop.name, link=link))
    if shown is None:
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
        return redirect(url_for("team.index"), 303)
    flash(_("Invitation created for %(email)s.", email=invitation.email), "success")
    return _render_index(shown_link=shown)


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@require("manage_team")
def revoke(invitation_id: int):
    """Withdraw an open invitation of the shop."""
    invitation = shop_row_or_404(Invitation, invitation_id)
    invitations.revoke(invitation, by=current_user)
    db.session.commit()
    flash(_("The invitation for %(email)s no longer works.", email=invitation.email), "info")
    return redirect(url_for("team.index"), 303)


@bp.post("/team/<int:user_id>/role")
@require("manage_team")
def change_role(user_id: int):
    """Give a colleague another role (the last owner stays an owner)."""
    user = shop_user_or_404(user_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        abort(400)
    try:
        team.change_role(user, role, by=current_user)
    except team.TeamError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("team.index"), 303)
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=user.display_name, role=ROLE_LABELS[role]), "success")
    return redirect(url_for("team.index"), 303)


@bp.route("/team/<int:user_id>/deactivate", methods=["GET", "POST"])
@require("manage_team")
def deactivate(user_id: int):
    """Deactivate an account; its open questions are handed to a colleague (or the queue) in the same step."""
    user = shop_user_or_404(user_id)
    open_count = team.open_counts(user.shop_id, [user.id]).get(user.id, 0)
    open_tickets = team.open_tickets_of(user, limit=8)
    colleagues = [u for u in shop_users() if u.id != user.id]
    error, status = None, 200
    if request.method == "POST":
        raw = request.form.get("reassign_to", "")
        target = None
        if raw:
            if (target_id := read_id(raw)) is None:
                abort(400)
            target = shop_user_or_404(target_id)
        try:
            moved = team.deactivate(user, by=current_user, reassign_to=target)
        except team.TeamError as e:
            db.session.rollback()
            error, status = str(e), 422
        else:
            db.session.commit()
            flash(_("%(name)s can no longer sign in. %(n)s open questions moved to %(to)s.", name=user.display_name,
                    n=moved, to=target.display_name if target else _("the unassigned queue")), "success")
            return redirect(url_for("team.index"), 303)
    return render_template("team/deactivate.html", user=user, open_count=open_count, open_tickets=open_tickets,
                           colleagues=colleagues, error=error), status


@bp.post("/team/<int:user_id>/reactivate")
@require("manage_team")
def reactivate(user_id: int):
    """Let a deactivated colleague sign in again."""
    user = shop_user_or_404(user_id)
    team.reactivate(user, by=current_user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for("team.index"), 303)


@bp.post("/team/<int:user_id>/reset-password")
@require("manage_team")
def reset_password(user_id: int):
    """Make a one-time link for a colleague to choose a new password."""
    user = shop_user_or_404(user_id)
    try:
        _invitation, token = invitations.reset_password_link(user, by=current_user)
    except team.TeamError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("team.index"), 303)
    db.session.commit()
    link = absolute_url("team.accept", token=token)
    shown = _send_link(user.email, link, subject=_("Set a new password for %(shop)s", shop=current_user.shop.name),
                       body=_("Set a new password for the Seller Inbox here (the link works once, for 48 hours):\n%(link)s\n",
                              link=link))
    if shown is None:
        flash(_("A link to set a new password was sent to %(email)s.", email=user.email), "success")
        return redirect(url_for("team.index"), 303)
    flash(_("The old password of %(name)s no longer works. Give them the link below.", name=user.display_name), "info")
    return _render_index(shown_link=shown)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    """The page a link opens: set name and password, then you are signed in."""
    invitation = invitations.invitation_for(token)
    now = clock.now()
    if invitation is None or not invitation.usable(now):
        return render_template("team/accept_invalid.html", invitation=invitation, now=now), 410
    shop = db.session.get(Shop, invitation.shop_id)
    form = AcceptForm()
    if request.method == "GET":
        form.name.data = invitation.user.display_name if invitation.user else ""
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, name=form.name.data, password=form.password.data)
        except team.TeamError as e:
            db.session.rollback()
            form.form_errors.append(str(e))
        else:
            sign_in(user)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.first_name), "success")
            return redirect(url_for("tickets.index"), 303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("team/accept.html", form=form, invitation=invitation, shop=shop), status


def stand_in_name(user: User) -> str | None:
    return user.delegate.display_name if user.delegate else None
