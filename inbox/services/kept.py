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


def forget(kind: str, shop_id: int | None = None) -> None:
    """Drop the kept figures of this kind (for one shop, or all)."""
    if has_app_context():
        cache = current_app.extensions.get("inbox_kept", {})
        for key in [k for k in cache if k[0] == kind and shop_id in (None, k[1])]:
            del cache[key]
