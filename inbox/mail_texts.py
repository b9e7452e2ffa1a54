"""What intake wrote into a mail in English, read in the reader's language when the thread is shown.

Intake runs without a reader (a worker, the SMTP receiver), so it stores fixed English forms that this module
recognises: an attachment's refusal ("too large (12.3 MB, limit 10 MB)") and the stand-ins for images in the
sanitised HTML ("[image blocked: logo.png]"). The API keeps the stored form; what is not recognised is shown as
stored.
"""
from __future__ import annotations

import re

from markupsafe import Markup

from inbox.i18n import _, table_value

_DANGEROUS = re.compile(r"dangerous file type \((?P<kind>[^)]*)\)")
_TOO_LARGE = re.compile(r"too large \((?P<size>[\d.]+) MB, limit (?P<limit>[\d.]+) MB\)")
_TOTAL = re.compile(r"total attachment size over (?P<limit>[\d.]+) MB")


def refusal(reason: str) -> str:
    """Why an attachment of a customer's mail was not kept, as the reader reads it."""
    if match := _DANGEROUS.fullmatch(reason):
        return _("a file type that can harm a computer (%(kind)s)", kind=match["kind"])
    if match := _TOO_LARGE.fullmatch(reason):
        return _("too large (%(size)s MB, at most %(limit)s MB)", size=_number(match["size"]),
                 limit=_number(match["limit"]))
    if match := _TOTAL.fullmatch(reason):
        return _("the files of this mail together are over %(limit)s MB", limit=_number(match["limit"]))
    return reason


def image_stand_ins(html: Markup) -> Markup:
    """The mail's sanitised HTML with its image stand-ins ("[image blocked: …]") in the reader's language."""
    stand_in = Markup('alt="[{}: ')
    for english, words in (("image blocked", _("image blocked")), ("inline image", _("inline image"))):
        # Markup.replace and Markup.format escape the translation: it is text, never markup.
        html = html.replace(stand_in.format(english), stand_in.format(words))
    return html


def _number(text: str) -> str:
    return table_value(float(text))   # in the reader's notation: 12,3 in Dutch
