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
