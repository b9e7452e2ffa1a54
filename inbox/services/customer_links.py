"""The customer's private link to their question's page: made when a mail to them is built, checked on every
visit, revoked by staff, and sent afresh when the customer asks by e-mail address.

Only the SHA-256 of a token is stored (CustomerLink.token_hash). The outbox makes a new link each time it builds
a mail for a ticket's customer (`footer`), so the full link exists only in that mail: not in the outbox row, not
in the log. A link opens one ticket and nothing else; an unknown, expired or revoked one gives the same 404.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.i18n import _, force_locale
from inbox.models import CustomerLink, Message, OutboundEmail, Shop, Ticket, User
from inbox.services import audit, public_url
from inbox.workflow import MessageKind

PATH = "/q/"               # the question page's URL prefix (views/customer.py)
LINK_DAYS = 365            # long-lived: a customer may come back to an old question
FRESH_LINKS_MAX = 10       # the most recent questions of an address in a "fresh links" mail
# What the customer sees of the thread: their words, our public replies and the acknowledgement; never notes.
CUSTOMER_KINDS = (MessageKind.CUSTOMER.value, MessageKind.REPLY.value, MessageKind.AUTO.value)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def base_url(shop_id: int) -> str:
    """Where customers reach the app (services/public_url.py: the shop's address, INBOX_BASE_URL, the request at
    hand); the development server's address when nothing says (the mail settings page warns the owner)."""
    return public_url.base_for(shop_id) or "http://localhost:5000"


def make_link(ticket: Ticket) -> str:
    """A new private link to the ticket's page (its hash stored; the caller commits)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(CustomerLink(shop_id=ticket.shop_id, ticket_id=ticket.id, token_hash=token_hash(token),
                                created_at=now, expires_at=now + timedelta(days=LINK_DAYS)))
    return f"{base_url(ticket.shop_id)}{PATH}{token}"


def find(token: str) -> tuple[CustomerLink, Ticket] | None:
    """The link and its ticket, when the token is a live link; else None (unknown, expired, revoked alike)."""
    if not token or len(token) > 100:
        return None
    now = clock.now()
    row = db.session.execute(
        sa.select(CustomerLink, Ticket).join(Ticket, Ticket.id == CustomerLink.ticket_id)
        .where(CustomerLink.token_hash == token_hash(token), CustomerLink.revoked_at.is_(None),
               CustomerLink.expires_at > now, Ticket.shop_id == CustomerLink.shop_id)).first()
    if row is None:
        return None
    link, ticket = row
    link.last_used_at = now
    return link, ticket


def live_links(ticket: Ticket) -> int:
    return db.session.scalar(sa.select(sa.func.count(CustomerLink.id)).where(
        CustomerLink.ticket_id == ticket.id, CustomerLink.revoked_at.is_(None), CustomerLink.expires_at > clock.now()))


def revoke(ticket: Ticket, *, by: User) -> int:
    """Every link to this ticket stops working (a forwarded mail, a shared screen); answers how many."""
    count = db.session.execute(sa.update(CustomerLink).where(
        CustomerLink.ticket_id == ticket.id, CustomerLink.revoked_at.is_(None)).values(revoked_at=clock.now())).rowcount
    audit.record(ticket.shop_id, "ticket.links_revoked", actor=by, ticket=ticket, new=str(count))
    return count


def thread(ticket: Ticket) -> list[Message]:
    """The conversation as the customer sees it: no internal notes."""
    return list(db.session.scalars(sa.select(Message).where(
        Message.ticket_id == ticket.id, Message.kind.in_(CUSTOMER_KINDS)).order_by(Message.created_at, Message.id)))


def _language(code: str | None) -> str:
    return "nl" if code == "nl" else "en"


def question_footer(ticket: Ticket, *, rating: bool = False) -> str:
    """The lines under every mail to the ticket's customer: a new private link to the question's page, and with
    `rating` the "How did we do?" links. Those open a page that asks to confirm (views/customer.rate): a link
    scanner following them changes nothing."""
    url = make_link(ticket)
    with force_locale(_language(ticket.language)):
        lines = []
        if rating:
            lines += [_("How did we do? One click is enough:"),
                      _("Good: %(url)s", url=f"{url}/rate/good"),
                      _("Okay: %(url)s", url=f"{url}/rate/okay"),
                      _("Bad: %(url)s", url=f"{url}/rate/bad"), ""]
        lines.append(_("Follow your question, see our answers and reply: %(url)s", url=url))
        return "\n\n-- \n" + "\n".join(lines)


# -- a fresh link, asked for by e-mail address ---------------------------------------------------------------------

def request_fresh_links(shop: Shop, email: str) -> None:
    """Queue a mail with fresh links to the address's questions at this shop, when there are any. The caller
    answers the same whatever happens here, so nobody learns whether an address is known."""
    email = (email or "").strip().lower()
    known = db.session.scalar(sa.select(Ticket.id).where(Ticket.shop_id == shop.id, Ticket.customer_email == email)
                              .limit(1))
    if known is None:
        return
    now = clock.now()
    db.session.add(OutboundEmail(shop_id=shop.id, ticket_id=None, message_id=None, footer="links",
                                 idempotency_key=f"links:{shop.id}:{secrets.token_hex(12)}", to_addr=email,
                                 subject="", body="", created_at=now, next_attempt_at=now))


def fresh_links_mail(shop: Shop, email: str) -> tuple[str, str]:
    """(subject, body) of the "your questions" mail, with new links, in the language of the latest question."""
    recent = list(db.session.scalars(sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.customer_email == email)
                                     .order_by(Ticket.received_at.desc(), Ticket.id.desc()).limit(FRESH_LINKS_MAX)))
    language = _language(recent[0].language if recent else None)
    lines = [f"- {t.subject}\n  {make_link(t)}" for t in recent]
    with force_locale(language):
        subject = _("Your questions to %(shop)s", shop=shop.name)
        body = "\n\n".join([
            _("You asked for a link to follow your questions to %(shop)s. Each link below opens one question: "
              "our answers, its status, and a box to reply.", shop=shop.name),
            "\n".join(lines),
            _("Did you not ask for this? Then you can ignore this mail; nothing changes."),
        ])
    return subject, body
