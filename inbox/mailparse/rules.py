"""Recognising mail: our own address (loop guard), forwarding rules, the customer of a forwarded mail."""
from __future__ import annotations

import re
from collections.abc import Iterable
from email import policy as _policy
from email.parser import BytesParser
from email.utils import getaddresses

from inbox.mailparse.decode import addresses
from inbox.mailparse.parsed import ParsedMail
from inbox.mailparse.quotes import FORWARD_MARKER_RE, ORIGINAL_MESSAGE_RE


def is_from_own_address(parsed: ParsedMail, own_addresses: Iterable[str]) -> bool:
    """True when the mail was sent from one of our own addresses (loop guard).

    An entry starting with ``@`` matches a whole domain."""
    sender = (parsed.from_email or "").strip().lower()
    if not sender:
        return False
    domain = sender.rpartition("@")[2]
    for own in own_addresses:
        own = (own or "").strip().lower()
        if not own:
            continue
        if own.startswith("@") and domain == own[1:]:
            return True
        if sender == own:
            return True
    return False


def _pattern_matches(pattern: str, candidates: Iterable[str]) -> bool:
    pattern = pattern.strip().casefold()
    values = [c.casefold() for c in candidates if c]
    if any(ch in pattern for ch in "*?"):
        # a glob: only * and ? are special; everything else is literal
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
        rx = re.compile(regex, re.DOTALL)
        return any(rx.fullmatch(v) for v in values)
    return any(pattern in v for v in values)


def matches_rule(parsed: ParsedMail, sender_pattern: str | None, subject_pattern: str | None) -> bool:
    """Does the mail match a forwarding rule?

    Patterns are case-insensitive; with ``*``/``?`` a glob that must match
    the whole sender address (or "Name <address>") / subject, otherwise a
    substring.  Both given: both must match.  Neither: no match."""
    sender_pattern = (sender_pattern or "").strip() or None
    subject_pattern = (subject_pattern or "").strip() or None
    if sender_pattern is None and subject_pattern is None:
        return False
    if sender_pattern is not None:
        full = f"{parsed.from_name} <{parsed.from_email}>" if parsed.from_name else parsed.from_email
        if not _pattern_matches(sender_pattern, [parsed.from_email, full]):
            return False
    if subject_pattern is not None and not _pattern_matches(subject_pattern, [parsed.subject]):
        return False
    return True


_FWD_FROM_LINE_RE = re.compile(
    r"^\s*[>\s]*\*?(?:from|van|von|de|afzender|absender|exp[ée]diteur)\s*\*?\s*:\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)


def _address_in(value: str) -> tuple[str, str] | None:
    value = value.strip()
    # Outlook: "Jan Jansen [mailto:jan@example.nl]"
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value)
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = []
    for name, addr in pairs:
        if "@" in addr and "." in addr.rpartition("@")[2]:
            return name.strip().strip('"').strip(), addr.strip().lower()
    match = re.search(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+", value)
    if match:
        name = value[: match.start()].strip().strip("<(\"' ").strip()
        return name, match.group(0).lower()
    return None


def forwarded_customer(parsed: ParsedMail) -> tuple[str, str] | None:
    """The original customer of a forwarded mail, as (name, email).

    Looks at the "From:/Van:/Von:/De:" line of a forwarded block in the
    text (after a forward marker when there is one), then at a forwarded
    message attached as message/rfc822, then at Reply-To; never returns
    the forwarder itself."""
    forwarder = (parsed.from_email or "").lower()
    text = parsed.text or ""
    lines = text.split("\n")
    start = 0
    for i, line in enumerate(lines):
        if FORWARD_MARKER_RE.match(line) or ORIGINAL_MESSAGE_RE.match(line):
            start = i
            break
    for match in _FWD_FROM_LINE_RE.finditer("\n".join(lines[start:])):
        found = _address_in(match.group(1))
        if found and found[1] != forwarder:
            return found
    for att in parsed.attachments:
        if att.content_type == "message/rfc822" and att.data:
            inner = BytesParser(policy=_policy.compat32).parsebytes(att.data, headersonly=True)
            addrs = addresses(inner, "from")
            if addrs and addrs[0][1] != forwarder:
                return addrs[0]
    if parsed.reply_to and parsed.reply_to != forwarder:
        return parsed.reply_to_name, parsed.reply_to
    return None
