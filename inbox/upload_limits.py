"""Requests that carry files: the text of the form always arrives, however much the files weigh.

MAX_CONTENT_LENGTH (32 MB) would answer a whole reply with 413 before any view runs, and without JavaScript the
typed text was gone with it. A route marked `@takes_files` reads requests up to UPLOAD_REQUEST_MAX_BYTES instead.
Its form fields are parsed as usual, but of the file parts only MAX_CONTENT_LENGTH bytes in all are kept; a file
that does not fit is read to its end and counted, not kept (neither in memory nor on disk). It reaches the view
empty, with the size it had (`uploads.read_files`), so the view refuses it by name and keeps the text as a draft.

The hook must run before CSRFProtect's, which is the first to read the form: `init_app` before `csrf.init_app`.
"""
from __future__ import annotations

from tempfile import SpooledTemporaryFile

from flask import current_app, request
from werkzeug.formparser import FormDataParser

IN_MEMORY = 500 * 1024   # as Werkzeug's own file parts: larger ones go to a temporary file


def takes_files(view):
    """Mark a view whose form may carry files (under `@bp.post`, so the marked function is the one routed)."""
    view.takes_files = True
    return view


class Budget:
    """How many file bytes one request may still keep."""

    def __init__(self, limit: int | None):
        self.left = limit if limit is not None else float("inf")


class KeptWhileItFits:
    """One file part of the form: its bytes are kept while the request's budget lasts; once they do not fit, the
    file keeps nothing more (what it held goes back to the budget) and only counts what the browser sends."""

    def __init__(self, budget: Budget):
        self._file = SpooledTemporaryFile(max_size=IN_MEMORY, mode="rb+")
        self._budget = budget
        self.size = 0        # the bytes the browser sent for this file
        self.cut = False     # True: too much to keep; the bytes are gone

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.cut:
            return len(data)
        if len(data) <= self._budget.left:
            self._budget.left -= len(data)
            self._file.write(data)
        else:
            self.cut = True
            self._budget.left += self.size - len(data)
            self._file.seek(0)
            self._file.truncate()
        return len(data)

    def __getattr__(self, name):
        return getattr(self._file, name)


class KeepingParser(FormDataParser):
    """Werkzeug's form parser with file parts kept only up to MAX_CONTENT_LENGTH bytes in all."""

    def __init__(self, *args, **kwargs):
        budget = Budget(current_app.config.get("MAX_CONTENT_LENGTH"))
        kwargs["stream_factory"] = lambda *_args, **_kwargs: KeptWhileItFits(budget)
        super().__init__(*args, **kwargs)


def init_app(app) -> None:
    app.config.setdefault("UPLOAD_REQUEST_MAX_BYTES", 1024 * 1024 * 1024)

    @app.before_request
    def read_files_to_the_end():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, "takes_files", False):
            request.max_content_length = app.config["UPLOAD_REQUEST_MAX_BYTES"]
            request.form_data_parser_class = KeepingParser
