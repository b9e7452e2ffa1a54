"""E-mail in and out: per-shop mail settings, what came in (for dedupe), attachments, mail we could not read,
and where the IMAP fetcher stopped."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import SealedString, UTCDateTime, utcnow


class MailSettings(db.Model):
    """One row per shop, created on first save. Passwords are stored as given (the app needs them in clear
    to log in to the mail servers) and are never rendered back into a page."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), unique=True)

    # Inbound, IMAP.
    imap_host: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    imap_port: so.Mapped[int | None] = so.mapped_column()
    imap_security: so.Mapped[str] = so.mapped_column(sa.String(10), default="ssl")  # ssl | starttls | none
    imap_user: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    imap_password: so.Mapped[str | None] = so.mapped_column(SealedString(500))
    imap_folder: so.Mapped[str] = so.mapped_column(sa.String(200), default="INBOX")
    # Empty: fetched mail is marked \Seen and stays; else it is moved to this folder.
    imap_move_to: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # Inbound, SMTP receiver: an extra address (alias) that maps to this shop; shop-<id>@MAIL_DOMAIN always does.
    inbound_alias: so.Mapped[str | None] = so.mapped_column(sa.String(254), unique=True)

    # Outbound. No host: the app-wide INBOX_SMTP_* settings (or the local folder) are used.
    from_address: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    smtp_host: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    smtp_port: so.Mapped[int | None] = so.mapped_column()
    smtp_security: so.Mapped[str] = so.mapped_column(sa.String(10), default="starttls")  # ssl | starttls | none
    smtp_user: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    smtp_password: so.Mapped[str | None] = so.mapped_column(SealedString(500))
    send_on_reply: so.Mapped[bool] = so.mapped_column(default=True)
    # Where links in e-mails lead (services/public_url.py): empty means INBOX_BASE_URL.
    public_url: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    # Marketplace forwarding rule: mail matching it is a question forwarded by the marketplace.
    marketplace_sender: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    marketplace_subject: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    # Our own addresses, one per line ("@shop.example" for a whole domain): never auto-acknowledged.
    own_addresses: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def own_address_list(self) -> list[str]:
        return [line.strip().lower() for line in (self.own_addresses or "").splitlines() if line.strip()]


class InboundMail(db.Model):
    """Every mail taken in, once. The unique key (shop, Message-ID or content hash) is what makes two
    concurrent intakes of the same mail end with one message: the second insert fails and is a duplicate."""

    __table_args__ = (sa.UniqueConstraint("shop_id", "dedupe_key", name="uq_inbound_mail_shop_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(320))
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    outcome: so.Mapped[str] = so.mapped_column(sa.String(16))  # new | threaded | bounce | ignored
    source: so.Mapped[str] = so.mapped_column(sa.String(16))  # imap | smtp | import | retry
    # The quoted history folded away from the message body, shown on demand in the thread.
    quoted_text: so.Mapped[str | None] = so.mapped_column(sa.Text, deferred=True)
    # The message exactly as it arrived (staff download it from the thread): what the stored fields had to lose
    # to fit the database (a control character, the end of an over-long name) is still here. None before 2026-12.
    raw: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class MailAttachment(db.Model):
    """A file on a message: one that came with a customer's mail, or one the shop sent with a reply or kept on a
    note (services/uploads). Kept in the database: transactional with its message, seen by every app server, and
    removed with the shop. A customer's file over the limits is listed (name, size, why) without its data."""

    __tablename__ = "mail_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"), index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(127))
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    data: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    rejected_reason: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    inline: so.Mapped[bool] = so.mapped_column(default=False)
    # A small JPEG or PNG of an image the shop sent (services/uploads.thumbnail); None for other files.
    thumbnail: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class QuarantinedMail(db.Model):
    """A mail we could not read, kept raw so nothing is lost; the owner retries, downloads or deletes it."""

    __tablename__ = "quarantined_mail"
    __table_args__ = (sa.Index("ix_quarantined_mail_shop", "shop_id", "received_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    raw: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    error: so.Mapped[str] = so.mapped_column(sa.Text)
    subject_hint: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    source: so.Mapped[str] = so.mapped_column(sa.String(16))
    attempts: so.Mapped[int] = so.mapped_column(default=1)
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class ImapCursor(db.Model):
    """Where fetching stopped: the last UID taken in, per shop, folder and UIDVALIDITY (a new UIDVALIDITY
    means the server renumbered the folder, so we start over and dedupe catches what we already have)."""

    __tablename__ = "imap_cursor"
    __table_args__ = (sa.UniqueConstraint("shop_id", "folder", name="uq_imap_cursor_shop_folder"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    folder: so.Mapped[str] = so.mapped_column(sa.String(200))
    uidvalidity: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    last_uid: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    last_fetch_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
