"""The outbound reply: threading headers, the ticket tag in the subject, a unique Message-ID."""
from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email import policy as _policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from inbox.mailparse.decode import as_utc, msg_ids
from inbox.mailparse.subjects import REPLY_PREFIX_RE, TAG_RE, find_ticket_tag, subject_tag

MAX_REFERENCES = 20


class _RawIdsHeader(str):
    """A header of message ids, folded only between ids.

    policy.default would turn a long id into RFC 2047 encoded words, which
    breaks threading; this header object folds itself."""

    name: str
    ids: list[str]

    def __new__(cls, name: str, ids: list[str]) -> _RawIdsHeader:
        obj = super().__new__(cls, " ".join(f"<{i}>" for i in ids))
        obj.name = name
        obj.ids = list(ids)
        return obj

    def __getnewargs__(self) -> tuple[str, list[str]]:  # type: ignore[override] - copy and pickle
        return (self.name, self.ids)

    def fold(self, *, policy: _policy.Policy) -> str:
        lines: list[str] = []
        cur = f"{self.name}:"
        for token in (f"<{i}>" for i in self.ids):
            if len(cur) + 1 + len(token) > 78 and cur != f"{self.name}:":
                lines.append(cur)
                cur = ""
            cur += " " + token
        lines.append(cur)
        return policy.linesep.join(lines) + policy.linesep


_BAD_HEADER_CHARS_RE = re.compile(r"[\r\n\x00]")
_PROTECTED_HEADERS = frozenset(
    {"from", "to", "subject", "message-id", "in-reply-to", "references", "date",
     "content-type", "content-transfer-encoding", "mime-version"}
)
_AUTO_SUBMITTED_VALUES = frozenset({"auto-replied", "auto-generated", "auto-notified"})


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", _BAD_HEADER_CHARS_RE.sub(" ", value or "")).strip()


def _bare_id(value: str) -> str:
    value = _one_line(str(value))
    ids = msg_ids(value)
    bare = ids[0] if ids else value.strip("<>").strip()
    if not bare or re.search(r"[\s<>]", bare):
        raise ValueError(f"invalid message id: {value!r}")
    return bare


def _address(name: str | None, addr: str) -> Address:
    addr = _one_line(addr)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or re.search(r"[\s<>(),;\"]", addr):
        raise ValueError(f"invalid e-mail address: {addr!r}")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    if not local.isascii():
        raise ValueError(f"non-ASCII local part needs SMTPUTF8: {addr!r}")
    return Address(display_name=_one_line(name or ""), username=local, domain=domain)


def _cte(body: str) -> str:
    """7bit when that is safe, else quoted-printable (never raw 8bit, which
    needs 8BITMIME on every hop)."""
    if body.isascii() and all(len(line) <= 78 for line in body.splitlines()):
        return "7bit"
    return "quoted-printable"


def reply_subject(subject: str, ticket_id: int) -> str:
    """``Re: <subject> [#id]``: one Re:, exactly one tag of this ticket."""
    tag = subject_tag(ticket_id)
    subject = _one_line(subject)
    if not (len(TAG_RE.findall(subject)) == 1 and find_ticket_tag(subject) == ticket_id):
        subject = _one_line(TAG_RE.sub(" ", subject))
        subject = f"{subject} {tag}".strip()
    if not REPLY_PREFIX_RE.match(subject):
        subject = f"Re: {subject}"
    return subject


def make_message_id(domain: str) -> str:
    """A new unique Message-ID like ``<inbox.18c2...9f3a@shop.example>``."""
    domain = _one_line(domain).strip(".").lower()
    if not domain or re.search(r"[\s<>@\[\]()\\,;:\"]", domain):
        raise ValueError(f"invalid domain for a message id: {domain!r}")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"<inbox.{time.time_ns():x}.{secrets.token_hex(10)}@{domain}>"


def build_reply(
    *,
    from_addr: str,
    from_name: str | None,
    to_addr: str,
    to_name: str | None,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    message_id: str,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    ticket_id: int,
    reply_to: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
    auto_submitted: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """The outbound reply, ready for SMTP.

    ``auto_submitted`` ("auto-replied" for an automatic acknowledgement)
    adds ``Auto-Submitted`` (RFC 3834) and asks Exchange not to answer it
    with an out-of-office; leave it None for replies a person wrote."""
    msg = EmailMessage(policy=_policy.default)
    msg["From"] = _address(from_name, from_addr)
    msg["To"] = _address(to_name, to_addr)
    if reply_to:
        msg["Reply-To"] = _address(None, reply_to)
    msg["Subject"] = reply_subject(subject, ticket_id)
    msg["Date"] = format_datetime(as_utc(date) if date else datetime.now(timezone.utc))
    msg["Message-ID"] = f"<{_bare_id(message_id)}>"

    # References: the parent's chain, then the parent itself (last, as
    # threading algorithms take the last reference as the parent)
    parent = _bare_id(in_reply_to) if in_reply_to else None
    if isinstance(references, str):  # a raw References header value
        references = [references]
    chain: list[str] = []
    for ref in references:
        for bare in msg_ids(str(ref)) or ([str(ref).strip()] if str(ref).strip() else []):
            if bare not in chain and bare != parent and not re.search(r"[\s<>]", bare):
                chain.append(bare)
    if parent:
        chain.append(parent)
        msg["In-Reply-To"] = _RawIdsHeader("In-Reply-To", [parent])
    if len(chain) > MAX_REFERENCES:  # keep the thread root and the newest ones
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1):]]
    if chain:
        msg["References"] = _RawIdsHeader("References", chain)

    if auto_submitted is not None:
        if auto_submitted not in _AUTO_SUBMITTED_VALUES:
            raise ValueError(f"Auto-Submitted must be one of {sorted(_AUTO_SUBMITTED_VALUES)}")
        msg["Auto-Submitted"] = auto_submitted
        msg["X-Auto-Response-Suppress"] = "All"

    for name, value in (extra_headers or {}).items():
        if name.lower() in _PROTECTED_HEADERS or not re.fullmatch(r"[!-9;-~]+", name):
            raise ValueError(f"header not allowed in extra_headers: {name!r}")
        del msg[name]
        msg[name] = _one_line(str(value))

    msg.set_content(body_text or "", subtype="plain", charset="utf-8", cte=_cte(body_text or ""))
    if body_html is not None:
        msg.add_alternative(body_html, subtype="html", charset="utf-8", cte=_cte(body_html))
    return msg
