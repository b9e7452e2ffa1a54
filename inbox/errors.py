"""Error pages: a full page, a fragment for htmx, always the accurate status code."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import LimitedStream

from inbox.extensions import db
from inbox.htmx import is_htmx
from inbox.i18n import _


def _render(status: int, title: str, message: str, back_url: str | None = None):
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, status=status, title=title, message=message, back_url=back_url), status


def _page_before() -> str | None:
    """The page the form was sent from, when it is one of ours (the Referer, same host): the way back."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    return urlunsplit(("", "", referrer.path or "/", referrer.query, ""))


DRAIN_UP_TO = 2 * 1024 * 1024 * 1024


def _drain_refused_body() -> None:
    """Read and drop the body Werkzeug refused unread (its Content-Length alone was over the limit). A browser
    still uploading when the answer comes and the connection closes shows a broken connection, or waits,
    instead of our page."""
    length, limit = request.content_length, request.max_content_length
    if length is None or limit is None or length <= limit or length > DRAIN_UP_TO:
        return   # read partly already (so the rest is unknown), or too much to wait for
    stream = LimitedStream(request.environ["wsgi.input"], length)
    while stream.read(1024 * 1024):
        pass


def _too_large():
    """A form over the size the server reads. Routes that take files read far more (upload_limits), so this is
    rare; the typed text is in the browser's form on the page before, which Back restores."""
    _drain_refused_body()
    limit = request.max_content_length
    message = _("This was more than Seller Inbox takes at once (at most %(mb)s MB), so nothing of it was saved. "
                "Use your browser's Back button: the form there still holds what you typed. Then attach smaller "
                "files, or fewer at a time.",
                mb=(limit or 0) // (1024 * 1024))
    return _render(413, _("Too large to send"), message, _page_before())


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, _("The form expired"),
                       _("Please reload the page and try again. Nothing was saved."))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if request.path.startswith("/api/v1/") or request.path == "/api/v1":
            # Unknown paths and methods never reach the API blueprint's own handler: answer JSON here too.
            from inbox.api.core import http_error_response
            return http_error_response(e)
        if e.code == 413:
            return _too_large()
        titles = {
            403: _("Not allowed"),
            404: _("Page not found"),
            405: _("Not allowed"),
            413: _("Too large"),
            429: _("Too many attempts"),
        }
        messages = {
            403: _("Your role does not allow this. Ask the shop owner if you need it."),
            404: _("This page does not exist, or it belongs to another shop."),
        }
        return _render(e.code or 500, titles.get(e.code, e.name), messages.get(e.code, e.description or ""))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        if request.path.startswith("/api/v1/"):
            from inbox.api.core import error_response
            return error_response(500, "Something went wrong on our side; it was logged. Please try again.")
        return _render(500, _("Something went wrong"),
                       _("The error was logged. Please try again in a moment."))
