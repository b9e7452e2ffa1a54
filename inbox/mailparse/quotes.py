"""Quoted history in a message: where the customer's new text ends and older mail begins.

The one detector of quoted text: `parse` folds the history away from what it stores as new, and the composer's
nudges (`inbox.nudges`) review only the newest part of a question. Standard library only, so `nudges` stays pure.
"""
from __future__ import annotations

import re


_ATTRIBUTION_RES = [
    re.compile(p, re.IGNORECASE | re.DOTALL)
    for p in (
        r"^on\b.{0,300}\bwrote\s*:$",                      # On Mon, ... Jan <j@x> wrote:
        r"^op\b.{0,300}\bschreef\b.{0,200}:$",              # Op ma 3 jun ... schreef Jan <j@x>:
        r"^op\b.{0,300}\bhet volgende geschreven\s*:$",     # Apple Mail NL
        r"^am\b.{0,300}\bschrieb\b.{0,200}:$",              # Am ... schrieb Jan:
        r"^le\b.{0,300}\ba\s+[ée]crit\s*:$",                # Le ... a écrit :
        r"^el\b.{0,300}\bescribi[óo]\s*:$",                 # El ... escribió:
        r"^il\b.{0,300}\bha scritto\s*:$",                  # Il ... ha scritto:
        r"^.{1,200}<[^<>\s]+@[^<>\s]+>\s+(?:wrote|schreef|schrieb|a écrit)\s*:$",
    )
]
ORIGINAL_MESSAGE_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|"
    r"urspr[üu]ngliche nachricht|message d['’]origine|mensaje original|messaggio originale)\s*-{2,}\s*$",
    re.IGNORECASE,
)
FORWARD_MARKER_RE = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|doorgestuurd bericht|weitergeleitete nachricht|"
    r"message transf[ée]r[ée]|mensaje reenviado|messaggio inoltrato)\s*-{2,}"
    r"|begin forwarded message\s*:|begin doorgestuurd bericht\s*:|anfang der weitergeleiteten nachricht\s*:"
    r"|d[ée]but du message r[ée]exp[ée]di[ée]\s*:)\s*$",
    re.IGNORECASE,
)
_HDR_FROM_RE = re.compile(r"^\s*\*?(?:from|van|von|de|afzender|absender|exp[ée]diteur)\s*\*?\s*:\s*\S", re.IGNORECASE)
_HDR_OTHER_RE = re.compile(
    r"^\s*\*?(?:sent|date|verzonden|datum|gesendet|envoy[ée]|to|aan|an|[àa]|subject|onderwerp|betreff|objet|cc)"
    r"\s*\*?\s*:",
    re.IGNORECASE,
)
_UNDERSCORE_RE = re.compile(r"^\s*_{10,}\s*$")


def _is_attribution(lines: list[str], i: int) -> int:
    """Number of lines (1-3) of an attribution starting at *i*, else 0."""
    joined = ""
    for n in range(3):
        if i + n >= len(lines):
            break
        part = lines[i + n].strip()
        if n and not part:
            break
        joined = (joined + " " + part).strip()
        if any(rx.match(joined) for rx in _ATTRIBUTION_RES):
            return n + 1
    return 0


def _is_header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style 'From: / Sent: / To: / Subject:' block at *i*."""
    if not _HDR_FROM_RE.match(lines[i]):
        return False
    others = sum(1 for line in lines[i + 1 : i + 6] if _HDR_OTHER_RE.match(line))
    return others >= 2


def split_quoted(text: str, *, is_forward: bool = False, is_reply: bool = True) -> tuple[str, str]:
    """Split *text* into (new text, quoted history).

    Reply quotes are folded away: attribution lines ("On … wrote:",
    "Op … schreef …:", "Am … schrieb …:", "Le … a écrit :") with the ``>``
    block after them, and other ``>`` lines; text under interleaved or
    bottom-posted quotes stays.  Outlook does not quote: its
    "-----Original Message-----" separator and "From:/Sent:/Subject:"
    header block end the new text when the mail *is_reply*; Outlook uses
    the same block for forwards, so with *is_forward* (or when the mail is
    not a reply at all) it is kept.  Forwarded content is the customer's
    question: nothing after a forward marker is folded.  If folding would
    leave nothing, the whole text is new text.
    """
    fold_outlook = is_reply and not is_forward
    lines = text.split("\n")
    new: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if FORWARD_MARKER_RE.match(line) and not ORIGINAL_MESSAGE_RE.match(line):
            new.extend(lines[i:])
            break
        if (
            ORIGINAL_MESSAGE_RE.match(line)
            or (_UNDERSCORE_RE.match(line) and i + 1 < len(lines) and _is_header_block(lines, i + 1))
            or _is_header_block(lines, i)
        ):
            (quoted if fold_outlook else new).extend(lines[i:])
            break
        n = _is_attribution(lines, i)
        if n:
            j = i + n
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j].lstrip().startswith(">"):
                quoted.extend(lines[i:j])
                i = j
                continue
            quoted.extend(lines[i:])  # top-posting without ">" prefixes
            break
        if line.lstrip().startswith(">"):
            quoted.append(line)
        else:
            new.append(line)
        i += 1
    new_text = re.sub(r"\n{3,}", "\n\n", "\n".join(new)).strip()
    quoted_text = "\n".join(quoted).strip()
    if not new_text:
        return text.strip(), ""
    return new_text, quoted_text
