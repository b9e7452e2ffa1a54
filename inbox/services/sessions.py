"""Signed-in browsers: started at sign-in, ended by signing out, by a new password or a deactivated account.

Flask-Login keeps only a random token in the session cookie and the remember-me cookie (User.get_id). The token
finds its LoginSession here on every request, so deleting that row ends the browser at once, whichever copy of
its cookies someone holds.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox import clock
from inbox.extensions import db, statement
from inbox.models import LoginSession, User
from inbox.services import audit
from inbox.tokens import hash_token

IDLE = timedelta(hours=12)           # a browser without "keep me signed in", unused this long, must sign in again
REMEMBERED = timedelta(days=30)      # "keep me signed in" lasts this long from the sign-in
SEEN_EVERY = timedelta(minutes=5)    # last_seen_at is written at most this often per browser


def start(user: User, *, remember: bool, user_agent: str = "", ip: str = "") -> LoginSession:
    """A new signed-in browser for `user`; afterwards user.get_id() is its token (for Flask-Login's login_user)."""
    purge_expired(user)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = LoginSession(user_id=user.id, token_hash=hash_token(token), remember=bool(remember),
                       user_agent=(user_agent or "")[:300], ip=(ip or "")[:64], created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    user.session_token, user.login_session = token, row
    return row


def expires_at(row: LoginSession) -> datetime:
    if row.remember:
        return clock.as_utc(row.created_at) + REMEMBERED
    return clock.as_utc(row.last_seen_at) + IDLE


@statement
def _by_token():
    # The signed-in user's shop shows on every page: one query for the browser, the user and the shop.
    return (sa.select(LoginSession, User).join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == sa.bindparam("token_hash"), User.active.is_(True))
            .options(so.joinedload(User.shop)))


def resolve(token: str) -> User | None:
    """The active user signed in with this token, or None when the browser was signed out or has expired.
    The user carries `session_token` and `login_session` (this browser)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_by_token(), {"token_hash": hash_token(token)}).unique().one_or_none()
    if row is None:
        return None
    login_session, user = row
    now = clock.now()
    if now >= expires_at(login_session):
        return None
    user.session_token, user.login_session = token, login_session
    return user


def seen_due(row: LoginSession) -> bool:
    return clock.now() - clock.as_utc(row.last_seen_at) >= SEEN_EVERY


def note_seen(session_id: int) -> None:
    db.session.execute(sa.update(LoginSession).where(LoginSession.id == session_id)
                       .values(last_seen_at=clock.now()))


def end(user: User, session_id: int) -> bool:
    """Sign out one browser of this user (never another user's). Whether there was one to end."""
    result = db.session.execute(sa.delete(LoginSession).where(LoginSession.id == session_id,
                                                              LoginSession.user_id == user.id))
    return result.rowcount > 0


def end_all(user: User, *, except_token: str | None = None) -> int:
    """Sign out every browser of this user, or every other one when `except_token` is this browser's.
    Returns how many were ended."""
    query = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if except_token:
        query = query.where(LoginSession.token_hash != hash_token(except_token))
    return db.session.execute(query).rowcount


def logged_in(user: User) -> None:
    """A sign-in with the password form, for the audit log (the browser's session is `start`ed already)."""
    audit.record(user.shop_id, "user.login", actor=user)


def sign_out(user: User, *, everywhere: bool = False) -> int:
    """Sign out this browser (its session row goes, so a copy of its cookies no longer works), or every browser of
    the user; recorded in the audit log. The caller commits, then ends the Flask-Login session.

    :return: how many browsers were signed out.
    """
    if everywhere:
        ended = end_all(user)
        audit.record(user.shop_id, "user.sessions_end", actor=user, subject_user=user, new=str(ended))
        return ended
    ended = int(end(user, user.login_session.id)) if user.login_session is not None else 0
    audit.record(user.shop_id, "user.logout", actor=user)
    return ended


def sign_out_browser(user: User, session_id: int) -> bool:
    """Sign out another of the user's browsers (a shared computer, a lost phone); recorded in the audit log.
    Whether it was one of theirs and still signed in."""
    if not end(user, session_id):
        return False
    audit.record(user.shop_id, "user.sessions_end", actor=user, subject_user=user, new="1")
    return True


def of_user(user: User) -> list[LoginSession]:
    """The user's browsers that are still signed in, the most recently used first. Expired ones are dropped."""
    now = clock.now()
    rows = list(db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user.id)
                                   .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))
    return [row for row in rows if now < expires_at(row)]


def purge_expired(user: User) -> int:
    """Delete this user's browsers that are past their lifetime (done at each sign-in, so the table stays small)."""
    now = clock.now()
    return db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id,
        sa.or_(sa.and_(LoginSession.remember.is_(True), LoginSession.created_at < now - REMEMBERED),
               sa.and_(LoginSession.remember.is_(False), LoginSession.last_seen_at < now - IDLE)))).rowcount


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, system) as a person would name them, from a User-Agent header; None where unknown."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), None)
    system = next((name for marker, name in _SYSTEMS if marker in ua), None)
    return browser, system
