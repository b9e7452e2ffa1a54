"""The one edge where every text value is made storable, on SQLite and on PostgreSQL alike.

SQLite stores whatever it is given; PostgreSQL refuses a NUL byte in any text, an unpaired surrogate (what
`surrogateescape` leaves of undecodable mail bytes) and a value longer than its VARCHAR. Mail brings all three
(a NUL in a display name, a 2,000-character Message-ID), and one such value must never cost a customer's question.

So before every flush each new or changed object's text columns are cleaned: control characters are removed (a
one-line column turns line breaks and tabs into spaces; a TEXT column keeps them), unpaired surrogates become
U+FFFD, and a value is cut to its column's length, read from the model's own column type. What is cut is never
lost: intake keeps the whole raw message on its InboundMail (or QuarantinedMail) row.
"""
from __future__ import annotations

import dataclasses
import re
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so

_SURROGATES = re.compile("[\ud800-\udfff]")
# Kept in multi-line text: tab, line feed, carriage return. Everything else below 0x20, and DEL, goes.
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile("[\t\n\r]+")
_ANY_BAD = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def text(value: str, limit: int | None = None, *, multiline: bool = True) -> str:
    """`value` as PostgreSQL will take it: no control characters or unpaired surrogates, at most `limit` long."""
    if _ANY_BAD.search(value):
        value = _SURROGATES.sub("\ufffd", value)
        if not multiline:
            value = _BREAKS.sub(" ", value)
        value = _CONTROL_TEXT.sub("", value)
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


def clean(obj):
    """A copy of a dataclass (a parsed mail) whose text fields, and lists of texts, are free of what a query
    parameter cannot carry on PostgreSQL (a NUL in a Message-ID would fail the dedupe lookup itself)."""
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            cleaned = text(value)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            cleaned = [text(v) for v in value]
        else:
            continue
        if cleaned != value:
            changes[f.name] = cleaned
    return dataclasses.replace(obj, **changes) if changes else obj


@cache
def _text_columns(mapper: so.Mapper) -> tuple[tuple[str, int | None, bool], ...]:
    """(attribute, length or None, multi-line) for each plain text column of a model."""
    columns = []
    for prop in mapper.column_attrs:
        if len(prop.columns) != 1:
            continue
        kind = prop.columns[0].type
        # A TypeDecorator (SealedString) stores something else than it is given: its length is not the value's.
        if not isinstance(kind, sa.String) or isinstance(kind, (sa.Enum, sa.types.TypeDecorator)):
            continue
        columns.append((prop.key, kind.length, isinstance(kind, sa.Text) or kind.length is None))
    return tuple(columns)


def fit(obj) -> None:
    """Clean one object's loaded text values in place (unloaded, deferred columns are left alone)."""
    state = sa.inspect(obj)
    values = state.dict
    for key, limit, multiline in _text_columns(state.mapper):
        value = values.get(key)
        if isinstance(value, str):
            cleaned = text(value, limit, multiline=multiline)
            if cleaned is not value and cleaned != value:
                setattr(obj, key, cleaned)


def init_app(_app) -> None:
    """Clean before every flush of the app's sessions (once per process: there is one db.session)."""
    from inbox.extensions import db
    if not sa.event.contains(db.session, "before_flush", _fit_before_flush):
        sa.event.listen(db.session, "before_flush", _fit_before_flush)


def _fit_before_flush(session, _flush_context, _instances) -> None:
    for obj in session.new:
        fit(obj)
    for obj in session.dirty:
        fit(obj)
