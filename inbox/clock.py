"""The one clock. Everything that asks "what time is it" calls now(), so tests can freeze it."""
from datetime import date, datetime, timedelta, timezone, tzinfo

# The days a date typed or linked may name: no shop's history is older, nothing is planned further ahead. Anything
# outside is a typo or a probe, and near year 1 or 9999 the date arithmetic behind a page would overflow.
EARLIEST_DAY = date(2000, 1, 1)
AHEAD = timedelta(days=366)


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def today(tz: tzinfo) -> date:
    """The local date now in a zone (a shop's)."""
    return now().astimezone(tz).date()


def reachable_days(tz: tzinfo) -> tuple[date, date]:
    """The first and last day a date from a form or a link may name: EARLIEST_DAY up to a year from today."""
    return EARLIEST_DAY, today(tz) + AHEAD


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; naive values (SQLite drops the zone) are taken to be UTC, as stored."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def period_text(start: datetime | None, end: datetime | None) -> str | None:
    """A period as the audit log shows it: "2026-11-16T09:00+00:00 – 2026-11-20T17:00+00:00" (… when open)."""
    if start is None:
        return None
    return f"{start.isoformat(timespec='minutes')} – {end.isoformat(timespec='minutes') if end else '…'}"
