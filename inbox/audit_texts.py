"""How an audit row reads, in the reader's language: its action and its details, worded when the log is shown.

A row stores codes and values, never one language's words: field "status", old "open", new "pending"; a period as
ISO times; an import as "12 added, 1 rejected". A Dutch owner reads "Status: Open → In afwachting", an English
manager "Status: Open → Pending", from the same row. What cannot be recognised (a name, a subject, a tag) is shown
as stored.
"""
from __future__ import annotations

import re
from datetime import datetime

from inbox.i18n import _, lazy_gettext as _l, local_time, ngettext
from inbox.labels import CHANNEL_LABELS, LANGUAGE_NAMES, ROLE_LABELS, STATUS_LABELS

ACTION_LABELS = {
    "user.login": _l("signed in"), "user.logout": _l("signed out"), "user.invite": _l("invited"),
    "user.invite_revoke": _l("withdrew an invitation"), "user.join": _l("joined the team"),
    "user.role": _l("changed a role"), "user.deactivate": _l("deactivated an account"),
    "user.reactivate": _l("reactivated an account"), "user.password": _l("changed their password"),
    "user.password_reset": _l("made a password link"), "user.password_set": _l("set a new password"),
    "user.update": _l("changed account details"), "user.away": _l("set an away period"),
    "user.sessions_end": _l("signed out on other devices"),
    "ticket.assign": _l("assigned"), "ticket.status": _l("changed the status"), "ticket.reply": _l("replied"),
    "ticket.note": _l("added a note"), "ticket.create": _l("new question"), "ticket.tags": _l("changed tags"),
    "ticket.auto_ack": _l("sent an automatic acknowledgement"), "shop.closed": _l("closed the shop"),
    "shop.reopened": _l("opened the shop again"), "shop.auto_ack": _l("changed the automatic acknowledgement"),
    "shop.update": _l("changed shop settings"),
    "api_token.create": _l("made an API token"), "api_token.revoke": _l("revoked an API token"),
    "calls.add": _l("logged a call"), "calls.import": _l("imported calls"), "orders.import": _l("imported orders"),
    "norms.settings": _l("changed the norm settings"), "mail.retry": _l("sent a reply again"),
    "mail.settings": _l("changed the mail settings"), "mail.review.retry": _l("imported a mail from the review list"),
    "mail.review.delete": _l("deleted a mail from the review list"),
    "template.create": _l("added a reply template"), "template.update": _l("changed a reply template"),
    "template.archive": _l("archived a reply template"), "template.unarchive": _l("restored a reply template"),
    "webhook.create": _l("added a webhook"), "webhook.delete": _l("deleted a webhook"),
    "help.create": _l("added a help article"), "help.update": _l("changed a help article"),
    "help.move": _l("moved a help article"), "help.delete": _l("deleted a help article"),
    "template.file.add": _l("attached a file to a reply template"),
    "template.file.remove": _l("removed a file from a reply template"),
    "ticket.rated": _l("the customer rated the answer"), "ticket.rating_followed_up": _l("followed up a rating"),
    "ticket.links_revoked": _l("revoked the customer's links"),
}

FIELD_LABELS = {
    "status": _l("Status"), "assignee": _l("Assignee"), "role": _l("Role"), "locale": _l("Language"),
    "name": _l("Name"), "closed": _l("Closed"), "away": _l("Away"), "auto_ack": _l("Automatic acknowledgement"),
    "tags": _l("Tags"), "delivery": _l("Delivery"), "mail": _l("Mail"), "country": _l("Established in"),
    "timezone": _l("Time zone"), "contact_email": _l("Contact e-mail"), "phone": _l("Phone number"),
}

_SWITCH = {"on": _l("on"), "off": _l("off")}
_DELIVERY = {"queued": _l("waiting to be sent"), "sending": _l("being sent"), "sent": _l("sent"),
             "failed": _l("failed")}
_SCOPES = {"imports": _l("Calls and orders only"), "read": _l("Read only"), "write": _l("Read and write")}
_OUTCOMES = {"new": _l("new question"), "threaded": _l("added to its ticket"), "note": _l("added as a note"),
             "bounce": _l("bounce noted on its ticket"), "duplicate": _l("already in the inbox")}
_MAIL_FIELDS = {
    "imap_host": _l("IMAP server"), "imap_port": _l("IMAP port"), "imap_security": _l("IMAP security"),
    "imap_user": _l("IMAP user name"), "imap_password": _l("IMAP password"), "imap_folder": _l("Folder"),
    "imap_move_to": _l("Move fetched mail to"), "inbound_alias": _l("Extra receiving address"),
    "from_address": _l("Send replies from"), "smtp_host": _l("SMTP server"), "smtp_port": _l("SMTP port"),
    "smtp_security": _l("SMTP security"), "smtp_user": _l("SMTP user name"), "smtp_password": _l("SMTP password"),
    "send_on_reply": _l("Send each reply right away"), "marketplace_sender": _l("Marketplace sender"),
    "marketplace_subject": _l("Marketplace subject"), "own_addresses": _l("Our own addresses"),
}
_IMPORTED = re.compile(r"^(\d+) added, (\d+) rejected$")
_WITH_CODE = re.compile(r"^(.*) \((\w+)\)$")          # "ann@example.com (agent)", "Shopify (imports)"
_MOVED = re.compile(r"^(.*?) ?\((\d+)\)$")            # "Sanne (3)": the colleague who got the open tickets
# rows written before the log was worded at display time kept this word in the writer's language
_UNASSIGNED = {"unassigned", "niet toegewezen", ""}


def _label(labels: dict, value: str) -> str:
    return str(labels[value]) if value in labels else value


def _moment(value: str) -> str:
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value


def _period(value: str) -> str:
    start, _dash, end = value.partition(" – ")
    return f"{_moment(start)} – {_moment(end) if end and end != '…' else '…'}"


def _value(action: str, field: str | None, value: str | None) -> str | None:
    if value is None:
        return None
    if field == "status":
        return _label(STATUS_LABELS, value)
    if field == "role" or action == "user.join":
        return _label(ROLE_LABELS, value)
    if field == "locale":
        return _label(LANGUAGE_NAMES, value)
    if field == "auto_ack":
        return _label(_SWITCH, value)
    if field in ("closed", "away"):
        return _period(value)
    if field == "delivery":
        return _label(_DELIVERY, value)
    if action == "mail.settings":
        return ", ".join(_label(_MAIL_FIELDS, name) for name in value.split(", "))
    if action == "ticket.create":
        return _label(CHANNEL_LABELS, value)
    if action == "calls.add":
        return _moment(value)
    if action == "mail.review.retry":
        return _label(_OUTCOMES, value)
    if action == "norms.settings" and value.isdecimal():
        return ngettext("%(num)s hour", "%(num)s hours", int(value))
    if action in ("calls.import", "orders.import") and (m := _IMPORTED.match(value)):
        return _("%(added)s added, %(rejected)s rejected", added=m[1], rejected=m[2])
    if action in ("user.invite", "api_token.create") and (m := _WITH_CODE.match(value)):
        return f"{m[1]} ({_label(ROLE_LABELS if action == 'user.invite' else _SCOPES, m[2])})"
    if action == "user.deactivate" and (m := _MOVED.match(value)):
        moved = int(m[2])
        if m[1].strip().lower() in _UNASSIGNED:
            return ngettext("%(num)s open ticket left unassigned", "%(num)s open tickets left unassigned", moved)
        return ngettext("%(num)s open ticket moved to %(name)s", "%(num)s open tickets moved to %(name)s", moved,
                        name=m[1])
    return value


def details(event) -> str:
    """The row's change in words: "Status: Open → Pending", "Assignee: — → Sanne", "12 added, 1 rejected"."""
    old = _value(event.action, event.field, event.old)
    new = _value(event.action, event.field, event.new)
    if old is None and new is None:
        return ""
    change = new if new is not None else "—"
    if old is not None:
        change = f"{old} → {change}"
    label = FIELD_LABELS.get(event.field) if event.field and event.action not in ("mail.settings",) else None
    return _("%(field)s: %(change)s", field=label, change=change) if label else change
