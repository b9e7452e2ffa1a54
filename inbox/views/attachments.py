"""Files in the composer and on templates: attach to a draft, remove before sending, a template's standard
attachments, and the downloads and thumbnails of files the shop attached.

Every file is served to signed-in users of its shop only (another shop's id is a 404), with nosniff and a
sandbox; only a safe image (PNG, JPEG, GIF, WebP, proven by its bytes) may be shown inline, anything else is
a download.
"""
from __future__ import annotations

import sqlalchemy.orm as so
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from inbox import filetypes
from inbox.access import require, shop_row_or_404, shop_ticket_or_404
from inbox.extensions import db
from inbox.htmx import is_htmx
from inbox.i18n import _
from inbox.models import MailAttachment, ReplyTemplate, Ticket
from inbox.services import composer as composer_service, reply_templates, uploads
from inbox.upload_limits import takes_files
from inbox.workflow import MessageKind

bp = Blueprint("attachments", __name__)

FIELD = "files"


def incoming_files() -> list[uploads.IncomingFile]:
    """The files of the request's file inputs (uploads.read_files)."""
    return uploads.read_files(request.files.getlist(FIELD))


def file_response(data: bytes, filename: str, *, inline_image: bool = False, cache: bool = False) -> Response:
    """A stored file: inline only when its bytes prove a safe image, else always a download."""
    proven = filetypes.sniff(data)
    if inline_image and proven and filetypes.is_safe_image(proven):
        response = Response(data, mimetype=proven)
        response.headers.set("Content-Disposition", "inline", filename=filename)
    else:
        response = Response(data, mimetype="application/octet-stream")
        response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A file never changes under its id; a thumbnail may stay in this browser's cache, never in a shared one.
    response.headers["Cache-Control"] = "private, max-age=86400" if cache else "private, no-store"
    return response


# --------------------------------------------------------------------------- the composer's files

def composer_files(ticket: Ticket) -> dict:
    """`composer_files(ticket)` in templates: what composer/_attachments.html shows for the current user's draft."""
    return {"files": uploads.draft_files(ticket, current_user), "limits": uploads.limits_for(current_user.shop),
            "problems": []}


def _composer_files(ticket: Ticket, problems: list[str], status: int = 200):
    """The composer's file box again (htmx), or back to the ticket page with the problems as messages."""
    if is_htmx():
        return render_template("composer/_attachments.html", ticket=ticket,
                               **{**composer_files(ticket), "problems": problems}), status
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("tickets.show", ticket_id=ticket.id, _anchor=f"ticket-{ticket.id}-reply"), 303)


def _typed() -> tuple[str | None, str]:
    kind = MessageKind.NOTE.value if request.form.get("kind") == MessageKind.NOTE.value else MessageKind.REPLY.value
    return request.form.get("body"), kind


@bp.post("/tickets/<int:ticket_id>/attachments")
@takes_files
@require("answer")
def add(ticket_id: int):
    """Attach files to the user's draft on this ticket (the file input, a drop or a pasted screenshot).

    :raise 404: for a ticket of another shop.
    """
    ticket = shop_ticket_or_404(ticket_id)
    body, kind = _typed()
    problems = composer_service.attach(ticket, current_user, current_user.shop, incoming_files(), body=body,
                                       kind=kind, token=composer_service.valid_token(request.form.get("token")))
    db.session.commit()
    return _composer_files(ticket, problems, 422 if problems else 200)


@bp.post("/tickets/<int:ticket_id>/attachments/<int:upload_id>/remove")
@require("answer")
def remove(ticket_id: int, upload_id: int):
    """Take a file off the draft before sending.

    :raise 404: for a file that is not on this user's draft of this ticket.
    """
    ticket = shop_ticket_or_404(ticket_id)
    body, kind = _typed()
    if not composer_service.detach(ticket, current_user, upload_id, body=body, kind=kind):
        abort(404)
    db.session.commit()
    return _composer_files(ticket, [])


@bp.get("/attachments/uploads/<int:upload_id>")
@login_required
def upload(upload_id: int):
    """A file waiting on one of the user's drafts, or on one of the shop's templates."""
    row = uploads.draft_file(current_user.shop_id, current_user, upload_id, with_data=True)
    if row is None:
        abort(404)
    return file_response(row.data, row.filename, inline_image=True)


@bp.get("/attachments/uploads/<int:upload_id>/thumbnail")
@login_required
def upload_thumbnail(upload_id: int):
    """The small picture of an image waiting on a draft or a template."""
    row = uploads.draft_file(current_user.shop_id, current_user, upload_id, thumbnail=True)
    if row is None or row.thumbnail is None:
        abort(404)
    return file_response(row.thumbnail, f"thumbnail-{row.id}", inline_image=True, cache=True)


@bp.get("/attachments/<int:attachment_id>/thumbnail")
@login_required
def thumbnail(attachment_id: int):
    """The small picture of an image on a message: kept when the shop attached it, made now for a customer's."""
    row = shop_row_or_404(MailAttachment, attachment_id, so.undefer(MailAttachment.thumbnail))
    small = row.thumbnail or uploads.thumbnail_of_stored(row)
    if small is None:
        abort(404)
    return file_response(small, f"thumbnail-{row.id}", inline_image=True, cache=True)


# --------------------------------------------------------------------------- a template's standard attachments

@bp.post("/templates/<int:template_id>/attachments")
@takes_files
@require("manage_templates")
def template_add(template_id: int):
    """Give a template standard attachments (the return conditions, a size chart): inserting it attaches them."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    problems = reply_templates.add_files(template, current_user.shop, incoming_files(), by=current_user)
    db.session.commit()
    for problem in problems:
        flash(problem, "error")
    if not problems:
        flash(_("Attachment added to the template."), "success")
    return redirect(url_for("replies.edit", template_id=template.id, _anchor="template-files"), 303)


@bp.post("/templates/<int:template_id>/attachments/<int:upload_id>/remove")
@require("manage_templates")
def template_remove(template_id: int, upload_id: int):
    """Take a standard attachment off a template."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    if not reply_templates.remove_file(template, upload_id, by=current_user):
        abort(404)
    db.session.commit()
    flash(_("Attachment removed from the template."), "success")
    return redirect(url_for("replies.edit", template_id=template.id, _anchor="template-files"), 303)
