"""Column types shared by the models."""
import base64
from datetime import datetime, timezone
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always gives them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use inbox.clock.now()")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    from inbox.clock import now
    return now()


class SealedString(TypeDecorator):
    """Text stored encrypted (Fernet) with a key derived from the app's SECRET_KEY: the IMAP and SMTP passwords
    the app must log in with. A database dump alone does not reveal them. A value sealed under another secret
    key reads as None, so a rotated key means entering the passwords again, never a crash."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _fernet().encrypt(value.encode()).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return _fernet().decrypt(value.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            return None


def _fernet() -> Fernet:
    from flask import current_app
    return _fernet_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _fernet_for(secret: str | bytes) -> Fernet:
    secret = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"seller-inbox stored credentials").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))
