"""Newest-first pages through a shop's rows (calls, order lines, the audit log) by their time and id: keyset
pagination.

A page starts after (or before) one row, named by its id and time ("812.1764756000000000"): "older than call
812" reads the next 50 rows off the (shop, time) index wherever in the log that row is, where OFFSET 10,000
would read and drop 10,000 rows first; a call added meanwhile does not shift the page by one, and a row deleted
meanwhile still marks the place.

Nothing counts the whole log: the page's position travels with its link (`start`, a label like a page number),
and the rows after the page are counted up to COUNT_CAP ("51–100 of more than 10,050 calls", as mail services
say it). An exact count of a million rows on every page would make each page cost the shop's history.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from inbox.extensions import db

PAGE_SIZE = 50
COUNT_CAP = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CURSOR = re.compile(r"^(\d{1,10})(?:\.(n|-?\d{1,20}))?$")


@dataclass
class Page:
    rows: list
    first: int | None           # the position of the first row, 1 = the newest; None: not known (an old link)
    total: int                  # how many rows the log holds: exactly, or (not `exact`) more than this
    exact: bool
    older_than: str | None      # the cursor to ask for the next (older) page after, if there is one
    newer_than: str | None      # the cursor to ask for the previous (newer) page before, if there is one
    size: int = PAGE_SIZE       # rows a full page holds

    @property
    def last(self) -> int | None:
        return None if self.first is None else self.first + len(self.rows) - 1

    @property
    def is_first(self) -> bool:
        return self.newer_than is None

    @property
    def paged(self) -> bool:
        """Whether other pages lie beside this one (a pager to show)."""
        return self.older_than is not None or self.newer_than is not None

    @property
    def next_from(self) -> int | None:
        """The position the older page starts at, for its link."""
        return None if self.first is None else self.first + len(self.rows)

    @property
    def previous_from(self) -> int | None:
        """The position the newer page starts at, for its link."""
        return None if self.first is None else max(1, self.first - self.size)


def key_text(value: datetime | None) -> str:
    """A sort key as a link carries it: microseconds since 1970 ("n": none)."""
    return "n" if value is None else str((value - EPOCH) // timedelta(microseconds=1))


def read_key(text: str) -> datetime | None:
    """key_text's value back; None for "n". :raise ValueError: for anything else."""
    if text == "n":
        return None
    try:
        return EPOCH + timedelta(microseconds=int(text))
    except OverflowError:
        raise ValueError(text) from None


def read_cursor(raw: str | None) -> tuple[int, object] | None:
    """A cursor "<id>.<key>" as (id, sort key: a datetime, None for "n", or ... for a bare id, an older link),
    or None when it cannot be read."""
    m = CURSOR.match(raw or "")
    if not m or not 0 < int(m.group(1)) < 2**31:
        return None
    if m.group(2) is None:
        return int(m.group(1)), ...
    try:
        return int(m.group(1)), read_key(m.group(2))
    except ValueError:
        return None


def _cursor_text(row, when) -> str:
    return f"{row.id}.{key_text(getattr(row, when.key))}"


def _read(model, when, mine, raw: str | None):
    """(time, id) of a cursor: from the link itself, or for a bare id (an older link) from the shop's row."""
    read = read_cursor(raw)
    if read is None:
        return None
    row_id, key = read
    if key is not ...:
        return key, row_id
    return db.session.execute(sa.select(when, model.id).where(model.id == row_id, mine)).first()


def past(key, row_id, value, cursor_id: int, *, descending: bool, including: bool = False) -> list:
    """The conditions for the rows after the cursor (`value`, `cursor_id`) in the order (`key`, `row_id`):
    older (`descending`) or newer; `including` the cursor's own row. Every keyset list seeks with these.

    "k <= v AND (k < v OR id < i)" rather than "(k, id) < (v, i)": the first half is a range both databases seek
    to in an index ending (..., k, id); the second only sorts out the cursor's equals.
    """
    if descending:
        return [key <= value, sa.or_(key < value, row_id <= cursor_id if including else row_id < cursor_id)]
    return [key >= value, sa.or_(key > value, row_id >= cursor_id if including else row_id > cursor_id)]


def _older(when, model, key) -> list:
    return past(when, model.id, key[0], key[1], descending=True)


def _newer(when, model, key, *, including: bool = False) -> list:
    return past(when, model.id, key[0], key[1], descending=False, including=including)


def _count_upto(model, where: list, cap: int) -> int:
    """How many rows match, counting no further than cap + 1."""
    rows = sa.select(sa.literal(1)).select_from(model).where(*where).limit(cap + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows))


def link_args(args) -> dict:
    """newest_first's cursor arguments from a request's query string: ?before=<cursor> (older rows) or
    ?after=<cursor> (newer rows), and ?start=<the page's first position>; anything else is the newest page."""
    return {"before": args.get("before"), "after": args.get("after"), "start": args.get("start", type=int)}


def newest_first(model, when, shop_id: int, *, where: tuple = (), before: str | None = None,
                 after: str | None = None, start: int | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of `model`'s rows of the shop, newest first by (`when`, id): the newest page, the page of rows
    older than the cursor `before`, or the page of rows newer than the cursor `after` (the newest page, full,
    once fewer than a page of newer rows is left). `start` is the position the link says the page starts at.
    A cursor that cannot be read, or names another shop's row, gives the newest page. Three queries at most
    (four for an old link), none of which reads more than a page plus COUNT_CAP rows of the index.

    :param when: the time column (indexed with shop_id).
    :param where: conditions of a filtered list (the audit log's person and kind of action): its rows only,
        counted and paged as if they were the whole list.
    """
    mine = sa.and_(model.shop_id == shop_id, *where)
    newest, oldest = (when.desc(), model.id.desc()), (when.asc(), model.id.asc())
    key = _read(model, when, mine, before if before is not None else after)
    given = start if start and start > 0 else None
    if key is not None and key[0] is not None and before is not None:
        rows = db.session.scalars(sa.select(model).where(mine, *_older(when, model, key))
                                  .order_by(*newest).limit(size + 1)).all()
        if rows:
            if given is None:   # an older link, without the position: counted, up to the cap
                ahead = _count_upto(model, [mine, *_newer(when, model, key, including=True)], COUNT_CAP)
                given = ahead + 1 if ahead <= COUNT_CAP else None
            return _page(model, when, mine, rows[:size], given, len(rows) > size, newer=True, size=size)
    elif key is not None and key[0] is not None:
        rows = db.session.scalars(sa.select(model).where(mine, *_newer(when, model, key))
                                  .order_by(*oldest).limit(size + 1)).all()
        if len(rows) > size:    # else fewer than a page of newer rows is left: the newest page
            return _page(model, when, mine, rows[:size][::-1], given, True, newer=True, size=size)
    rows = db.session.scalars(sa.select(model).where(mine).order_by(*newest).limit(size + 1)).all()
    return _page(model, when, mine, rows[:size], 1, len(rows) > size, newer=False, size=size)


def _page(model, when, mine, rows: list, first: int | None, more: bool, *, newer: bool, size: int) -> Page:
    """The page of `rows` (newest first), `more` when older rows follow (counted up to the cap), `newer` when
    newer rows do: known from the rows read, never from the position the link says (rows come and go)."""
    known = 0 if first is None else first - 1 + len(rows)
    total, exact = known, first is not None
    if more:
        beyond = _count_upto(model, [mine, *_older(when, model, (getattr(rows[-1], when.key), rows[-1].id))],
                             COUNT_CAP)
        total, exact = known + min(beyond, COUNT_CAP), exact and beyond <= COUNT_CAP
    return Page(rows, first, total, exact, _cursor_text(rows[-1], when) if more else None,
                _cursor_text(rows[0], when) if rows and newer else None, size)
