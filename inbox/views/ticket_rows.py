"""The inbox rows and the SLA badge as HTML, built in Python.

Staff reload the inbox all day. As a template, a page of 50 rows made some 800 Jinja calls (url_for, three
highlights, a badge macro, filters, translations per row) and took half the page's time; here a row is one
format string, and what is the same on every row (labels, the link's query string) is worked out once.
"""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from markupsafe import Markup, escape

from inbox.i18n import _, age, business_duration, local_time
from inbox.search import highlight
from inbox.ui import url_stem
from inbox.services.sla import Badge

CHANNEL_ICONS = {"email": "✉", "webform": "⌨", "phone": "☎", "marketplace": "↪"}
ACTIVE = ("on_track", "due_soon", "overdue")


def channel_badge_html(channel: str, label) -> Markup:
    """The channel's icon, its name as a tooltip and for screen readers."""
    # bandit B704: the parts are escaped in place; the icons are constants.
    return Markup('<span class="channel channel-{0}" title="{1}">{2}<span class="visually-hidden"> {1}</span></span>'  # nosec B704
                  .format(escape(channel), escape(label), CHANNEL_ICONS.get(channel, "")))


def sla_badge_html(badge: Badge | None, ticket_id: int, sla_id: str | None = None, oob: bool = False) -> Markup:
    """The SLA badge of a ticket; its id lets htmx refresh it in place (hx-swap-oob)."""
    # Plain str.format over escaped values: Markup.format runs Python's string.Formatter, ten times slower.
    wrap = '<span id="{}" class="sla-wrap"{}>'.format(escape(sla_id or f"ticket-{ticket_id}-sla"),
                                                      ' hx-swap-oob="true"' if oob else "")
    if badge is None:
        # bandit B704: wrap holds an escaped id; the rest is a constant.
        return Markup(wrap + '<span class="sla sla-none">—</span></span>')  # nosec B704
    due = local_time(badge.due) if badge.due else ""
    state = badge.state
    if state in ("on_track", "due_soon"):
        # Both say "… left" and only colour and icon tell them apart, so a screen reader hears words instead.
        words = _("On track:") if state == "on_track" else _("Due soon:")
        icon = '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>'.format(
            "◷" if state == "on_track" else "⚠", escape(words))
        text = _("%(d)s left", d=business_duration(badge.seconds))
    elif state == "overdue":
        icon, text = '<span aria-hidden="true">✕</span>', _("%(d)s late", d=business_duration(badge.seconds))
    elif state == "answered_on_time":
        icon, text = '<span aria-hidden="true">✓</span>', _("Answered on time")
    else:
        icon, text = '<span aria-hidden="true">!</span>', _("Answered %(d)s late", d=business_duration(badge.seconds))
    title = ' title="{}"'.format(escape(_("Due %(when)s", when=due))) if due else ""
    html = [wrap, '<span class="sla sla-{}"{}><span class="sla-icon">{}</span> {}</span>'.format(
        escape(state), title, icon, escape(text))]
    if due and state in ACTIVE:
        html.append(' <small class="sla-due">{}</small>'.format(escape(_("due %(when)s", when=due))))
    if badge.paused_until:
        html.append(' <small class="sla-paused">{}</small>'.format(
            escape(_("paused until %(when)s", when=local_time(badge.paused_until, "EEE HH:mm")))))
    html.append("</span>")
    # bandit B704: each part above was escaped.
    return Markup("".join(html))  # nosec B704


def reply_timing_html(margin: int, short: bool = False) -> Markup:
    """`reply_timing(margin)` in templates: whether a reply came within its 8 business hours, margin being the
    business seconds it had to spare (negative: late). short: only "answered late" / "answered on time"."""
    late = margin < 0
    if short:
        text = _("answered late") if late else _("answered on time")
    elif late:
        text = _("%(d)s late", d=business_duration(margin))
    else:
        text = _("on time, %(d)s to spare", d=business_duration(margin))
    # Markup.format escapes what it fills in.
    return Markup('<span class="sla sla-answered_{}"><span aria-hidden="true">{}</span> {}</span>').format(
        "late" if late else "on_time", "✕" if late else "✓", text)


# On a phone the row is a card (static/app.css): the label around the box gives it a thumb-sized target.
ROW = (
    '<tr id="ticket-{id}-row" class="ticket-row{overdue}" data-href="{href}">'
    '<td class="sel"><label class="hit"><input type="checkbox" name="ids" value="{id}" form="bulk-form" '
    'aria-label="{select} #{id}"></label></td>'
    '<td class="customer">{channel} {customer}{forwarded}</td>'
    '<td class="subject"><a href="{href}"><span class="ticket-id">#{id}</span> {subject}</a> '
    '<span class="snippet">{snippet}</span>{tags}{presence}</td>'
    '<td class="assignee">{assignee}</td>'
    '<td class="age"><time datetime="{received}">{age}</time></td>'
    '<td class="state">{status}</td>'
    '<td class="due">{badge}</td></tr>\n')


class RowRenderer:
    """Renders the rows of one inbox page; every value goes into ROW escaped."""

    def __init__(self, *, row_args: dict, terms: list[str], viewers: dict, badges: dict, now: datetime,
                 channel_labels: dict, status_labels: dict, key_of=lambda ticket: None):
        self.terms, self.viewers, self.badges, self.now, self.key_of = terms, viewers, badges, now, key_of
        # The link is built by url_for once and filled in per row. "pos=POS" cannot occur inside a value,
        # where "=" is percent-encoded.
        path, _sep, query = url_for("tickets.show", ticket_id=0, pos="POS", **row_args).partition("?")
        self.href_path, self.href_query = str(escape(url_stem(path))), str(escape("?" + query))
        self.channels = {key: channel_badge_html(key, channel_labels[key]) for key in CHANNEL_ICONS}
        self.statuses = {key: '<span class="status status-{}">{}</span>'.format(escape(key), escape(label))
                         for key, label in status_labels.items()}
        self.select, self.unassigned = escape(_("Select")), escape(_("Unassigned"))
        self.unknown, self.forwarded = _("Unknown customer"), escape(_("forwarded"))

    def __call__(self, ticket, pos: int) -> Markup:
        tid, terms = ticket.id, self.terms
        # The row's place in the list travels with its link (its sort key: digits or "n"), so the ticket page's
        # Previous and Next start from where the row stood (ticket_list.neighbours).
        key = self.key_of(ticket)
        place = f"pos={pos}" if key is None else f"pos={pos}&amp;key={escape(key)}"
        forwarded = ""
        if ticket.forwarded_at:
            forwarded = ' <span class="fwd" title="{}">{}</span>'.format(
                escape(_("Forwarded by the marketplace %(when)s", when=local_time(ticket.forwarded_at))), self.forwarded)
        presence = "".join(
            '<span class="presence-chip{}">{}</span>'.format(
                " is-typing" if c.typing else "",
                escape(_("%(name)s is typing", name=c.user.first_name) if c.typing
                       else _("%(name)s is viewing", name=c.user.first_name)))
            for c in self.viewers.get(tid, ()))
        # bandit B704: every value going into ROW is escaped, or highlight()ed, which escapes.
        return Markup(ROW.format(  # nosec B704
            id=tid, href=f"{self.href_path}{tid}{self.href_query.replace('pos=POS', place, 1)}",
            overdue=" is-overdue" if ticket.due_at and ticket.due_at < self.now else "",
            select=self.select, channel=self.channels.get(ticket.channel, ""),
            customer=highlight(ticket.customer_name or ticket.customer_email or self.unknown, terms),
            forwarded=forwarded, subject=highlight(ticket.subject, terms), snippet=highlight(ticket.snippet, terms),
            tags="".join('<span class="tag">{}</span>'.format(escape(t)) for t in ticket.tags), presence=presence,
            assignee=escape(ticket.assignee.display_name) if ticket.assignee else self.unassigned,
            received=ticket.received_at.isoformat(), age=escape(age(ticket.received_at)),
            status=self.statuses.get(ticket.status, ""),
            badge=sla_badge_html(self.badges.get(tid), tid)))
