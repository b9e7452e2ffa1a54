"""Error pages: a full page, a fragment for htmx, always the accurate status code."""
from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inbox.extensions import db
from inbox.htmx import is_htmx
from inbox.i18n import _


def _render(status: int, title: str, message: str):
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, status=status, title=title, message=message), status


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
