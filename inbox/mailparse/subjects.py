"""The ticket tag ``[#123]`` in subjects, and the reply and forward prefixes mail clients add."""
from __future__ import annotations

import re


TAG_RE = re.compile(r"\[\s*#\s*(\d{1,12})\s*\]")
REPLY_PREFIX_RE = re.compile(
    r"^\s*(?:re|aw|antw|antwoord|sv|vs|rif|r|odp|vá|ynt)\s*(?:\[\d+\]|\(\d+\))?\s*:", re.IGNORECASE
)
FORWARD_PREFIX_RE = re.compile(
    r"^\s*(?:fwd?|fw|doorst|wg|tr|rv|enc)\s*:", re.IGNORECASE
)


def subject_tag(ticket_id: int) -> str:
    """The tag put in the subject of every outbound mail: ``[#123]``."""
    if isinstance(ticket_id, bool) or int(ticket_id) < 0:
        raise ValueError(f"invalid ticket id: {ticket_id!r}")
    return f"[#{int(ticket_id)}]"


def find_ticket_tag(subject: str | None) -> int | None:
    """The ticket id of the first ``[#123]`` tag in *subject*, or None."""
    if not subject:
        return None
    match = TAG_RE.search(subject)
    return int(match.group(1)) if match else None
