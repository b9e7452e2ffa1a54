"""Mail: the owner's mail settings, the review list of mail that could not be read, attachments, and a reply's
delivery state with retry."""
from __future__ import annotations

import imaplib
import smtplib
import ssl

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from inbox import filetypes, netguard
from inbox.access import require, shop_row_or_404, shop_ticket_or_404
from inbox.extensions import db
from inbox.forms import choices
from inbox.htmx import hx_redirect, is_htmx
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import InboundMail, MailAttachment, MailSettings, OutboundEmail, QuarantinedMail
from inbox.services import imap, mailconfig, outbox, public_url, review_list
from inbox.services.kept import kept
from inbox.ui import Banner

bp = Blueprint("mail", __name__, url_prefix="/mail")

SECURITY = [("ssl", _l("SSL/TLS")), ("starttls", _l("STARTTLS")), ("none", _l("None (only on a trusted network)"))]


class MailSettingsForm(FlaskForm):
    imap_host = StringField(_l("IMAP server"), validators=[Optional(), Length(max=254)])
    imap_port = IntegerField(_l("Port"), validators=[Optional(), NumberRange(1, 65535)],
                             description=_l("Empty: 993 with SSL/TLS, else 143"))
    imap_security = SelectField(_l("Security"), choices=choices(SECURITY))
    imap_user = StringField(_l("User name"), validators=[Optional(), Length(max=254)])
    imap_password = PasswordField(_l("Password"), validators=[Optional(), Length(max=300)],
                                  description=_l("Leave empty to keep the saved password."))
    imap_folder = StringField(_l("Folder"), validators=[Optional(), Length(max=200)], default="INBOX")
    imap_move_to = StringField(_l("Move fetched mail to"), validators=[Optional(), Length(max=200)],
                               description=_l("Empty: fetched mail is marked as read and stays where it is."))
    inbound_alias = EmailField(_l("Extra receiving address"), validators=[Optional(), Email(), Length(max=254)],
                               description=_l("Another address the mail receiver accepts for this shop."))
    from_address = EmailField(_l("Send replies from"), validators=[Optional(), Email(), Length(max=254)])
    smtp_host = StringField(_l("SMTP server"), validators=[Optional(), Length(max=254)],
                            description=_l("Empty: the server set for the whole installation is used."))
    smtp_port = IntegerField(_l("Port"), validators=[Optional(), NumberRange(1, 65535)],
                             description=_l("Empty: 465 with SSL/TLS, 587 with STARTTLS, else 25"))
    smtp_security = SelectField(_l("Security"), choices=choices(SECURITY))
    smtp_user = StringField(_l("User name"), validators=[Optional(), Length(max=254)])
    smtp_password = PasswordField(_l("Password"), validators=[Optional(), Length(max=300)],
                                  description=_l("Leave empty to keep the saved password."))
    send_on_reply = BooleanField(_l("Send each reply right away (the outbox worker retries what fails)"))
    public_url = StringField(_l("Address of Seller Inbox in e-mails"), validators=[Optional(), Length(max=300)],
                             description=_l("Where the links in e-mails lead: a customer's question page and "
                                            "rating, help articles, invitations, the weekly warning. The address "
                                            "customers and colleagues open Seller Inbox at, e.g. "
                                            "https://inbox.example.com."))
    marketplace_sender = StringField(_l("Sender"), validators=[Optional(), Length(max=254)],
                                     description=_l("e.g. *@marketplace.example (* matches anything)"))
    marketplace_subject = StringField(_l("Subject contains"), validators=[Optional(), Length(max=254)],
                                      description=_l("e.g. Doorgestuurd door klantenservice"))
    own_addresses = TextAreaField(_l("Our own addresses"), validators=[Optional(), Length(max=5000)],
                                  description=_l("One per line; @shop.example for a whole domain. "
                                                 "Mail from these is never acknowledged automatically."))
    clear_imap_password = BooleanField(_l("Remove the saved IMAP password"))
    clear_smtp_password = BooleanField(_l("Remove the saved SMTP password"))

    def validate_inbound_alias(self, field):
        if not field.data:
            return
        taken = db.session.scalar(sa.select(MailSettings.shop_id).where(
            sa.func.lower(MailSettings.inbound_alias) == field.data.strip().lower(),
            MailSettings.shop_id != current_user.shop_id))
        if taken:
            raise ValidationError(_l("Another shop already receives mail at this address."))

    def validate_public_url(self, field):
        if (field.data or "").strip():
            try:
                field.data = public_url.normalise(field.data)
            except public_url.BadAddress as e:
                raise ValidationError(str(e)) from None

    def validate_imap_host(self, field):
        _refuse_private_host(field)

    def validate_smtp_host(self, field):
        _refuse_private_host(field)

    def validate_own_addresses(self, field):
        for line in (field.data or "").splitlines():
            line = line.strip()
            if line and ("@" not in line or " " in line):
                raise ValidationError(_l("Not an address or @domain: %(line)s", line=line))


def _refuse_private_host(field) -> None:
    try:
        netguard.check_host((field.data or "").strip())
    except netguard.RefusedHost as e:
        raise ValidationError(_("%(host)s is on a private network (%(address)s); this server may not connect "
                                "there. Use the server's public name.", host=e.host, address=e.address)) from e


@bp.route("/settings", methods=["GET", "POST"])
@require("manage_shop")
def settings():
    """Where the shop's mail comes from and how replies leave."""
    shop = current_user.shop
    settings = mailconfig.settings_for(shop)
    form = MailSettingsForm(obj=settings)
    sending = send_mode()
    if sending != "choice":
        del form.send_on_reply   # the shop's choice would change nothing: say who sends instead
    suggested = False
    if request.method == "GET":
        form.imap_password.data = form.smtp_password.data = ""
        if not settings.public_url and not public_url.of_installation():
            # Asked for at set-up: the address this owner reached us at, to confirm with Save.
            form.public_url.data, suggested = request.host_url.rstrip("/"), True
    if form.validate_on_submit():
        mailconfig.save_settings(shop, form.data, by=current_user)
        db.session.commit()
        flash(_("Mail settings saved."), "success")
        return redirect(url_for("mail.settings"), 303)
    status = 422 if form.errors else 200
    return render_template("mail/settings.html", form=form, settings=settings, shop=shop,
                           inbound_address=mailconfig.inbound_address(shop), smtp=mailconfig.smtp_server(shop),
                           cursors=imap.cursors(shop.id), review_count=review_list.count(shop.id),
                           sending=sending, public_url_suggested=suggested,
                           installation_url=public_url.of_installation()), status


def send_mode() -> str:
    """Who decides when a reply leaves: "worker" (INBOX_OUTBOX_SENDER=worker sends every reply within seconds),
    "on"/"off" (INBOX_SEND_ON_REPLY decides for every shop), or "choice" (the shop's own checkbox)."""
    if outbox.sender(current_app) == "worker":
        return "worker"
    fixed = current_app.config.get("SEND_ON_REPLY")
    return "choice" if fixed is None else ("on" if fixed else "off")


@bp.post("/settings/test")
@require("manage_shop")
def test_connection():
    """Try the saved IMAP and SMTP settings and say what the servers answered."""
    shop = current_user.shop
    settings = mailconfig.settings_for(shop)
    checks = []
    if settings.imap_host:
        try:
            netguard.check_host(settings.imap_host, settings.imap_port)
            count = imap.check(settings)
            checks.append(("ok", _("IMAP: signed in, folder %(f)s holds %(n)s messages.", f=settings.imap_folder, n=count)))
        except (OSError, imaplib.IMAP4.error, ssl.SSLError, imap.ImapError) as e:
            checks.append(("error", _("IMAP: %(error)s", error=_error_text(e))))
    else:
        checks.append(("info", _("IMAP: not set up; mail comes in only through the receiving address.")))
    server = mailconfig.smtp_server(shop)
    if server is None:
        checks.append(("warning", _("SMTP: not set up; replies are written to the local folder, not sent.")))
    else:
        try:
            outbox.check_smtp(server)
            checks.append(("ok", _("SMTP: connected to %(host)s and ready to send.", host=server.host)))
        except (OSError, smtplib.SMTPException, ssl.SSLError) as e:
            checks.append(("error", _("SMTP: %(error)s", error=_error_text(e))))
    html = render_template("mail/_test_result.html", checks=checks)
    if is_htmx():
        return html
    for level, text in checks:
        flash(text, "error" if level == "error" else "info")
    return redirect(url_for("mail.settings"), 303)


def _error_text(e: Exception) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
        return f"{e.smtp_code} {text}"
    if isinstance(e, imaplib.IMAP4.error) and e.args and isinstance(e.args[0], bytes):
        return e.args[0].decode("utf-8", "replace")
    return f"{e.__class__.__name__}: {e}" if not str(e) else str(e)


# -- the review list -----------------------------------------------------------------------------------------

@bp.get("/review")
@require("manage_shop")
def review():
    """Mail that could not be read, with the reason; nothing is thrown away without the owner saying so."""
    return render_template("mail/review.html", rows=review_list.rows(current_user.shop_id))


@bp.get("/review/<int:item_id>.eml")
@require("manage_shop")
def review_download(item_id: int):
    """The raw mail as it arrived."""
    row = shop_row_or_404(QuarantinedMail, item_id)
    return Response(row.raw, mimetype="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="rejected-{row.id}.eml"',
        "X-Content-Type-Options": "nosniff"})


@bp.post("/review/<int:item_id>/retry")
@require("manage_shop")
def review_retry(item_id: int):
    """Try the import again (after an update of the parser, or a raised limit)."""
    result = review_list.retry(current_user.shop, shop_row_or_404(QuarantinedMail, item_id), by=current_user)
    db.session.commit()
    if result.ok:
        flash(_("Imported: %(what)s.", what=result.describe()), "success")
    else:
        flash(_("Still cannot be read: %(reason)s", reason=result.reason), "error")
    return redirect(url_for("mail.review"), 303)


@bp.post("/review/<int:item_id>/delete")
@require("manage_shop")
def review_delete(item_id: int):
    """Throw the mail away (download it first if in doubt)."""
    review_list.delete(shop_row_or_404(QuarantinedMail, item_id), by=current_user)
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(url_for("mail.review"), 303)


# -- attachments and delivery in the thread ----------------------------------------------------------------------

@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """A file on a message (a customer's, or one the shop sent), for the shop's users only: an image its bytes prove
    safe (PNG, JPEG, GIF, WebP) is shown, anything else is a download, never rendered in our origin."""
    row = shop_row_or_404(MailAttachment, attachment_id, sa.orm.undefer(MailAttachment.data))
    if row.data is None:
        abort(404)
    proven = filetypes.sniff(row.data)
    if proven and filetypes.is_safe_image(proven):
        response = Response(row.data, mimetype=proven)
        response.headers.set("Content-Disposition", "inline", filename=row.filename)
    else:
        response = Response(row.data, mimetype="application/octet-stream")
        response.headers.set("Content-Disposition", "attachment", filename=row.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def review_banner():
    """Tell the owner, on every page, that mail is waiting in the review list (it is not in the inbox)."""
    if not current_user.is_authenticated or not current_user.may("manage_shop") or "mail.review" not in current_app.view_functions:
        return None
    shop_id = current_user.shop_id
    count = kept(("review", shop_id), lambda: review_list.count(shop_id))
    if not count:
        return None
    # bandit B704: our catalogue's text; the count is an int, the URL comes from url_for.
    return Banner("warning", Markup(_('%(n)s mail(s) could not be read and wait in the <a href="%(url)s">review list</a>.',  # nosec B704
                                     n=count, url=url_for("mail.review"))))


def base_url_missing() -> bool:
    """`base_url_missing()` in templates: neither the shop nor the installation (INBOX_BASE_URL) set the address
    of Seller Inbox, so e-mails built outside a user's request (the worker, the weekly warning) cannot link to it."""
    return current_user.is_authenticated and public_url.configured(current_user.shop_id) is None


def base_url_banner():
    """Tell the owner on every page when mail goes out but cannot link back to Seller Inbox."""
    if not (current_user.is_authenticated and current_user.may("manage_shop")
            and "mail.settings" in current_app.view_functions
            and public_url.missing_while_mail_goes_out(current_user.shop_id)):
        return None
    # bandit B704: our catalogue's text; the URL comes from url_for.
    return Banner("warning", Markup(_('E-mails go out without working links to Seller Inbox: its address is not '  # nosec B704
                                     'set. <a href="%(url)s">Set it in the mail settings</a>',
                                     url=url_for("mail.settings") + "#public_url")))


def smtp_configured() -> bool:
    """`mail_smtp_configured()` in templates: whether replies leave through the shop's own mail server."""
    return current_user.is_authenticated and mailconfig.smtp_server(current_user.shop) is not None


@bp.get("/messages/<int:message_id>/original.eml")
@login_required
def original(message_id: int):
    """A customer's mail exactly as it arrived (headers, every part), for the shop's users: what the thread shows
    had to be cleaned or cut to fit the database, this is the whole of it. Always a download, never rendered."""
    row = db.session.scalar(sa.select(InboundMail).where(InboundMail.message_id == message_id,
                                                         InboundMail.shop_id == current_user.shop_id,
                                                         InboundMail.raw.is_not(None))
                            .options(sa.orm.undefer(InboundMail.raw)))
    if row is None:
        abort(404)
    response = Response(row.raw, mimetype="message/rfc822")
    response.headers.set("Content-Disposition", "attachment", filename=f"message-{message_id}.eml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/outbound/<int:row_id>/retry")
@require("answer")
def delivery_retry(row_id: int):
    """Queue a reply that could not be delivered again."""
    row = shop_row_or_404(OutboundEmail, row_id)
    if row.ticket_id is None:
        abort(404)
    ticket = shop_ticket_or_404(row.ticket_id)
    if outbox.retry(row, by=current_user):
        db.session.commit()
        if mailconfig.send_on_reply(current_user.shop):
            g.outbox_committed = getattr(g, "outbox_committed", set()) | {row.id}
    flash(_("The reply is queued again."), "success")
    return hx_redirect(url_for("tickets.show", ticket_id=ticket.id, _anchor=f"message-{row.message_id}"))
