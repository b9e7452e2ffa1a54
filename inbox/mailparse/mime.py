"""Walking the MIME tree: the text and HTML bodies, attachments within their limits, delivery reports."""
from __future__ import annotations

import io
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy as _policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import HeaderParser

from inbox.mailparse.decode import CONTROL_CHARS_RE, decode_text, decode_words, msg_ids, raw_header, unfold
from inbox.mailparse.parsed import Attachment
from inbox.mailparse.text import unflow


MB = 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * MB
DEFAULT_MAX_TOTAL_BYTES = 25 * MB
DEFAULT_MAX_HEADER_BYTES = 256 * 1024

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


@dataclass
class Collected:
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
        text = unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
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
        name = CONTROL_CHARS_RE.sub("", name.replace("\t", " "))
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


def _add_attachment(part: Message, coll: Collected, data: bytes, limits: tuple[int, int]) -> None:
    max_one, max_total = limits
    ctype = part.get_content_type()
    name = _filename(part)
    if not name and ctype == "message/rfc822":
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = decode_words(raw_header(inner, "subject")) if inner is not None else ""
        name = (re.sub(r"[^\w .,()&+-]", "_", subject)[:100].strip() or "forwarded-message") + ".eml"
    filename = _safe_filename(name, ctype)
    cid = part.get("content-id")
    content_id = None
    if cid:
        ids = msg_ids(str(cid)) or [str(cid).strip().strip("<>")]
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
            for line in unfold(chunk.replace("\r\n", "\n").replace("\n", "\r\n")
                                .replace("\r\n ", " ").replace("\r\n\t", " ")).split("\r\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.strip()
            if fields:
                blocks.append(fields)
    return blocks


def _walk(part: Message, coll: Collected, limits: tuple[int, int], depth: int = 0) -> None:
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


def collect(msg: Message, limits: tuple[int, int]) -> Collected:
    coll = Collected()
    _walk(msg, coll, limits)
    return coll
