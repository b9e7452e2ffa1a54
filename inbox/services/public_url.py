"""The address of Seller Inbox in e-mails: where a customer's question link, a rating link, a help-article link,
an invitation or the owner's weekly warning lead.

The owner sets it on Mail settings (`MailSettings.public_url`), asked for there once mail goes out; the operator's
INBOX_BASE_URL is the default for every shop that set none. Without either, a link made while a user's request is
served uses the address that browser reached; a mail built by the worker or cron has nothing to go by, which is why
the mail settings page warns while it is missing.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from inbox.extensions import db
from inbox.i18n import _
from inbox.models import MailSettings, Shop

MAX_LENGTH = 300


class BadAddress(ValueError):
    """Not an address a browser can open from a mail; the message says why."""


def normalise(text: str) -> str:
    """A public address as typed ("https://inbox.example.com/", "http://shop.example:8080/inbox") -> without the
    trailing slash, or BadAddress: http(s) only, a host, no user name, query or fragment."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
        parts.port   # raises on a port that is not a number
    except ValueError:
        raise BadAddress(_("This is not a web address.")) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadAddress(_("Enter a full web address starting with https:// (or http://), e.g. "
                           "https://inbox.example.com."))
    if parts.username or parts.password or parts.query or parts.fragment or any(c.isspace() for c in text):
        raise BadAddress(_("Only the address itself, without a user name, ?… or #…."))
    if len(text) > MAX_LENGTH:
        raise BadAddress(_("At most %(n)s characters.", n=MAX_LENGTH))
    return f"{parts.scheme.lower()}://{parts.netloc}{parts.path}".rstrip("/")


def of_installation() -> str | None:
    """INBOX_BASE_URL, when the operator set one."""
    value = (current_app.config.get("BASE_URL") or "").strip().rstrip("/")
    return value or None


def configured(shop: Shop | int) -> str | None:
    """The shop's own address, else INBOX_BASE_URL, else None: what mail sent from anywhere may link to."""
    shop_id = shop if isinstance(shop, int) else shop.id
    own = db.session.scalar(sa.select(MailSettings.public_url).where(MailSettings.shop_id == shop_id))
    return (own or "").rstrip("/") or of_installation()


def base_for(shop: Shop | int) -> str | None:
    """`configured`, else the address of the request being served (a mail queued by a user's click), else None."""
    return configured(shop) or (request.host_url.rstrip("/") if has_request_context() else None)


def absolute(shop: Shop | int, path: str) -> str | None:
    """`path` (from url_for) as a full address for a mail, or None when there is no address to put before it."""
    base = base_for(shop)
    return f"{base}{path}" if base else None


def missing_while_mail_goes_out(shop_id: int) -> bool:
    """Mail leaves through a server (the shop's own or INBOX_SMTP_HOST) and no address is set for its links: one
    small query, for the owner's banner on every page."""
    row = db.session.execute(sa.select(MailSettings.smtp_host, MailSettings.public_url)
                             .where(MailSettings.shop_id == shop_id)).first()
    smtp_host, own = row if row is not None else (None, None)
    return bool(smtp_host or current_app.config.get("SMTP_HOST")) and not own and of_installation() is None


def shops_without_address() -> list[str]:
    """The names of the shops whose e-mails have no address to link to (for the command line's warning)."""
    if of_installation() is not None:
        return []
    return list(db.session.scalars(
        sa.select(Shop.name).outerjoin(MailSettings, MailSettings.shop_id == Shop.id)
        .where(sa.or_(MailSettings.public_url.is_(None), MailSettings.public_url == "")).order_by(Shop.id)))
