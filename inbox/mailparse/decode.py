"""Bytes and header values to text, as lenient as a mail client: charsets, encoded words, addresses, dates."""
from __future__ import annotations

import base64
import binascii
import codecs
import re
from datetime import datetime, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime


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
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def decode_words(value: str | None) -> str:
    """Decode RFC 2047 encoded words (any charset) and raw 8-bit text.

    Adjacent encoded words in the same charset are decoded together, so a
    multi-byte character split over two words survives."""
    if not value:
        return ""
    value = _recover_8bit(unfold(str(value)))
    if not _EW_RE.search(value):
        return CONTROL_CHARS_RE.sub("", value).strip()
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
    return CONTROL_CHARS_RE.sub("", "".join(out)).strip()


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


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def raw_headers(msg: Message, name: str) -> list[str]:
    lname = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == lname]


def raw_header(msg: Message, name: str) -> str | None:
    values = raw_headers(msg, name)
    return unfold(values[0]) if values else None


_MSGID_RE = re.compile(r"<\s*([^<>\s]+?)\s*>")


def msg_ids(value: str | None) -> list[str]:
    if not value:
        return []
    value = _recover_8bit(unfold(value))
    ids = _MSGID_RE.findall(value)
    if not ids:  # some clients forget the brackets
        ids = [tok.strip("<>,;") for tok in value.split() if "@" in tok]
    out: list[str] = []
    for i in ids:
        i = i.strip()
        if i and i not in out:
            out.append(i)
    return out


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    values = [_recover_8bit(unfold(v)) for v in raw_headers(msg, name)]
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


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(_recover_8bit(unfold(value)).strip())
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


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
