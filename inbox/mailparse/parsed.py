"""What `parse` returns: the parsed mail and its attachments, or the reason it cannot be used."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class MailParseError(ValueError):
    """The message cannot be used; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Attachment:
    """A part of the mail kept as a file; a refused one (too big, dangerous) keeps its name and why, no data."""

    filename: str
    content_type: str
    size: int
    data: bytes  # b"" when rejected
    content_id: str | None = None
    rejected_reason: str | None = None
    inline: bool = False

    @property
    def rejected(self) -> bool:
        return self.rejected_reason is not None


@dataclass
class ParsedMail:
    """One inbound message as the app stores it: addresses, threading ids, the text split into new and quoted."""

    message_id: str
    message_id_missing: bool
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_name: str
    from_email: str
    to: list[str]
    cc: list[str]
    reply_to: str | None
    reply_to_name: str
    date: datetime
    text: str
    new_text: str
    quoted_text: str
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)
    auto_submitted: bool = False
    is_bounce: bool = False
    bounce_original_message_id: str | None = None
    bounce_reason: str | None = None
    ticket_tag: int | None = None
    content_hash: str = ""
    headers_size: int = 0
    language: str | None = None

    @property
    def accepted_attachments(self) -> list[Attachment]:
        return [a for a in self.attachments if a.rejected_reason is None]
