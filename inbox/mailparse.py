"""The pure e-mail layer: parse inbound mail, build outbound replies.

No Flask, no database, no network.  :func:`parse` turns the raw bytes of a
message into a :class:`ParsedMail` the app stores; :func:`build_reply`
makes the outbound :class:`~email.message.EmailMessage` with the threading
headers (Message-ID, In-Reply-To, References) and the ticket tag ``[#id]``
in the subject that tie the customer's next mail back to the ticket.

Parsing is lenient the way a real mail client is (unknown charsets, broken
base64, 8-bit headers, missing Content-Type, CRLF or LF ...) and strict only
where the message is unusable; then :class:`MailParseError` is raised.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import html as _html
import io
import mimetypes
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy as _policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from inbox.sanitize import clean_html

__all__ = [
    "Attachment",
    "MailParseError",
    "ParsedMail",
    "build_reply",
    "decode_text",
    "decode_words",
    "find_ticket_tag",
    "forwarded_customer",
    "html_to_text",
    "is_from_own_address",
    "make_message_id",
    "matches_rule",
    "parse",
    "reply_subject",
    "split_quoted",
    "subject_tag",
]

MB = 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * MB
DEFAULT_MAX_TOTAL_BYTES = 25 * MB
DEFAULT_MAX_HEADER_BYTES = 256 * 1024
MAX_REFERENCES = 20

DANGEROUS_EXTENSIONS = frozenset(
    {
        ".exe", ".js", ".jse", ".bat", ".scr", ".vbs", ".vbe", ".cmd", ".msi",
        ".com", ".pif", ".hta", ".cpl", ".wsf", ".wsh", ".ps1", ".lnk", ".jar",
        ".reg", ".msc", ".dll", ".scf",
    }
)
DANGEROUS_CONTENT_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/x-ms-installer",
        "application/x-msi",
        "application/hta",
    }
)


class MailParseError(ValueError):
    """The message cannot be used; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Attachment:
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


# ---------------------------------------------------------------------------
# charsets and encoded words

_CHARSET_ALIASES = {
    # what mail clients actually mean (WHATWG encoding standard)
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-roman": "mac-roman",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
# names codecs.lookup() knows but that are not charsets of text in a mail
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "undefined", "mbcs", "oem"}
)


def _lookup_charset(charset: str | None) -> str | None:
    if not charset:
        return None
    name = str(charset).strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode *data* like a forgiving mail client.

    The declared charset first; then UTF-8; then, when nothing decodes
    cleanly, UTF-8 with replacement characters if the bytes are mostly
    valid UTF-8 (a damaged UTF-8 text), else Windows-1252/Latin-1 (a legacy
    8-bit text mislabelled or labelled with an unknown charset)."""
    if not data:
        return ""
    declared = _lookup_charset(charset)
    for candidate in (declared, "utf-8"):
        if candidate:
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                pass
    if declared and declared not in ("utf-8", "ascii"):
        return data.decode(declared, errors="replace")
    replaced = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in replaced):
        return replaced
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _recover_8bit(value: str) -> str:
    """Header strings from the parser carry raw 8-bit bytes as surrogates."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return decode_text(value.encode("ascii", "surrogateescape"), "utf-8")
    return value


_EW = r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?="
_EW_RE = re.compile(_EW)
_EW_RUN_RE = re.compile(rf"{_EW}(?:[ \t]*{_EW})*")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def decode_words(value: str | None) -> str:
    """Decode RFC 2047 encoded words (any charset) and raw 8-bit text.

    Adjacent encoded words in the same charset are decoded together, so a
    multi-byte character split over two words survives."""
    if not value:
        return ""
    value = _recover_8bit(_unfold(str(value)))
    if not _EW_RE.search(value):
        return _CTRL_RE.sub("", value).strip()
    out: list[str] = []
    pos = 0
    for run in _EW_RUN_RE.finditer(value):
        out.append(value[pos : run.start()])
        pending = b""
        pending_cs = None
        for word in _EW_RE.findall(run.group(0)):
            charset, data = _decode_one_word(word)
            if pending and charset != pending_cs:
                out.append(decode_text(pending, pending_cs))
                pending = b""
            pending += data
            pending_cs = charset
        if pending:
            out.append(decode_text(pending, pending_cs))
        pos = run.end()
    out.append(value[pos:])
    return _CTRL_RE.sub("", "".join(out)).strip()


def _decode_one_word(word: str) -> tuple[str, bytes]:
    """(charset, bytes) of one ``=?charset?Q|B?text?=`` word."""
    _, charset, enc, text = word.split("?", 4)[:4]
    charset = charset.split("*", 1)[0].lower()  # RFC 2231 language: utf-8*nl
    if enc.lower() == "b":
        return charset, _lenient_b64(text.encode("ascii", "ignore"))
    raw = text.replace("_", " ").encode("utf-8", "replace")
    return charset, re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def _lenient_b64(data: bytes) -> bytes:
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    data += b"=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


# ---------------------------------------------------------------------------
# headers

def _raw_headers(msg: Message, name: str) -> list[str]:
    lname = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == lname]


def _raw_header(msg: Message, name: str) -> str | None:
    values = _raw_headers(msg, name)
    return _unfold(values[0]) if values else None


_MSGID_RE = re.compile(r"<\s*([^<>\s]+?)\s*>")


def _msg_ids(value: str | None) -> list[str]:
    if not value:
        return []
    value = _recover_8bit(_unfold(value))
    ids = _MSGID_RE.findall(value)
    if not ids:  # some clients forget the brackets
        ids = [tok.strip("<>,;") for tok in value.split() if "@" in tok]
    out: list[str] = []
    for i in ids:
        i = i.strip()
        if i and i not in out:
            out.append(i)
    return out


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = [_recover_8bit(_unfold(v)) for v in _raw_headers(msg, name)]
    if not values:
        return []
    result: list[tuple[str, str]] = []
    try:
        pairs = getaddresses(values)
    except Exception:  # noqa: BLE001
        pairs = []
    for display, addr in pairs:
        addr = addr.strip().strip("<>").strip()
        if "@" in addr:
            result.append((decode_words(display).strip().strip('"').strip(), addr.lower()))
    if not result:  # unparseable: fall back to anything shaped like an address
        for value in values:
            decoded = decode_words(value)
            for addr in re.findall(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+", decoded):
                name_part = decoded.split("<", 1)[0].strip().strip('"').strip() if "<" in decoded else ""
                result.append((name_part, addr.lower()))
    return result


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(_recover_8bit(_unfold(value)).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


# ---------------------------------------------------------------------------
# subject tags

_TAG_RE = re.compile(r"\[\s*#\s*(\d{1,12})\s*\]")
_REPLY_PREFIX_RE = re.compile(
    r"^\s*(?:re|aw|antw|antwoord|sv|vs|rif|r|odp|vá|ynt)\s*(?:\[\d+\]|\(\d+\))?\s*:", re.IGNORECASE
)
_FORWARD_PREFIX_RE = re.compile(
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
    match = _TAG_RE.search(subject)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------------
# HTML to text

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "dl", "dt", "dd", "address", "center", "form"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "xml"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.depth = 0
        self.skip = 0
        self.pre = 0

    def _flush(self, force: bool = False) -> None:
        line = "".join(self.cur)
        if not self.pre:
            line = re.sub(r"[ \t\r\n\f\xa0]+", " ", line).strip()
        if line or force:
            self.lines.append(("> " * self.depth) + line if line else ">" * self.depth)
        self.cur = []

    def _blank(self) -> None:
        self._flush()
        if not self.lines:
            return
        last = self.lines[-1]
        if last.strip("> ") == "":  # already blank: keep the shallower quote level
            self.lines[-1] = ">" * min(last.count(">"), self.depth)
        else:
            self.lines.append(">" * self.depth)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self._flush(force=True)
        elif tag == "blockquote":
            self._blank()
            self.depth += 1
        elif tag == "li":
            self._flush()
            self.cur.append("- ")
        elif tag == "p":
            self._blank()
        elif tag in ("td", "th"):
            if self.cur:
                self.cur.append(" ")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._flush(force=True)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self._flush()
            self.depth = max(0, self.depth - 1)
            self._blank()
        elif tag == "p":
            self._blank()
        elif tag in _BLOCK_TAGS or tag == "li":
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            parts = data.replace("\r\n", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush(force=True)
                self.cur.append(part)
        else:
            self.cur.append(data)

    def text(self) -> str:
        self._flush()
        out = "\n".join(line.rstrip() for line in self.lines)
        out = re.sub(r"\n{3,}", "\n\n", out)
        return out.replace("\xa0", " ").strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text of *html*; blockquotes become ``> `` quotes."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but never fail here
        return re.sub(r"<[^>]*>", " ", _html.unescape(html)).strip()
    return parser.text()


# ---------------------------------------------------------------------------
# format=flowed (RFC 3676)

def _unflow(text: str, delsp: bool) -> str:
    out: list[str] = []
    buf: str | None = None
    buf_depth = -1
    for line in text.split("\n"):
        stripped = line.lstrip(">")
        depth = len(line) - len(stripped)
        if stripped.startswith(" "):
            stripped = stripped[1:]  # space-stuffing
        soft = stripped.endswith(" ") and stripped != "-- "
        if delsp and soft:
            stripped = stripped[:-1]
        if buf is not None and depth == buf_depth:
            buf += stripped
        else:
            if buf is not None:
                out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf, buf_depth = stripped, depth
        if not soft:
            out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf = None
    if buf is not None:
        out.append((">" * buf_depth + " " if buf_depth else "") + buf)
    return "\n".join(out)


# ---------------------------------------------------------------------------
# quote folding

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
_ORIGINAL_MESSAGE_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|"
    r"urspr[üu]ngliche nachricht|message d'origine|mensaje original|messaggio originale)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_MARKER_RE = re.compile(
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
        if _FORWARD_MARKER_RE.match(line) and not _ORIGINAL_MESSAGE_RE.match(line):
            new.extend(lines[i:])
            break
        if (
            _ORIGINAL_MESSAGE_RE.match(line)
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


# ---------------------------------------------------------------------------
# MIME walking

@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    dsn_blocks: list[dict[str, str]] = field(default_factory=list)
    is_report: bool = False
    report_type: str = ""
    original_headers: list[Message] = field(default_factory=list)
    total: int = 0


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, str):
            data = payload.encode("ascii", "surrogateescape")
        else:
            data = b""
    if isinstance(data, str):  # pragma: no cover - defensive
        data = data.encode("utf-8", "surrogateescape")
    return data


def _part_text(part: Message) -> str:
    data = _payload_bytes(part)
    charset = part.get_content_charset()
    if not charset and part.get_content_type() == "text/html":
        meta = _META_CHARSET_RE.search(data[:4096])
        if meta:
            charset = meta.group(1).decode("ascii", "ignore")
    text = decode_text(data, charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if part.get_content_type() == "text/plain" and str(part.get_param("format") or "").lower() == "flowed":
        text = _unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
    return text


def _filename(part: Message) -> str | None:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        try:
            value = part.get_param(param, header=header)
        except Exception:  # noqa: BLE001
            value = None
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            charset, _lang, text = value
            try:
                raw = str(text).encode("raw-unicode-escape")
            except UnicodeEncodeError:
                raw = str(text).encode("utf-8", "surrogateescape")
            name = decode_text(raw, charset or "utf-8")
        else:
            name = decode_words(str(value))
        name = name.strip().strip('"')
        if name:
            return name
    return None


def _safe_filename(name: str | None, content_type: str) -> str:
    if name:
        name = _CTRL_RE.sub("", name.replace("\t", " "))
        name = re.split(r"[\\/]", name)[-1].strip().lstrip(".").strip()
    if not name:
        ext = mimetypes.guess_extension(content_type, strict=False) or ".bin"
        ext = {"message/rfc822": ".eml", "message/delivery-status": ".txt",
               "text/rfc822-headers": ".txt"}.get(content_type, ext)
        name = "attachment" + ext
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def _dangerous(filename: str, content_type: str) -> bool:
    low = filename.lower().rstrip(". ")
    ext = "." + low.rsplit(".", 1)[-1] if "." in low else ""
    return ext in DANGEROUS_EXTENSIONS or content_type in DANGEROUS_CONTENT_TYPES


def _message_bytes(msg: Message) -> bytes:
    buf = io.BytesIO()
    try:
        BytesGenerator(buf, mangle_from_=False, policy=_policy.compat32).flatten(msg)
        return buf.getvalue()
    except Exception:  # noqa: BLE001
        try:
            return msg.as_string(policy=_policy.compat32).encode("utf-8", "surrogateescape")
        except Exception:  # noqa: BLE001
            return b""


def _add_attachment(part: Message, coll: _Collected, data: bytes, limits: tuple[int, int]) -> None:
    max_one, max_total = limits
    ctype = part.get_content_type()
    name = _filename(part)
    if not name and ctype == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = decode_words(_raw_header(inner, "subject")) if inner is not None else ""
        name = (re.sub(r"[^\w .,()&+-]", "_", subject)[:100].strip() or "forwarded-message") + ".eml"
    filename = _safe_filename(name, ctype)
    cid = part.get("content-id")
    content_id = None
    if cid:
        ids = _msg_ids(str(cid)) or [str(cid).strip().strip("<>")]
        content_id = ids[0] or None
    disposition = (part.get_content_disposition() or "").lower()
    inline = disposition == "inline" or (not disposition and content_id is not None)
    size = len(data)
    reason = None
    if _dangerous(filename, ctype):
        reason = f"dangerous file type ({filename.rsplit('.', 1)[-1].lower() if '.' in filename else ctype})"
    elif size > max_one:
        reason = f"too large ({size / MB:.1f} MB, limit {max_one / MB:g} MB)"
    elif coll.total + size > max_total:
        reason = f"total attachment size over {max_total / MB:g} MB"
    if reason is None:
        coll.total += size
    coll.attachments.append(
        Attachment(
            filename=filename,
            content_type=ctype,
            size=size,
            data=data if reason is None else b"",
            content_id=content_id,
            rejected_reason=reason,
            inline=inline,
        )
    )


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    payload = part.get_payload()
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): decode_words(str(v)) for k, v in block.raw_items()})
    else:
        text = decode_text(_payload_bytes(part), "utf-8")
        for chunk in re.split(r"\r?\n\s*\r?\n", text):
            fields: dict[str, str] = {}
            for line in _unfold(chunk.replace("\r\n", "\n").replace("\n", "\r\n")
                                .replace("\r\n ", " ").replace("\r\n\t", " ")).split("\r\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
            if fields:
                blocks.append(fields)
    return blocks


def _walk(part: Message, coll: _Collected, limits: tuple[int, int], depth: int = 0) -> None:
    if depth > 30:
        return
    ctype = part.get_content_type()
    maintype = ctype.split("/", 1)[0]
    if ctype == "multipart/report":
        coll.is_report = True
        coll.report_type = str(part.get_param("report-type") or "").lower()
    if ctype == "message/delivery-status":
        coll.dsn_blocks.extend(_dsn_blocks(part))
        _add_attachment(part, coll, _payload_bytes(part) if not part.is_multipart()
                        else _message_bytes(part).split(b"\n\n", 1)[-1], limits)
        return
    if ctype in ("message/rfc822", "message/global") and part.is_multipart():
        inner = part.get_payload(0)
        if isinstance(inner, Message):
            coll.original_headers.append(inner)
            _add_attachment(part, coll, _message_bytes(inner), limits)
        return
    if part.is_multipart():
        children = part.get_payload()
        for child in children:
            if isinstance(child, Message):
                _walk(child, coll, limits, depth + 1)
        return
    if ctype == "text/rfc822-headers":
        text = _part_text(part)
        coll.original_headers.append(HeaderParser(policy=_policy.compat32).parsestr(text.lstrip()))
        _add_attachment(part, coll, _payload_bytes(part), limits)
        return
    disposition = (part.get_content_disposition() or "").lower()
    has_name = _filename(part) is not None
    is_body_candidate = (
        (ctype in ("text/plain", "text/html") or maintype == "multipart")
        and disposition != "attachment"
        and not has_name
    )
    if is_body_candidate:
        text = _part_text(part)
        (coll.html if ctype == "text/html" else coll.plain).append(text)
        return
    _add_attachment(part, coll, _payload_bytes(part), limits)


# ---------------------------------------------------------------------------
# parse

_KNOWN_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
     "mime-version", "content-type", "sender", "reply-to", "delivered-to", "in-reply-to",
     "references", "x-mailer", "user-agent", "dkim-signature", "content-transfer-encoding"}
)
_BOUNCE_SENDER_RE = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)


def _split_header_section(raw: bytes) -> tuple[bytes, int]:
    """(header section, its size) - up to the first empty line."""
    m = re.search(rb"\r?\n\r?\n", raw)
    head = raw[: m.start()] if m else raw
    return head, len(head)


def _is_auto_submitted(msg: Message) -> bool:
    auto = (_raw_header(msg, "auto-submitted") or "").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        return True
    precedence = (_raw_header(msg, "precedence") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return True
    for name in ("x-autoreply", "x-autorespond", "x-autogenerated", "x-mail-autoreply", "list-id"):
        value = _raw_header(msg, name)
        if value is not None and value.strip().lower() not in ("no", "false"):
            return True
    return any(rp.strip() == "<>" for rp in _raw_headers(msg, "return-path"))


def _bounce_info(coll: _Collected, text: str) -> tuple[str | None, str | None, bool]:
    """(original message id, short reason, failed?) of a bounce."""
    original: str | None = None
    for block in coll.dsn_blocks:
        ids = _msg_ids(block.get("original-message-id"))
        if ids:
            original = ids[0]
            break
    if original is None:
        for headers in coll.original_headers:
            ids = _msg_ids(_raw_header(headers, "message-id"))
            if ids:
                original = ids[0]
                break
    if original is None:
        match = re.search(r"^\s*message-id:\s*(<[^<>\s]+>)", text, re.IGNORECASE | re.MULTILINE)
        if match:
            original = _msg_ids(match.group(1))[0]
    actions = [b["action"].lower() for b in coll.dsn_blocks if b.get("action")]
    # a DSN that only says "delayed" or "delivered" is no bounce
    failed = not actions or "failed" in actions
    reason = None
    recipients = [b for b in coll.dsn_blocks if b.get("action") or b.get("status") or b.get("diagnostic-code")]
    recipients.sort(key=lambda b: b.get("action", "").lower() != "failed")
    for block in recipients[:1]:
        status = block.get("status", "")
        diag = re.sub(r"^\s*smtp\s*;\s*", "", block.get("diagnostic-code", ""), flags=re.IGNORECASE)
        reason = " ".join(b for b in (status, diag or block.get("action", "")) if b)
    if reason is None:
        match = re.search(
            r"^.*(?:user unknown|does not exist|mailbox (?:unavailable|full|not found)|no such user|no mailbox|"
            r"recipient address rejected|unknown user|quota exceeded|undeliverable|"
            r"could not be delivered|niet worden bezorgd|unzustellbar).*$",
            text, re.IGNORECASE | re.MULTILINE,
        )
        if match:
            reason = match.group(0).strip()
    if reason is None:
        match = re.search(r"^.*\b[45]\.\d{1,3}\.\d{1,3}\b.*$", text, re.MULTILINE)
        if match:
            reason = match.group(0).strip()
    if reason:
        reason = re.sub(r"\s+", " ", reason).strip()
        reason = reason if len(reason) <= 200 else reason[:199] + "\u2026"
    return original, reason, failed


def _content_hash(pm_from: str, subject: str, date_header: str | None, text: str, html: str | None,
                  attachments: list[Attachment]) -> str:
    h = hashlib.sha256()
    for piece in (pm_from, re.sub(r"\s+", " ", subject).strip().lower(), date_header or ""):
        h.update(piece.encode("utf-8", "surrogatepass") + b"\0")
    body = text if text.strip() else (html or "")
    h.update(re.sub(r"\s+", " ", body).strip().encode("utf-8", "surrogatepass") + b"\0")
    for att in sorted(attachments, key=lambda a: (a.filename, a.size)):
        h.update(f"{att.filename}\0{att.content_type}\0{att.size}\0".encode("utf-8", "surrogatepass"))
        if att.data:
            h.update(hashlib.sha256(att.data).digest())
    return h.hexdigest()


def parse(
    raw: bytes,
    *,
    received_at: datetime | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
) -> ParsedMail:
    """Parse the raw bytes of one inbound message.

    Raises :class:`MailParseError` (and nothing else) when the message
    cannot be used."""
    try:
        return _parse(raw, received_at, max_attachment_bytes, max_total_bytes, max_header_bytes)
    except MailParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug on some odd mail must not crash the fetcher
        raise MailParseError(f"undecodable message ({exc.__class__.__name__}: {exc})") from exc


def _parse(
    raw: bytes,
    received_at: datetime | None,
    max_attachment_bytes: int,
    max_total_bytes: int,
    max_header_bytes: int,
) -> ParsedMail:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    # an mbox "From " separator line and stray leading blank lines
    if raw.startswith(b"From ") and b":" not in raw.split(b"\n", 1)[0].split(b" ", 2)[1]:
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    raw = raw.lstrip(b"\r\n")
    if not raw.strip():
        raise MailParseError("empty message")

    head, headers_size = _split_header_section(raw)
    if headers_size > max_header_bytes:
        raise MailParseError(f"headers too large: {headers_size} bytes (limit {max_header_bytes})")
    # control bytes other than tab, CR, LF and ESC (ISO-2022-JP) mean binary data
    if sum(1 for b in head if b < 9 or 13 < b < 32 and b != 27 or b == 127) > max(8, len(head) // 20):
        raise MailParseError("binary data in the headers")

    try:
        msg = BytesParser(policy=_policy.default).parsebytes(raw)
        coll = _collect(msg, (max_attachment_bytes, max_total_bytes))
    except MailParseError:
        raise
    except Exception:  # noqa: BLE001 - policy.default trips on some broken headers
        msg = BytesParser(policy=_policy.compat32).parsebytes(raw)
        try:
            coll = _collect(msg, (max_attachment_bytes, max_total_bytes))
        except Exception as exc:  # noqa: BLE001
            raise MailParseError(f"undecodable message: {exc.__class__.__name__}") from exc

    names = {k.lower() for k in msg.keys()}
    if not names & _KNOWN_HEADERS:
        raise MailParseError("no parseable headers")

    subject = decode_words(_raw_header(msg, "subject"))
    subject = re.sub(r"\s+", " ", subject).strip()

    froms = _addresses(msg, "from") or _addresses(msg, "sender")
    from_name, from_email = froms[0] if froms else ("", "")
    reply_tos = _addresses(msg, "reply-to")
    reply_to_name, reply_to = reply_tos[0] if reply_tos else ("", None)

    ids = _msg_ids(_raw_header(msg, "message-id"))
    normalized_raw = raw.replace(b"\r\n", b"\n")
    if ids:
        message_id, missing = ids[0], False
    else:
        message_id, missing = f"hash-{hashlib.sha256(normalized_raw).hexdigest()}@missing", True
    in_reply = _msg_ids(_raw_header(msg, "in-reply-to"))
    references = _msg_ids(" ".join(_raw_headers(msg, "references")))

    # date: header, else the caller's receive time, else the newest Received
    fallback = _as_utc(received_at) if received_at is not None else None
    if fallback is None:
        for rec in _raw_headers(msg, "received"):
            fallback = _parse_date(_unfold(rec).rsplit(";", 1)[-1]) if ";" in rec else None
            if fallback:
                break
    date = _parse_date(_raw_header(msg, "date"))
    limit = (fallback or datetime.now(timezone.utc)) + timedelta(days=2)
    if date is None or date > limit or date.year < 1990:
        date = fallback or datetime.now(timezone.utc)

    plain = "\n".join(t.strip("\n") for t in coll.plain if t.strip())
    raw_html = "\n".join(coll.html) if any(h.strip() for h in coll.html) else None
    text = plain if plain.strip() else (html_to_text(raw_html) if raw_html else "")
    text = text.strip("\n")
    html = clean_html(raw_html).strip() if raw_html else None

    if not text.strip() and not coll.attachments and not subject:
        raise MailParseError("empty message: no subject, body or attachments")

    is_forward = bool(_FORWARD_PREFIX_RE.match(subject))
    is_reply = bool(_REPLY_PREFIX_RE.match(subject) or in_reply or references)
    new_text, quoted_text = split_quoted(text, is_forward=is_forward, is_reply=is_reply)

    auto = _is_auto_submitted(msg)
    is_dsn = coll.is_report and coll.report_type in ("delivery-status", "")
    is_bounce = False
    bounce_id = bounce_reason = None
    if is_dsn or _BOUNCE_SENDER_RE.match(from_email or ""):
        bounce_id, bounce_reason, failed = _bounce_info(coll, text)
        is_bounce = failed
        auto = True
    elif coll.is_report:  # read receipts and other reports are automatic too
        auto = True

    language = _raw_header(msg, "content-language")
    language = decode_words(language).split(",")[0].strip() or None if language else None

    to = [addr for _, addr in _addresses(msg, "to")]
    cc = [addr for _, addr in _addresses(msg, "cc")]
    content_hash = _content_hash(from_email, subject, _raw_header(msg, "date"), text, html, coll.attachments)

    return ParsedMail(
        message_id=message_id,
        message_id_missing=missing,
        in_reply_to=in_reply[0] if in_reply else None,
        references=references,
        subject=subject,
        from_name=from_name,
        from_email=from_email,
        to=to,
        cc=cc,
        reply_to=reply_to,
        reply_to_name=reply_to_name,
        date=date,
        text=text,
        new_text=new_text,
        quoted_text=quoted_text,
        html=html,
        attachments=coll.attachments,
        auto_submitted=auto,
        is_bounce=is_bounce,
        bounce_original_message_id=bounce_id,
        bounce_reason=bounce_reason,
        ticket_tag=find_ticket_tag(subject),
        content_hash=content_hash,
        headers_size=headers_size,
        language=language,
    )


def _collect(msg: Message, limits: tuple[int, int]) -> _Collected:
    coll = _Collected()
    _walk(msg, coll, limits)
    return coll


# ---------------------------------------------------------------------------
# outbound

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
    ids = _msg_ids(value)
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
    if not (len(_TAG_RE.findall(subject)) == 1 and find_ticket_tag(subject) == ticket_id):
        subject = _one_line(_TAG_RE.sub(" ", subject))
        subject = f"{subject} {tag}".strip()
    if not _REPLY_PREFIX_RE.match(subject):
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
    msg["Date"] = format_datetime(_as_utc(date) if date else datetime.now(timezone.utc))
    msg["Message-ID"] = f"<{_bare_id(message_id)}>"

    # References: the parent's chain, then the parent itself (last, as
    # threading algorithms take the last reference as the parent)
    parent = _bare_id(in_reply_to) if in_reply_to else None
    if isinstance(references, str):  # a raw References header value
        references = [references]
    chain: list[str] = []
    for ref in references:
        for bare in _msg_ids(str(ref)) or ([str(ref).strip()] if str(ref).strip() else []):
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


# ---------------------------------------------------------------------------
# rules and recognition

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
        if _FORWARD_MARKER_RE.match(line) or _ORIGINAL_MESSAGE_RE.match(line):
            start = i
            break
    for match in _FWD_FROM_LINE_RE.finditer("\n".join(lines[start:])):
        found = _address_in(match.group(1))
        if found and found[1] != forwarder:
            return found
    for att in parsed.attachments:
        if att.content_type == "message/rfc822" and att.data:
            inner = BytesParser(policy=_policy.compat32).parsebytes(att.data, headersonly=True)
            addrs = _addresses(inner, "from")
            if addrs and addrs[0][1] != forwarder:
                return addrs[0]
    if parsed.reply_to and parsed.reply_to != forwarder:
        return parsed.reply_to_name, parsed.reply_to
    return None
