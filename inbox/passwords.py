"""Password hashes, and a stand-in hash so that signing in with an unknown address takes as long as with a
wrong password (otherwise the time of the answer tells which addresses have an account)."""
from __future__ import annotations

import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def make(password: str) -> str:
    return generate_password_hash(password)  # scrypt, werkzeug's default


@functools.cache
def dummy_hash() -> str:
    """A hash made like every real one (same method and cost), of a password nobody knows; once per process."""
    return make(secrets.token_urlsafe(16))


def check(stored: str, password: str) -> bool:
    return check_password_hash(stored, password)
