"""Newest-first pages through a shop's rows (calls, order lines) by their time and id: keyset pagination.

A page starts after (or before) one row: "older than call 812" reads the next 50 rows off the (shop, time)
index wherever in the log that row is, where OFFSET 10,000 would read and drop 10,000 rows first, and a call
added meanwhile does not shift the page by one. The position ("51–100 of 661") comes from one count.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from inbox.extensions import db

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    total: int
    first: int                  # the position of the first row, 1 = the newest
    older_than: int | None      # the id to ask for the next (older) page after, if there is one
    newer_than: int | None      # the id to ask for the previous (newer) page before, if there is one

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def is_first(self) -> bool:
        return self.newer_than is None


def newest_first(model, when, shop_id: int, *, before: int | None = None, after: int | None = None,
                 size: int = PAGE_SIZE) -> Page:
    """One page of `model`'s rows of the shop, newest first by (`when`, id): the newest page, the page of rows
    older than the row `before`, or the page of rows newer than the row `after` (the newest page, full, once
    fewer than a page of newer rows is left). A cursor that is not a row of this shop gives the newest page.
    Four queries at most, whatever the page.

    :param when: the time column (indexed with shop_id).
    """
    mine = model.shop_id == shop_id
    newest, oldest = (when.desc(), model.id.desc()), (when.asc(), model.id.asc())
    cursor_id = before if before is not None else after
    cursor = None if cursor_id is None else db.session.execute(
        sa.select(when, model.id).where(model.id == cursor_id, mine)).first()
    if cursor is not None:
        older = sa.or_(when < cursor[0], sa.and_(when == cursor[0], model.id < cursor[1]))
        newer = sa.or_(when > cursor[0], sa.and_(when == cursor[0], model.id > cursor[1]))
        beyond = older if before is not None else newer
        rows = db.session.scalars(sa.select(model).where(mine, beyond)
                                  .order_by(*(newest if before is not None else oldest)).limit(size + 1)).all()
        more = len(rows) > size
        rows = rows[:size]
        if before is not None and rows:
            # The total, and how many rows come before this page (the cursor and newer): one pass over the index.
            total, ahead = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.case((older, None), else_=1)))
                                              .select_from(model).where(mine)).one()
            return Page(rows, total, ahead + 1, rows[-1].id if more else None, rows[0].id)
        if after is not None and more:
            rows.reverse()
            total, behind = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.case((newer, None), else_=1)))
                                               .select_from(model).where(mine)).one()
            return Page(rows, total, total - behind - len(rows) + 1, rows[-1].id, rows[0].id)
    rows = db.session.scalars(sa.select(model).where(mine).order_by(*newest).limit(size + 1)).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(mine))
    return Page(rows[:size], total, 1, rows[size - 1].id if len(rows) > size else None, None)
