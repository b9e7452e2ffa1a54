"""A shop's mail settings, with the app-wide defaults filled in: where mail comes in and how it leaves."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from inbox.extensions import db
from inbox.models import MailSettings, Shop, User
from inbox.services import audit

_SHOP_ADDRESS_RE = re.compile(r"^shop-(\d{1,12})$")


def settings_for(shop: Shop | int) -> MailSettings:
    """The shop's settings row; an unsaved one with defaults when the owner never saved the page."""
    shop_id = shop if isinstance(shop, int) else shop.id
    row = db.session.scalar(sa.select(MailSettings).where(MailSettings.shop_id == shop_id))
    return row or MailSettings(shop_id=shop_id, imap_security="ssl", imap_folder="INBOX", smtp_security="starttls",
                               send_on_reply=True, own_addresses="")


# What the owner types on the settings page; an empty field means its default.
TEXT_FIELDS = ("imap_host", "imap_security", "imap_user", "imap_folder", "imap_move_to", "inbound_alias",
               "from_address", "smtp_host", "smtp_security", "smtp_user", "marketplace_sender",
               "marketplace_subject", "own_addresses", "public_url")
_EMPTY_MEANS = {"imap_security": "ssl", "smtp_security": "ssl", "imap_folder": "INBOX", "own_addresses": ""}


def save_settings(shop: Shop, values: dict, *, by: User) -> list[str]:
    """Store the settings page: `values` by field name (text, ports, send_on_reply; a password only when typed,
    clear_<kind>_password to remove one). The changed fields' names go to the audit log, never a value: it must
    not hold a password. The caller commits.

    :return: the names of the fields that changed.
    """
    settings = settings_for(shop)
    if settings.id is None:
        db.session.add(settings)
    changed = []
    for name in TEXT_FIELDS:
        value = (values.get(name) or "").strip() or _EMPTY_MEANS.get(name)
        if getattr(settings, name) != value:
            setattr(settings, name, value)
            changed.append(name)
    for name in ("imap_port", "smtp_port", "send_on_reply"):
        if name == "send_on_reply" and name not in values:
            continue   # not offered (a worker sends, or INBOX_SEND_ON_REPLY decides): the shop's choice stays
        if getattr(settings, name) != values.get(name):
            setattr(settings, name, values.get(name))
            changed.append(name)
    for kind in ("imap", "smtp"):
        new_password = values.get(f"{kind}_password")
        if values.get(f"clear_{kind}_password"):
            setattr(settings, f"{kind}_password", None)
            changed.append(f"{kind}_password")
        elif new_password:
            setattr(settings, f"{kind}_password", new_password)
            changed.append(f"{kind}_password")
    if changed:
        audit.record(shop.id, "mail.settings", actor=by, field="mail", new=", ".join(changed))
    return changed


def mail_domain() -> str:
    return (current_app.config.get("MAIL_DOMAIN") or "inbox.localhost").lower()


def inbound_address(shop: Shop | int) -> str:
    """The address the SMTP receiver takes mail at for this shop (an alias may be added in the settings)."""
    shop_id = shop if isinstance(shop, int) else shop.id
    return f"shop-{shop_id}@{mail_domain()}"


def shop_for_recipient(address: str) -> Shop | None:
    """The shop an envelope recipient belongs to: shop-<id>@MAIL_DOMAIN, or a configured alias."""
    address = (address or "").strip().strip("<>").lower()
    local, _, domain = address.rpartition("@")
    if not local:
        return None
    match = _SHOP_ADDRESS_RE.match(local.split("+", 1)[0])
    if match and domain == mail_domain():
        return db.session.get(Shop, int(match.group(1)))
    shop_id = db.session.scalar(sa.select(MailSettings.shop_id).where(sa.func.lower(MailSettings.inbound_alias) == address))
    return db.session.get(Shop, shop_id) if shop_id else None


def from_address(shop: Shop, settings: MailSettings | None = None) -> str:
    """The address replies are sent from: the mail settings, else the shop's contact address, else MAIL_FROM."""
    settings = settings or settings_for(shop)
    if settings.from_address:
        return settings.from_address
    if shop.contact_email:
        return shop.contact_email
    configured = current_app.config.get("MAIL_FROM_ADDRESS")
    return configured or f"shop-{shop.id}@{mail_domain()}"


def own_addresses(shop: Shop, settings: MailSettings | None = None) -> list[str]:
    """Addresses that are us: mail from them is never acknowledged automatically (no mail loops)."""
    settings = settings or settings_for(shop)
    found = settings.own_address_list + [from_address(shop, settings), inbound_address(shop)]
    if settings.inbound_alias:
        found.append(settings.inbound_alias)
    if shop.contact_email:
        found.append(shop.contact_email)
    return [a.lower() for a in found if a]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # ssl | starttls | none
    user: str | None
    password: str | None
    origin: str  # "shop" or "app": where these came from, for the settings page


def smtp_server(shop: Shop) -> SmtpServer | None:
    """The outgoing server for the shop: its own settings, else INBOX_SMTP_*; None means the local folder."""
    settings = settings_for(shop)
    if settings.smtp_host:
        security = settings.smtp_security or "starttls"
        return SmtpServer(settings.smtp_host, settings.smtp_port or _default_port(security), security,
                          settings.smtp_user or None, settings.smtp_password or None, "shop")
    cfg = current_app.config
    if cfg.get("SMTP_HOST"):
        security = (cfg.get("SMTP_TLS") or "starttls").lower()
        return SmtpServer(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or _default_port(security)), security,
                          cfg.get("SMTP_USER") or None, cfg.get("SMTP_PASSWORD") or None, "app")
    return None


def _default_port(security: str) -> int:
    return {"ssl": 465, "starttls": 587}.get(security, 25)


def send_on_reply(shop: Shop) -> bool:
    """Deliver right after a reply is saved (in the background), instead of waiting for the worker."""
    setting = current_app.config.get("SEND_ON_REPLY")
    if setting is not None:
        return bool(setting)
    return bool(settings_for(shop).send_on_reply)
