"""Names shown for the house's codes: roles, languages, question categories. Lazy: translated when shown."""
from __future__ import annotations

from inbox.i18n import lazy_gettext as _l
from inbox.workflow import Channel, Status

ROLE_LABELS = {"owner": _l("Owner"), "manager": _l("Manager"), "agent": _l("Agent")}

# The languages a customer may write in (and a reply template may be in), each in its own name: how a seller
# recognises a language in a filter or a form whatever language the inbox is in.
LANGUAGES = {"nl": "Nederlands", "en": "English", "de": "Deutsch", "fr": "Français"}
# The same languages named in the reader's language, for running text ("Dutch, formal").
LANGUAGE_NAMES = {"nl": _l("Dutch"), "en": _l("English"), "de": _l("German"), "fr": _l("French")}
if LANGUAGE_NAMES.keys() != LANGUAGES.keys():
    raise RuntimeError("LANGUAGES and LANGUAGE_NAMES must name the same languages")

CHANNEL_LABELS = {
    Channel.EMAIL.value: _l("E-mail"),
    Channel.WEBFORM.value: _l("Web form"),
    Channel.PHONE.value: _l("Phone"),
    Channel.MARKETPLACE.value: _l("Forwarded by the marketplace"),
}
STATUS_LABELS = {
    Status.OPEN.value: _l("Open"),
    Status.PENDING.value: _l("Pending"),
    Status.SOLVED.value: _l("Solved"),
}
# Where a logged call came from (CallRecord.source)
CALL_SOURCE_LABELS = {"csv": _l("CSV import"), "api": _l("API"), "manual": _l("Entered by hand")}

CATEGORY_LABELS = {
    "late_delivery": _l("Late delivery"), "damaged_item": _l("Damaged item"), "wrong_item": _l("Wrong item or size"),
    "return": _l("Return"), "refund": _l("Refund"), "product_question": _l("Product question"),
    "invoice": _l("Invoice"), "general": _l("General"),
}


def language_choices(codes=None) -> list[tuple[str, str]]:
    """(code, own name) for a select field: every customer language, or those in `codes` (the app's own)."""
    return [(code, name) for code, name in LANGUAGES.items() if codes is None or code in codes]
