"""Outgoing mail transport: SMTP when configured, else a local folder (a fresh install sends nothing by accident)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from inbox import clock


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def outbox_dir() -> Path:
    return Path(current_app.config.get("MAIL_OUTBOX_DIR") or Path(current_app.instance_path) / "mail-outbox")


def deliver(message: EmailMessage) -> str:
    """Hand one message to the SMTP server, or write it to the local outbox folder.

    :return: "sent" or "local".
    :raise smtplib.SMTPException, OSError: on failure; smtplib's 4xx/5xx tell temporary from permanent.
    """
    cfg = current_app.config
    if not smtp_configured():
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}-{abs(hash(message['Message-ID'])) % 10**8}.eml").write_bytes(bytes(message))
        return "local"
    tls = (cfg.get("SMTP_TLS") or "starttls").lower()  # starttls | ssl | none
    port = int(cfg.get("SMTP_PORT") or (465 if tls == "ssl" else 587 if tls == "starttls" else 25))
    context = ssl.create_default_context()
    if tls == "ssl":
        server = smtplib.SMTP_SSL(cfg["SMTP_HOST"], port, timeout=30, context=context)
    else:
        server = smtplib.SMTP(cfg["SMTP_HOST"], port, timeout=30)
    with server:
        if tls == "starttls":
            server.starttls(context=context)
        if cfg.get("SMTP_USER"):
            server.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        server.send_message(message)
    return "sent"


def system_message(*, to: str, subject: str, body: str, from_addr: str | None = None,
                   headers: dict | None = None) -> EmailMessage:
    """A plain mail from the app itself (invitations, the weekly warning)."""
    msg = EmailMessage()
    msg["From"] = from_addr or current_app.config.get("MAIL_FROM", "Seller Inbox <no-reply@localhost>")
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = clock.now()
    msg["Auto-Submitted"] = "auto-generated"
    msg["Message-ID"] = make_msgid(domain="seller-inbox.local")
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg


