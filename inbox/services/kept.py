"""Figures kept per app process for a short while: costly to count, shown on every page, and harmless when
another process's change shows up KEPT_FOR later. A change made by this process drops them at once (forget)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_app_context

from inbox import clock

KEPT_FOR = timedelta(seconds=30)


def kept(key: tuple, compute):
    """compute(), or its value from less than KEPT_FOR ago; key is (kind, shop id, ...)."""
    cache, now = current_app.extensions.setdefault("inbox_kept", {}), clock.now()
    hit = cache.get(key)
    if hit is not None and timedelta(0) <= now - hit[0] < KEPT_FOR:
        return hit[1]
    value = compute()
    cache[key] = (now, value)
    return value


def init_app(_app) -> None:
    """What each kept figure is forgotten on (SQLAlchemy events on the models: once per process)."""
    import sqlalchemy as sa

    from inbox.models import QuarantinedMail, TicketTag
    listeners = [(TicketTag, "init", _forget_tags),
                 (QuarantinedMail, "after_insert", _forget_review_count),
                 (QuarantinedMail, "after_delete", _forget_review_count)]
    for target, name, fn in listeners:
        if not sa.event.contains(target, name, fn):
            sa.event.listen(target, name, fn)


# The figures: the tag menu of the inbox (at 100,000 tickets ~2 ms on every page), and the number of mails
# waiting in the review list (the banner on every page of an owner). The views' counts need no keeping: they stop
# at ticket_list.COUNT_CAP.

def _forget_tags(_tag, _args, _kwargs):
    forget("tags")


def _forget_review_count(_mapper, _connection, row):
    forget("review", row.shop_id)


def forget(kind: str, shop_id: int | None = None) -> None:
    """Drop the kept figures of this kind (for one shop, or all)."""
    if has_app_context():
        cache = current_app.extensions.get("inbox_kept", {})
        for key in [k for k in cache if k[0] == kind and shop_id in (None, k[1])]:
            del cache[key]
