"""Documents the demo shop attaches, made here in code (no binary files in the repository): a one-page PDF of
the return conditions, which the starter return templates carry as their standard attachment."""
from __future__ import annotations

RETURN_CONDITIONS = {
    "nl": ("Retourvoorwaarden.pdf", "Retourvoorwaarden", [
        "U kunt een artikel binnen 30 dagen na ontvangst kosteloos retourneren.",
        "Meld de retour aan door op onze e-mail te antwoorden; u ontvangt dan een retourlabel.",
        "Verpak het artikel goed, bij voorkeur in de originele verpakking.",
        "Breng het pakket naar een afhaalpunt bij u in de buurt.",
        "Zodra wij de retour binnen hebben, storten wij het bedrag binnen 2 werkdagen terug.",
        "Op maat gemaakte artikelen en geopende hygienische producten zijn uitgesloten.",
    ]),
    "en": ("Return conditions.pdf", "Return conditions", [
        "You can return an item free of charge within 30 days of receiving it.",
        "Reply to our e-mail to register the return; we send you a return label.",
        "Pack the item well, preferably in its original packaging.",
        "Drop the parcel at a pick-up point near you.",
        "As soon as the return arrives, we refund you within 2 business days.",
        "Made-to-measure items and opened hygiene products are excluded.",
    ]),
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(title: str, lines: list[str], shop_name: str) -> bytes:
    """A valid one-page A4 PDF (Helvetica, WinAnsi text) with a title, the shop's name and the lines."""
    text = [f"BT /F1 20 Tf 56 780 Td ({_escape(title)}) Tj ET",
            f"BT /F1 11 Tf 56 756 Td ({_escape(shop_name)}) Tj ET"]
    y = 716
    for number, line in enumerate(lines, 1):
        text.append(f"BT /F1 11 Tf 56 {y} Td ({number}. {_escape(line)}) Tj ET")
        y -= 22
    stream = "\n".join(text).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def return_conditions(language: str, shop_name: str) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the shop's return conditions in Dutch or English."""
    filename, title, lines = RETURN_CONDITIONS["nl" if language == "nl" else "en"]
    return filename, pdf(title, lines, shop_name)
