"""The SMTP receiver: shops point or forward mail at shop-<id>@MAIL_DOMAIN (or an alias), and it lands in intake.

Built on aiosmtpd. Unknown recipients get 550 at RCPT time, so the sending server bounces (nothing silently
dropped). A mail we cannot read is still accepted (250) because intake keeps it in the review list. Only two
answers refuse a mail we were given: 451 when the database is away (the sender retries later, and a retry will
work), and 554 when a mail could be kept nowhere, not even for review (a retry would fail the same way, so the
sender should learn it now rather than after days of retries).
"""
from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import Flask

from inbox.extensions import db
from inbox.services import intake, mailconfig

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
# RFC 5321 allows 1,000 characters a line, but real mail (and broken mailers) send longer header and body lines;
# refusing them with "500 Line too long" would bounce a customer's question over a formality.
MAX_LINE_BYTES = 1024 * 1024


class IntakeHandler:
    """aiosmtpd handler; the database work runs in a thread with an app context, off the event loop."""

    def __init__(self, app: Flask):
        self.app = app

    def _shop_id(self, address: str) -> int | None:
        with self.app.app_context():
            try:
                shop = mailconfig.shop_for_recipient(address)
                return shop.id if shop else None
            finally:
                db.session.remove()

    def _take_in(self, shop_ids: list[int], raw: bytes) -> list[intake.IntakeResult]:
        from inbox.models import Shop
        results = []
        with self.app.app_context():
            try:
                for shop_id in shop_ids:
                    results.append(intake.receive_email(db.session.get(Shop, shop_id), raw, source="smtp"))
            finally:
                db.session.remove()
        return results

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        try:
            shop_id = await loop.run_in_executor(None, self._shop_id, address)
        except Exception:  # noqa: BLE001 - the database is away: let the sender retry
            log.exception("recipient lookup failed")
            return "451 4.3.0 Temporary lookup failure, try again later"
        if shop_id is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.shop_ids = sorted(set(getattr(envelope, "shop_ids", [])) | {shop_id})
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(None, self._take_in, getattr(envelope, "shop_ids", []), raw)
        except intake.IntakeUnavailable:
            log.exception("intake unavailable: the sender will retry")
            return "451 4.3.0 Could not store the message now, try again later"
        except Exception as e:  # noqa: BLE001
            if intake.database_away(e):
                log.exception("intake unavailable: the sender will retry")
                return "451 4.3.0 Could not store the message now, try again later"
            log.exception("intake failed")
            return "554 5.3.0 The message could not be stored"
        log.info("received mail: %s", "; ".join(r.describe() for r in results))
        if any(not r.kept for r in results):
            # A resend to a shop that did keep it is a harmless duplicate; silence would lose it.
            return "554 5.6.0 The message could not be stored: " + next(r.reason for r in results if not r.kept)[:200]
        return "250 Message accepted"


def max_message_bytes(app: Flask) -> int:
    return int(app.config.get("MAIL_MAX_MESSAGE_BYTES") or DEFAULT_MAX_MESSAGE_BYTES)


class IntakeSMTP(SMTP):
    line_length_limit = MAX_LINE_BYTES


class IntakeController(Controller):
    def factory(self):
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)


def make_controller(app: Flask, host: str = "127.0.0.1", port: int = 2525) -> Controller:
    """An aiosmtpd controller (call .start() / .stop()); it listens in its own thread."""
    return IntakeController(IntakeHandler(app), hostname=host, port=port, data_size_limit=max_message_bytes(app),
                            ident="Seller Inbox", server_hostname=host)
