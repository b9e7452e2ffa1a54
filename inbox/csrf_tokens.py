"""Flask-WTF's CSRF token, signed once per session instead of once per page.

Signing takes ~80 µs, on every page that shows a form. Tokens have no time limit here (WTF_CSRF_TIME_LIMIT is
None: a reply written over a long shift must not lose its token), so a signature made on an earlier page is
exactly as valid as a new one. With a time limit set, every page signs afresh as Flask-WTF does.
"""
from __future__ import annotations

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

FIELD = "csrf_token"    # Flask-WTF keeps the raw token in the session and the signed one in g under this name
_KEEP = 10_000          # signed tokens kept per process (about 100 bytes each); the oldest go first
_signed: dict[tuple[str, str], str] = {}


def _key() -> tuple[str, str] | None:
    config = current_app.config
    raw = session.get(FIELD)
    if raw is None or config["WTF_CSRF_TIME_LIMIT"] is not None or config["WTF_CSRF_FIELD_NAME"] != FIELD:
        return None
    return config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw


def reuse_signed_token() -> None:
    """Before a request: where Flask-WTF's generate_csrf() looks first, the token signed for this session."""
    key = _key()
    if key is not None and key in _signed:
        setattr(g, FIELD, _signed[key])


def keep_signed_token(response):
    """After a request that signed the session's token: keep it for the session's next pages."""
    key = FIELD in g and _key()
    if key and key not in _signed:
        _signed[key] = g.get(FIELD)
        if len(_signed) > _KEEP:
            del _signed[next(iter(_signed))]
    return response


def csrf_token() -> str:
    """`csrf_token()` in templates: Flask-WTF's generate_csrf() without its two config lookups once the page has
    a token (a ticket page asks six times)."""
    return g.get(FIELD) or generate_csrf()


def template_context() -> dict:
    """A context processor registered after Flask-WTF's, so that templates call csrf_token() above."""
    return {"csrf_token": csrf_token}


def init_app(app) -> None:
    """After csrf.init_app(app)."""
    app.before_request(reuse_signed_token)
    app.after_request(keep_signed_token)
