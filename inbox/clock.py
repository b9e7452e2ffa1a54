"""The one clock. Everything that asks "what time is it" calls now(), so tests can freeze it."""
from datetime import datetime, timezone


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


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
