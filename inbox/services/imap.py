"""Fetching a shop's mailbox over IMAP, safely resumable.

Per message: fetch by UID (BODY.PEEK, so a crash leaves it unread), take it in (intake commits), move the
cursor to its UID and commit, then mark it \\Seen or move it. A crash between any two steps means the next run
fetches that message again, and intake's dedupe makes the repeat harmless: nothing is lost, nothing doubled.

One message can only affect itself: a mail intake could keep nowhere (not even in the review list) stays unread
on the server, the round goes on with the next one, and the cursor remembers the error for the settings page.
A shop whose round fails (server or database away) never stops the next shop's.
"""
from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass, field

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import ImapCursor, MailSettings, Shop
from inbox.services import intake, mailconfig

log = logging.getLogger(__name__)

class ImapError(Exception):
    pass


@dataclass
class FetchReport:
    shop_id: int
    results: list[intake.IntakeResult] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> bool:
        """The round stopped early, or a mail of it is kept nowhere: someone must look."""
        return self.error is not None or any(not r.kept for r in self.results)

    def summary(self) -> str:
        if self.error:
            done = f" (after {len(self.results)} taken in)" if self.results else ""
            return f"error: {self.error}{done}"
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing new"


def connect(settings: MailSettings, timeout: float = 30) -> imaplib.IMAP4:
    """A logged-in IMAP connection with the shop's settings."""
    security = settings.imap_security or "ssl"
    port = settings.imap_port or (993 if security == "ssl" else 143)
    context = ssl.create_default_context()
    if security == "ssl":
        conn = imaplib.IMAP4_SSL(settings.imap_host, port, ssl_context=context, timeout=timeout)
    else:
        conn = imaplib.IMAP4(settings.imap_host, port, timeout=timeout)
        if security == "starttls":
            conn.starttls(ssl_context=context)
    try:
        conn.login(settings.imap_user or "", settings.imap_password or "")
        # Servers announce more after login (MOVE, UIDPLUS); imaplib only keeps the greeting's list.
        typ, data = conn.capability()
        if typ == "OK" and data and data[0]:
            conn.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())
    except BaseException:
        conn.shutdown()
        raise
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(settings: MailSettings) -> str:
    """Log in and open the folder; returns how many messages it holds. :raise: the error, for the page to show."""
    conn = connect(settings, timeout=10)
    try:
        typ, data = conn.select(_quote(settings.imap_folder or "INBOX"), readonly=True)
        if typ != "OK":
            raise ImapError(f"cannot open folder {settings.imap_folder!r}: {data[0]!r}")
        return data[0].decode()
    finally:
        conn.logout()


def cursors(shop_id: int) -> list[ImapCursor]:
    """Where fetching stands in each of the shop's folders (and its last error), for the settings page."""
    return list(db.session.scalars(sa.select(ImapCursor).where(ImapCursor.shop_id == shop_id)))


def configured_shops() -> list[tuple[Shop, MailSettings]]:
    rows = db.session.execute(sa.select(Shop, MailSettings).join(MailSettings, MailSettings.shop_id == Shop.id)
                              .where(MailSettings.imap_host.is_not(None), MailSettings.imap_host != "")
                              .order_by(Shop.id))   # each round in the same order (PostgreSQL's join has none)
    return [(shop, settings) for shop, settings in rows]


def fetch_all(limit: int = 500) -> list[FetchReport]:
    return [fetch_shop(shop, settings, limit=limit) for shop, settings in configured_shops()]


def fetch_shop(shop: Shop, settings: MailSettings | None = None, *, limit: int = 500) -> FetchReport:
    """Fetch new mail of one shop; errors are reported (and remembered on the cursor), never raised."""
    settings = settings or mailconfig.settings_for(shop)
    report = FetchReport(shop.id)
    folder = settings.imap_folder or "INBOX"
    try:
        conn = connect(settings)
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as e:
        report.error = f"cannot connect to {settings.imap_host}: {e}"
        _remember_error(shop.id, folder, report.error)
        return report
    try:
        _fetch_folder(conn, shop, settings, folder, report, limit)
    except (OSError, imaplib.IMAP4.error, ImapError) as e:
        db.session.rollback()
        report.error = str(e)
        _remember_error(shop.id, folder, report.error)
    except intake.IntakeUnavailable as e:
        db.session.rollback()
        report.error = f"the database is unavailable ({e}); the rest is fetched next round"
        _remember_error(shop.id, folder, report.error)
    except Exception as e:  # noqa: BLE001 - one shop's failure must not stop the next shop's round
        db.session.rollback()
        log.exception("IMAP fetch for shop %s failed", shop.id)
        report.error = f"{e.__class__.__name__}: {e}"
        _remember_error(shop.id, folder, report.error)
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report


def _fetch_folder(conn, shop, settings, folder, report, limit) -> None:
    typ, data = conn.select(_quote(folder))
    if typ != "OK":
        raise ImapError(f"cannot open folder {folder!r}")
    _typ, resp = conn.response("UIDVALIDITY")
    uidvalidity = int(resp[0]) if resp and resp[0] and resp[0].isdigit() else 0
    cursor = db.session.scalar(sa.select(ImapCursor).where(ImapCursor.shop_id == shop.id, ImapCursor.folder == folder))
    if cursor is None:
        cursor = ImapCursor(shop_id=shop.id, folder=folder, uidvalidity=uidvalidity, last_uid=0)
        db.session.add(cursor)
    elif cursor.uidvalidity != uidvalidity:
        # The server renumbered the folder: start over; intake's dedupe skips what we already have.
        cursor.uidvalidity, cursor.last_uid = uidvalidity, 0
    cursor.last_error = None
    db.session.commit()

    typ, data = conn.uid("SEARCH", None, f"UID {cursor.last_uid + 1}:*")
    if typ != "OK":
        raise ImapError(f"search failed: {data!r}")
    # "n:*" also answers the highest UID when it is below n, so filter.
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > cursor.last_uid)[:limit]
    can_move = "MOVE" in conn.capabilities
    problems: list[str] = []
    for uid in uids:
        typ, parts = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None) if typ == "OK" else None
        if raw is None:
            continue  # expunged meanwhile
        result = intake.receive_email(shop, raw, source="imap")
        report.results.append(result)
        cursor = db.session.get(ImapCursor, cursor.id)
        cursor.last_uid, cursor.last_fetch_at = uid, clock.now()
        if not result.kept:
            # Left unread on the server for a person to look at; the cursor moves on so the round does not
            # stall on it, and says which one it was.
            problems.append(f"message UID {uid} could not be kept: {result.reason}")
            cursor.last_error = "; ".join(problems)[:2000]
        db.session.commit()
        if result.kept:
            _dispose(conn, uid, settings.imap_move_to, can_move)
    cursor = db.session.get(ImapCursor, cursor.id)
    cursor.last_fetch_at = clock.now()
    db.session.commit()
    if settings.imap_move_to and uids and not can_move:
        conn.expunge()


def _dispose(conn, uid: int, move_to: str | None, can_move: bool) -> None:
    """Mark the fetched message read, or move it out of the way."""
    if move_to:
        if can_move:
            conn.uid("MOVE", str(uid), _quote(move_to))
            return
        typ, _ = conn.uid("COPY", str(uid), _quote(move_to))
        if typ == "OK":
            conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        return
    conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")


def _remember_error(shop_id: int, folder: str, error: str) -> None:
    log.warning("IMAP fetch for shop %s: %s", shop_id, error)
    try:
        cursor = db.session.scalar(sa.select(ImapCursor).where(ImapCursor.shop_id == shop_id,
                                                               ImapCursor.folder == folder))
        if cursor is not None:
            cursor.last_error = error[:2000]
            db.session.commit()
    except Exception:  # noqa: BLE001 - with the database away the log line above is all we can keep
        db.session.rollback()
        log.exception("could not record the IMAP error of shop %s", shop_id)
