"""Configuration: defaults, then INBOX_* environment variables, then the mapping given to create_app."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

# The languages of the app itself (English, and the catalogues in inbox/translations); customers may write in more
# (inbox.labels.LANGUAGES).
APP_LANGUAGES = ("en", "nl")

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": "sqlite:///inbox.sqlite",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),  # as the server-side LoginSession (services/sessions.py)
    "SECURE_COOKIES": False,
    "WTF_CSRF_TIME_LIMIT": None,  # a reply written over a long shift must not lose its token
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": APP_LANGUAGES,
    "PAGE_SIZE": 50,
    "LOGIN_FREE_FAILURES": 5,
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "API_RATE_LIMIT": 300,                # requests per minute per API token; 0 turns the limit off
    "API_MAX_BODY_BYTES": 1024 * 1024,    # a JSON body to the API; a larger one answers 413
    "HELP_RATE_LIMIT": 60,                # help-centre pages per minute per address (suggestions: twice); 0: off
    "LIVE_POLL_SECONDS": 20,              # how often an open inbox asks for new questions (bench/live.py)
}

# Environment variables read at start-up: INBOX_<NAME> -> config key, with a converter.
ENVIRONMENT = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "SECURE_COOKIES": ("SECURE_COOKIES", lambda v: v.lower() in ("1", "true", "yes")),
    "SMTP_HOST": ("SMTP_HOST", str),
    "SMTP_PORT": ("SMTP_PORT", int),
    "SMTP_USER": ("SMTP_USER", str),
    "SMTP_PASSWORD": ("SMTP_PASSWORD", str),
    "SMTP_TLS": ("SMTP_TLS", str),
    "MAIL_OUTBOX_DIR": ("MAIL_OUTBOX_DIR", str),
    "MAIL_DOMAIN": ("MAIL_DOMAIN", str),
    "MAIL_FROM_ADDRESS": ("MAIL_FROM_ADDRESS", str),
    "MAIL_FROM": ("MAIL_FROM", str),
    "SEND_ON_REPLY": ("SEND_ON_REPLY", lambda v: v.lower() in ("1", "true", "yes")),
    "OUTBOX_SENDER": ("OUTBOX_SENDER", str),
    "WORKER_INTERVALS": ("WORKER_INTERVALS", lambda v: parse_intervals(v)),
    "WEBHOOK_CLAIM_TIMEOUT": ("WEBHOOK_CLAIM_TIMEOUT", int),
    "MAIL_MAX_ATTACHMENT_BYTES": ("MAIL_MAX_ATTACHMENT_BYTES", int),
    "MAIL_MAX_MESSAGE_BYTES": ("MAIL_MAX_MESSAGE_BYTES", int),
    "MAIL_SEND_MAX_ATTEMPTS": ("MAIL_SEND_MAX_ATTEMPTS", int),
    "BASE_URL": ("BASE_URL", str),
    "ALLOW_PRIVATE_HOSTS": ("ALLOW_PRIVATE_HOSTS", str),
    "SERVER_TIMING": ("SERVER_TIMING", lambda v: v.lower() in ("1", "true", "yes")),
    "API_RATE_LIMIT": ("API_RATE_LIMIT", int),
    "API_MAX_BODY_BYTES": ("API_MAX_BODY_BYTES", int),
    "HELP_RATE_LIMIT": ("HELP_RATE_LIMIT", int),
    "LIVE_POLL_SECONDS": ("LIVE_POLL_SECONDS", int),
}


def parse_intervals(text: str) -> dict[str, float]:
    """INBOX_WORKER_INTERVALS: "outbox=2,imap=30" -> {"outbox": 2.0, "imap": 30.0} (seconds per job)."""
    found = {}
    for item in text.split(","):
        name, _, seconds = item.partition("=")
        if name.strip():
            found[name.strip()] = float(seconds)
    return found


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting providers hand out (postgres://) and default PostgreSQL to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(url: str, options: dict | None) -> dict:
    """A database server can drop a pooled connection (a restart, a proxy's idle timeout): check each one when it
    is taken from the pool. A SQLite file cannot, and the check would cost every request a query."""
    options = options or {}
    return options if url.startswith("sqlite") else {"pool_pre_ping": True, **options}


def secure_cookies(config) -> None:
    """Behind HTTPS (SECURE_COOKIES): every auth cookie, remember-me included, goes over HTTPS only."""
    if config.get("SECURE_COOKIES"):
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True


def from_environment(environ=os.environ) -> dict:
    """The INBOX_* variables that are set, as config keys."""
    found = {}
    for name, (key, convert) in ENVIRONMENT.items():
        value = environ.get("INBOX_" + name)
        if value not in (None, ""):
            found[key] = convert(value)
    return found


def instance_secret_key(instance_path: str) -> str:
    """A random key generated on first start and kept in the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must end up with the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
