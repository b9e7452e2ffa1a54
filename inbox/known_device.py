"""The known-device cookie: this browser signed in to these accounts before.

The login throttle counts failures from such a browser on their own (inbox/throttle.py), so someone guessing an
owner's password from elsewhere cannot keep the owner out of their own shop. The cookie is signed with the app's
secret and names the accounts only by a keyed hash; it carries no right to anything but a separate count.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "inbox_device"
MAX_AGE = timedelta(days=365)
KEEP = 5   # accounts remembered per browser (a shared shop computer)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="inbox-known-device")


def _tag(email: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def _read(request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 1000:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("for"), list):
        return None
    return data


def device_for(request, email: str) -> str | None:
    """This browser's device id when it signed in to `email` before; else None."""
    data = _read(request)
    return data["id"][:32] if data and _tag(email) in data["for"] else None


def remember(request, response, email: str) -> None:
    """After a successful sign-in: note the account on this browser's cookie."""
    data = _read(request) or {"id": secrets.token_urlsafe(12), "for": []}
    tag = _tag(email)
    data["for"] = [tag] + [t for t in data["for"] if t != tag][:KEEP - 1]
    config = current_app.config
    response.set_cookie(COOKIE, _serializer().dumps(data), max_age=int(MAX_AGE.total_seconds()), httponly=True,
                        samesite="Lax", secure=bool(config.get("SESSION_COOKIE_SECURE")))
