"""Ids in URLs: `<int:...>` matches only what an id column holds (PostgreSQL's integer), so /tickets/99999999999
is a 404 like any other unknown ticket, not a query PostgreSQL refuses (integer out of range) or SQLite cannot
bind."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from inbox.ids import MAX_ID


class IdConverter(IntegerConverter):
    """Werkzeug's int converter, bounded at the largest id."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app) -> None:
    """Before any route is added: each rule builds its converters when it is added."""
    app.url_map.converters["int"] = IdConverter
