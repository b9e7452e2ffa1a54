"""What a file is, from its first bytes: the type we serve it as, whether it is a program we refuse to send, and
whether a browser may show it inline. Pure: the composer's uploads and the customer's reply box both ask here.

Names lie (``invoice.pdf`` can be a Windows program, ``label.png`` an HTML page), so the bytes decide; a name
only adds refusals (a ``.js`` file is text to any sniffer, but a script to the customer who double-clicks it).
"""
from __future__ import annotations

import mimetypes
import re
import unicodedata

# Images a browser renders without running anything: no SVG (it carries scripts), no HTML disguised as one.
SAFE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Programs and scripts by their magic bytes. Mach-O has four byte orders/widths plus the "fat" universal header
# (0xCAFEBABE, which Java class files share: both are programs, both refused).
_EXECUTABLE_MAGIC = (
    (b"MZ", "windows"),
    (b"\x7fELF", "linux"),
    (b"\xfe\xed\xfa\xce", "macos"),
    (b"\xfe\xed\xfa\xcf", "macos"),
    (b"\xce\xfa\xed\xfe", "macos"),
    (b"\xcf\xfa\xed\xfe", "macos"),
    (b"\xca\xfe\xba\xbe", "macos"),
    (b"#!", "script"),
    (b"\x4c\x00\x00\x00\x01\x14\x02\x00", "shortcut"),
)

# Types whose names are enough to refuse: scripts that sniff as plain text, installers and shortcuts.
REFUSED_EXTENSIONS = frozenset({
    ".exe", ".com", ".scr", ".pif", ".cpl", ".dll", ".sys", ".msi", ".msp", ".msc", ".bat", ".cmd", ".ps1",
    ".psm1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".reg", ".scf", ".lnk", ".jar", ".sh",
    ".app", ".apk", ".appx", ".msix", ".deb", ".rpm", ".dmg", ".pkg", ".run", ".bin", ".elf", ".command",
})

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 200


class Refused(ValueError):
    """A file we do not take; the message says why, in words for the person who picked it."""


def sniff(data: bytes) -> str | None:
    """The content type the bytes prove, for the types we treat specially (images, PDF); else None."""
    for magic, content_type in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def executable_kind(data: bytes) -> str | None:
    """'windows', 'linux', 'macos', 'script' or 'shortcut' when the bytes start like a program; else None."""
    head = data[:16].lstrip(b"\xef\xbb\xbf")   # a BOM in front of #! still runs on some systems
    for magic, kind in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return kind
    return None


def extension(filename: str) -> str:
    low = filename.lower().rstrip(". ")
    return "." + low.rsplit(".", 1)[-1] if "." in low else ""


def clean_name(filename: str | None) -> str:
    """The name the customer will see: no path, no control characters, NFC, at most 200 characters with the
    extension kept; "file" when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "")
    name = _CONTROL.sub("", name.replace("\t", " "))
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name or "file"


def content_type(filename: str, data: bytes) -> str:
    """What we store and send the file as: the type its bytes prove, else the one its name suggests (never the
    one the browser claimed), else application/octet-stream."""
    proven = sniff(data)
    if proven:
        return proven
    guessed = mimetypes.guess_type(filename, strict=False)[0]
    # A name that promises an image or a PDF the bytes do not deliver gets no type a viewer would trust.
    if guessed is None or guessed in SAFE_IMAGE_TYPES or guessed == "application/pdf":
        return "application/octet-stream"
    return guessed


def refusal(filename: str, data: bytes) -> str | None:
    """Why this file may not be sent: the kind of program its bytes are (executable_kind), 'name' for a
    refused extension, or None."""
    return executable_kind(data) or ("name" if extension(filename) in REFUSED_EXTENSIONS else None)


def is_safe_image(content_type_: str) -> bool:
    return content_type_ in SAFE_IMAGE_TYPES
