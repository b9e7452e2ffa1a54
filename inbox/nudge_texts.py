"""The composer's hints in words: the explanation in the reader's language, the proposed phrase in the customer's.

`nudges.review` answers with data (a check passed or not, and the words the reply could use, already in the
customer's language and register). A seller with the inbox in English answering a Dutch customer reads "Address
the customer by name: ‘Hoi Lisa,’": the advice is theirs, the greeting is the customer's.
"""
from __future__ import annotations

from inbox.i18n import _, lazy_gettext as _l
from inbox.nudges import Check

_TODO = {
    "name": _l("Address the customer by name: %(phrase)s"),
    "feeling": _l("Acknowledge the customer's feeling: %(phrase)s"),
    "options": _l("Offer at least two solutions: %(phrase)s."),
    "next_step": _l("Say what happens next and when: %(phrase)s"),
    "closing": _l("End with a sign-off and your name: %(phrase)s"),
}
_DONE = {
    "name": _l("The customer is addressed by name."),
    "feeling": _l("The customer's feeling is acknowledged."),
    "options": _l("Enough solutions offered."),
    "formality": _l("The form of address matches the customer's."),
    "next_step": _l("The next step is clear."),
    "closing": _l("Signed off."),
}
_NOT_APPLICABLE = {
    "name": _l("No customer name known."),
    "feeling": _l("The customer does not sound upset."),
    "options": _l("No problem that calls for several solutions."),
    "formality": _l("The customer does not write “u”: “je” and “u” are both fine."),
    "next_step": _l("No problem reported."),
    "closing": _l("Signed off."),
}


def _quoted(phrase: str) -> str:
    return f"‘{phrase}’"


def hint_text(check: Check, signer: str = "") -> str:
    """What the composer says about one check; `signer` (the user's name) completes the proposed sign-off."""
    if check.ok:
        return str(_DONE[check.code] if check.applies else _NOT_APPLICABLE[check.code])
    if check.code == "formality":
        text = _("The customer writes “u”: use “u” too, not “je”.")
        if check.found:
            text += " " + _("(found: %(words)s)", words=", ".join(_quoted(word) for word in check.found))
        return text
    phrase = check.phrase
    if check.code == "closing":
        phrase = f"{phrase} {signer or '…'}"
    return str(_TODO[check.code]) % {"phrase": _quoted(phrase)}
