"""The phone norm's weeks of the performance page, counted once they are over and then kept per shop; and each
week's version, which tells every process that one of its tickets changed (norms.banner_miss_count).

A week's calls are classified by the phone's hours in Python, so they are kept rather than counted per view. A week
that is over can change only when one of its calls changes, and such a change bumps the week's version and drops
its counts in the same transaction (`_note_changes`); a change to one of its tickets bumps the version alone.
Whether a call counted depends on the phone's hours and the shop's closure too: a week's calls are kept with the
key of those rules (`phone_hours.rules_key`), and counted again when it no longer matches. A page view reads
the kept weeks in one query and counts only the others (usually just the current week). It keeps what it counted
under the version it read before counting, so a change committed in the meantime leaves that week to be counted
again rather than hidden. (The questions are kept exact per day instead: `ticket_days`, `product_weeks`.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.dialects import postgresql, sqlite

from inbox import clock, metrics
from inbox.extensions import db
from inbox.models import Call, NormWeek, Shop, Ticket
from inbox.services import flush_locks, phone_hours
from inbox.services.flush_history import changed, values


@dataclass
class WeekCounts:
    phone: list[int] = field(default_factory=lambda: [0, 0, 0])  # incoming calls answered, missed, outside hours
    phone_key: str = field(default="", compare=False)          # the rules they were counted under

    def to_json(self) -> dict:
        return {"phone": self.phone, "phone_key": self.phone_key}

    @classmethod
    def from_json(cls, data: dict) -> WeekCounts:
        return cls(data.get("phone", [0, 0, 0]), data.get("phone_key", ""))


def week_counts(shop: Shop, weeks: list[metrics.Week], now: datetime) -> list[WeekCounts]:
    """The counts of each of the consecutive `weeks` as of `now`: kept ones read, the others counted.

    Remembered for the rest of the app context (until a flush), since one page asks for overlapping weeks."""
    memo = g.setdefault("norm_weeks", {}) if has_app_context() else {}
    known = memo.get((shop.id, now), {})
    if all(w.start in known for w in weeks):
        return [known[w.start] for w in weeks]
    result = _week_counts(shop, weeks, now)
    memo.setdefault((shop.id, now), {}).update((w.start, c) for w, c in zip(weeks, result))
    return result


def _week_counts(shop: Shop, weeks: list[metrics.Week], now: datetime) -> list[WeekCounts]:
    kept = {start: (version, data, as_of) for start, version, data, as_of in db.session.execute(
        sa.select(NormWeek.week_start, NormWeek.version, NormWeek.data, NormWeek.as_of)
        .where(NormWeek.shop_id == shop.id, NormWeek.week_start >= weeks[0].start,
               NormWeek.week_start <= weeks[-1].start))}
    result: list[WeekCounts | None] = [None] * len(weeks)
    todo = []
    weekly = phone_hours.phone_weekly_hours(shop.id)
    keys = [phone_hours.rules_key(shop, weekly, w.start, w.end) for w in weeks]
    for i, week in enumerate(weeks):
        version, data, as_of = kept.get(week.start, (None, None, None))
        # Kept counts hold from the moment they were counted for, under the phone rules of now; an earlier `now`
        # or other phone hours are counted afresh.
        if data is not None and as_of <= now and data.get("phone_key") == keys[i]:
            result[i] = WeekCounts.from_json(data)
        else:
            todo.append(i)
    if todo:
        keep = []
        for i, counts in zip(todo, _count(shop, [weeks[i] for i in todo], weekly)):
            counts.phone_key = keys[i]
            result[i] = counts
            # Never keep counts for a moment still to come: a change before it would not bump the week.
            if weeks[i].end <= now <= clock.now():
                keep.append((weeks[i], counts, kept.get(weeks[i].start, (None,))[0]))
        if keep:
            _keep(shop, keep, now)
    return result


def _count(shop: Shop, weeks: list[metrics.Week], weekly: dict | None = None) -> list[WeekCounts]:
    """Count the weeks' calls, week by week (the weeks asked need not be consecutive), classified by the phone's
    hours in Python."""
    calls = db.session.execute(sa.select(Call.at, Call.direction, Call.answered).where(
        Call.shop_id == shop.id, sa.or_(*(sa.and_(Call.at >= w.start, Call.at < w.end) for w in weeks)))).all()
    scores = metrics.phone_scores(calls, weeks, phone_hours.phone_calendar(shop, weekly), phone_hours.closures(shop))
    return [WeekCounts([score.answered, score.missed, score.outside_hours]) for score in scores]


def _upsert(session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(NormWeek)


@lru_cache(maxsize=None)
def _bump(dialect: str, calls: bool):
    """The upsert that bumps a week's version (and drops its counts when its calls changed), built once."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(NormWeek)
    bump = {"version": NormWeek.version + 1, **({"data": None} if calls else {})}
    return (insert.values(shop_id=sa.bindparam("shop_id"), week_start=sa.bindparam("week_start"), version=1, data=None)
            .on_conflict_do_update(index_elements=["shop_id", "week_start"], set_=bump))


def _keep(shop: Shop, keep: list[tuple[metrics.Week, WeekCounts, int | None]], now: datetime) -> None:
    for week, counts, version in keep:
        data = counts.to_json()
        if version is None:
            db.session.execute(_upsert(db.session).values(shop_id=shop.id, week_start=week.start, version=0,
                                                          data=data, as_of=now)
                               .on_conflict_do_nothing(index_elements=["shop_id", "week_start"]))
        else:
            db.session.execute(sa.update(NormWeek).where(
                NormWeek.shop_id == shop.id, NormWeek.week_start == week.start, NormWeek.version == version)
                .values(data=data, as_of=now))
    db.session.commit()


# -- what a change touches ---------------------------------------------------------------------------------

# `assignee` too: setting the relationship fills assignee_id only later in the flush.
_TICKET_FIELDS = ("shop_id", "received_at", "forwarded_at", "first_reply_at", "first_reply_margin",
                  "first_reply_due_at", "assignee_id", "assignee")
_CALL_FIELDS = ("shop_id", "at", "direction", "answered")


def _note_changes(session, _context, _instances) -> None:
    """Bump the kept weeks that this flush's tickets and calls leave or enter; a call's week drops its counts."""
    moments: set[tuple[int, datetime, bool]] = set()   # (shop, when, whether the week's calls changed)
    new, dirty = session.new, session.dirty   # each read of these builds a new set: once, not per object
    with session.no_autoflush:
        for obj in (*new, *session.deleted, *dirty):
            if isinstance(obj, Ticket) and (obj not in dirty or changed(obj, _TICKET_FIELDS)):
                for shop_id in values(obj, "shop_id"):
                    for received in values(obj, "received_at"):
                        for forwarded in values(obj, "forwarded_at"):
                            moments.add((shop_id, forwarded or received, False))
                # And its week as stored, which a concurrent change may have moved since this session loaded it.
                row = flush_locks.stored(session).tickets.get(obj.id) if obj not in new else None
                if row is not None:
                    moments.add((row["shop_id"], row["forwarded_at"] or row["received_at"], False))
            elif isinstance(obj, Call) and (obj not in dirty or changed(obj, _CALL_FIELDS)):
                for shop_id in values(obj, "shop_id"):
                    moments.update((shop_id, at, True) for at in values(obj, "at"))
    if not moments:
        return
    if has_app_context():
        g.pop("norm_weeks", None)
    conn = session.connection()
    weeks: dict[tuple[int, datetime], bool] = {}
    with session.no_autoflush:
        for shop_id, at, calls in moments:
            shop = session.get(Shop, shop_id) if shop_id is not None and at is not None else None
            if shop is not None:
                # The current week too: its counts are never kept here, but its version tells each process that
                # the inbox banner's count of this week's misses moved (norms.banner_miss_count).
                key = (shop_id, metrics.week_of(at, shop.tz).start)
                weeks[key] = weeks.get(key, False) or calls
    for (shop_id, start), calls in sorted(weeks.items()):
        conn.execute(_bump(conn.dialect.name, calls), {"shop_id": shop_id, "week_start": start})


def forget_shop(shop_id: int, conn=None) -> None:
    """Drop a shop's kept weeks: for bulk loads that write tickets past the ORM (the demo generator)."""
    (conn or db.session).execute(sa.delete(NormWeek).where(NormWeek.shop_id == shop_id))


def init_app(_app) -> None:
    """Weeks are noted as changed before each flush of the app's sessions (once per process: one db.session)."""
    if not sa.event.contains(db.session, "before_flush", _note_changes):
        sa.event.listen(db.session, "before_flush", _note_changes)
