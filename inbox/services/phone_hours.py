"""The phone's opening hours: when a call attempt counts for the phone norm (seed 001: 90% of the calls in opening
hours answered). Shared by the norms (inbox.services.norms) and the kept weeks (inbox.services.norm_weeks)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import PhoneHours, Shop
from inbox.sla import BusinessCalendar

DEFAULT_PHONE_HOURS = {weekday: (("09:00", "17:00"),) for weekday in range(5)}


def phone_weekly_hours(shop_id: int) -> dict[int, tuple[tuple[str, str], ...]]:
    rows = db.session.scalars(sa.select(PhoneHours).where(PhoneHours.shop_id == shop_id)
                              .order_by(PhoneHours.weekday, PhoneHours.opens)).all()
    if not rows:
        return dict(DEFAULT_PHONE_HOURS)
    weekly: dict[int, list] = {}
    for row in rows:
        weekly.setdefault(row.weekday, []).append((row.opens, row.closes))
    return {wd: tuple(spans) for wd, spans in weekly.items()}


_phone_calendars: dict = {}


def phone_calendar(shop: Shop, weekly: dict | None = None) -> BusinessCalendar:
    """The phone's opening hours in the shop's zone, skipping the shop's own country's holidays.

    Seed 001 skips only Dutch holidays for the phone of a Dutch shop (Belgian ones too count only
    for e-mail), so this calendar does not take over the NL+BE rule of the reply clock.
    """
    weekly = weekly if weekly is not None else phone_weekly_hours(shop.id)
    key = (shop.country, shop.timezone, tuple(sorted(weekly.items())))
    cal = _phone_calendars.get(key)
    if cal is None:
        cal = BusinessCalendar(shop.country, weekly=weekly, tz=shop.timezone)
        cal.skipped_countries = (cal.country,)  # only the home country's holidays (see above)
        _phone_calendars[key] = cal
    return cal


def closures(shop: Shop) -> list[tuple[datetime, datetime | None]]:
    """Periods the shop was temporarily closed (phone not offered). The shop keeps only its current
    or last closure, so older ones are not known; the page says so."""
    return [(shop.closed_from, shop.closed_until)] if shop.closed_from else []


def rules_key(shop: Shop, weekly: dict, start: datetime, end: datetime) -> str:
    """What decides whether a call between start and end counted: the phone's hours in the shop's zone and
    country, and the part of the shop's closure that falls in that time. Kept week counts hold under this key."""
    clipped = [(max(f, start).isoformat(), min(u or end, end).isoformat())
               for f, u in closures(shop) if f < end and (u is None or u > start)]
    return repr((shop.country, shop.timezone, sorted(weekly.items()), clipped))
