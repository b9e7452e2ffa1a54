"""Row ids as links and forms carry them: text that names an id column's value (PostgreSQL's integer) or nothing.

A number past the column's range is not an unknown row to a database: PostgreSQL refuses the query (integer out
of range) and SQLite cannot bind it; a number of thousands of digits makes int() itself raise. Read here first,
such text is no id at all, and the caller answers as it does for an unknown one.
"""
from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**31 - 1


def read_id(raw: str | None) -> int | None:
    """The id "812" names (ASCII digits, 1..MAX_ID), or None."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 10):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def read_ids(raws: Iterable[str], limit: int) -> list[int]:
    """The ids among these texts, in order, the others dropped; at most `limit`."""
    found = []
    for raw in raws:
        value = read_id(raw)
        if value is not None:
            found.append(value)
            if len(found) == limit:
                break
    return found
