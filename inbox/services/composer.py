"""Sending from the composer: exactly once, queued for e-mail in the same transaction, drafts kept meanwhile."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from inbox import clock
from inbox.extensions import db, statement
from inbox.i18n import _
from inbox.mailparse import reply_subject
from inbox.models import Draft, Message, OutboundEmail, SendToken, Shop, Ticket, User
from inbox.services import satisfaction, tickets as ticket_service, uploads
from inbox.workflow import MessageKind

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_token() -> str:
    """The one-time token a freshly rendered composer carries (the idempotency key of its send)."""
    return uuid.uuid4().hex


def valid_token(value: str | None) -> str | None:
    value = (value or "").strip().lower().replace("-", "")
    return value if _TOKEN.match(value) else None


class TokenReused(ticket_service.TicketError):
    """The form's send token belongs to a message on another ticket."""


class FilesRefused(ticket_service.TicketError):
    """Some files sent with the message were refused (too large, a program): nothing was sent. `accepted` are the
    files that passed, for the caller to keep on the draft; `problems` says why each other one was refused."""

    def __init__(self, problems: list[str], accepted: list[uploads.CheckedFile]):
        super().__init__(" ".join(problems))
        self.problems, self.accepted = problems, accepted


@dataclass
class SendResult:
    """What a send did: stored a message, found the one stored by an earlier identical POST, or stopped
    because someone else wrote in the meantime (`newer`, nothing stored)."""

    message: Message | None
    duplicate: bool = False
    newer: list[Message] = field(default_factory=list)
    outbound: OutboundEmail | None = None


def token_used(token: str) -> bool:
    return db.session.scalar(sa.select(SendToken.id).where(SendToken.token == token)) is not None


def _already_sent(ticket: Ticket, token: str) -> Message | None:
    row = db.session.scalar(sa.select(SendToken).where(SendToken.token == token, SendToken.shop_id == ticket.shop_id,
                                                       SendToken.ticket_id == ticket.id))
    if row is None or row.message_id is None:
        return None
    return db.session.get(Message, row.message_id)


def send(ticket: Ticket, shop: Shop, user: User, *, body: str, kind: str, status: str | None, token: str,
         seen_message_id: int | None = None, files: list[uploads.IncomingFile] = ()) -> SendResult:
    """Store a reply (queued for e-mail) or an internal note, once per token, with the files waiting on the
    user's draft and `files` (sent with the form) as its attachments.

    A second call with the same token, also one racing the first from another request, returns the
    message the first stored (and stores its files no second time). With `seen_message_id`, a reply is not sent
    when a customer message or a colleague's message arrived after it; the caller shows those and lets the agent
    confirm. The caller commits.

    :raise FilesRefused: when one of `files` is refused (nothing stored).
    :raise tickets.TicketError: for an empty body or a status the ticket cannot move to.
    """
    existing = _already_sent(ticket, token)
    if existing is not None:
        return SendResult(existing, duplicate=True)
    checked, problems = uploads.check_for_draft(ticket, user, shop, files)
    if problems:
        raise FilesRefused(problems, checked)
    if kind != MessageKind.NOTE.value and seen_message_id is not None:
        newer = [m for m in ticket_service.changes_since(ticket, seen_message_id, user)
                 if m.kind != MessageKind.AUTO.value]
        if newer:
            return SendResult(None, newer=newer)

    # The token row goes first: a concurrent send with the same token blocks on its unique index
    # and fails there, before it has touched the ticket.
    claim = SendToken(token=token, shop_id=shop.id, ticket_id=ticket.id, user_id=user.id)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _already_sent(ticket, token)
        if existing is not None:
            return SendResult(existing, duplicate=True)
        if token_used(token):   # a form copied from another question (or a forged one): not a double click
            raise TokenReused(_("This form was already used to send on another question. Nothing was sent; "
                                "send it again from here."))
        raise


    outbound = None
    if kind == MessageKind.NOTE.value:
        message = ticket_service.add_note(ticket, shop, body, by=user)
    else:
        message = ticket_service.reply(ticket, shop, body, by=user, status=status or None)
    db.session.flush()
    uploads.move_draft_to_message(ticket, user, message)
    uploads.store_on_message(message, checked)
    if message.kind == MessageKind.REPLY.value:
        outbound = enqueue_reply(ticket, message, key=token, shop=shop)
    claim.message_id = message.id
    discard_draft(ticket, user)
    return SendResult(message, outbound=outbound)


def enqueue_reply(ticket: Ticket, message: Message, *, key: str, shop: Shop | None = None) -> OutboundEmail | None:
    """Queue the reply for the e-mail worker; None when the ticket has no address (a phone question). A reply
    that solves the ticket asks "How did we do?" when the shop wants it there (services/satisfaction)."""
    if not ticket.customer_email:
        return None
    shop = shop or db.session.get(Shop, ticket.shop_id)
    row = OutboundEmail(shop_id=ticket.shop_id, ticket_id=ticket.id, message_id=message.id,
                        footer=satisfaction.footer_for_reply(ticket, shop),
                        idempotency_key=f"reply:{key}", to_addr=ticket.customer_email,
                        subject=reply_subject(ticket.subject, ticket.id), body=message.body,
                        state="queued", next_attempt_at=clock.now())
    db.session.add(row)
    return row


# --------------------------------------------------------------------------- drafts

@statement
def _draft():
    return sa.select(Draft).where(Draft.ticket_id == sa.bindparam("ticket_id"), Draft.user_id == sa.bindparam("user_id"),
                                  Draft.shop_id == sa.bindparam("shop_id"))


def draft_for(ticket: Ticket, user: User) -> Draft | None:
    return db.session.scalar(_draft(), {"ticket_id": ticket.id, "user_id": user.id, "shop_id": ticket.shop_id})


def save_draft(ticket: Ticket, user: User, body: str, kind: str) -> Draft | None:
    """Keep what the user is typing; an emptied box removes the draft. The caller commits."""
    kind = MessageKind.NOTE.value if kind == MessageKind.NOTE.value else MessageKind.REPLY.value
    draft = draft_for(ticket, user)
    if not (body or "").strip():
        if draft is not None:
            db.session.delete(draft)
        return None
    if draft is None:
        draft = Draft(shop_id=ticket.shop_id, ticket_id=ticket.id, user_id=user.id)
        db.session.add(draft)
    draft.body, draft.kind, draft.updated_at = body, kind, clock.now()
    return draft


def attach(ticket: Ticket, user: User, shop: Shop, files: list[uploads.IncomingFile], *, body: str | None = None,
           kind: str | None = None, token: str | None = None) -> list[str]:
    """Files picked, dropped or pasted in the composer go onto the user's draft (checked against the shop's
    limits); the text typed so far is kept with them (a form sent without JavaScript carries it). Answers why
    files were refused. Nothing is kept once the form's token has sent its message. The caller commits."""
    if token and token_used(token):
        return []
    if body is not None:
        save_draft(ticket, user, body, kind or MessageKind.REPLY.value)
    return uploads.keep_on_draft(ticket, user, shop, files)


def detach(ticket: Ticket, user: User, upload_id: int, *, body: str | None = None, kind: str | None = None) -> bool:
    """Take a file off the user's draft, keeping the text typed so far. The caller commits."""
    if body is not None:
        save_draft(ticket, user, body, kind or MessageKind.REPLY.value)
    return uploads.remove_from_draft(ticket, user, upload_id)


def discard_draft(ticket: Ticket, user: User) -> None:
    db.session.execute(sa.delete(Draft).where(Draft.ticket_id == ticket.id, Draft.user_id == user.id))


# --------------------------------------------------------------------------- the customer's words

def latest_question(ticket: Ticket) -> str:
    """The customer's latest message: what the reply answers and what the nudges read."""
    for message in reversed(ticket.messages):
        if message.kind == MessageKind.CUSTOMER.value:
            return message.body
    return ticket.subject


# A first reaction buys time honestly: it says the question arrived, who handles it and when to expect more.
FIRST_REACTIONS = {
    ("nl", True): "Beste {customer_name},\n\nDank u voor uw bericht. Ik heb uw vraag in behandeling genomen en zoek "
                  "het nu voor u uit. U hoort uiterlijk morgen meer van mij.\n\nMet vriendelijke groet,\n"
                  "{agent_first_name}\n{shop_name}",
    ("nl", False): "Hoi {customer_first_name},\n\nDank je voor je bericht. Ik heb je vraag opgepakt en zoek het nu "
                   "voor je uit. Je hoort uiterlijk morgen meer van me.\n\nGroet,\n{agent_first_name}\n{shop_name}",
    ("en", None): "Dear {customer_first_name},\n\nThank you for your message. I have picked up your question and am "
                  "looking into it now. You will hear from me by tomorrow at the latest.\n\nKind regards,\n"
                  "{agent_first_name}\n{shop_name}",
    ("de", None): "Guten Tag {customer_name},\n\nvielen Dank für Ihre Nachricht. Ich kümmere mich jetzt um Ihre "
                  "Frage. Sie hören spätestens morgen von mir.\n\nMit freundlichen Grüßen\n{agent_first_name}\n"
                  "{shop_name}",
    ("fr", None): "Bonjour {customer_name},\n\nMerci pour votre message. Je m'occupe de votre question dès "
                  "maintenant. Vous aurez de mes nouvelles au plus tard demain.\n\nCordialement,\n"
                  "{agent_first_name}\n{shop_name}",
}


def first_reaction_text(language: str, formal: bool | None) -> str:
    """The short first reaction in the ticket's language, with placeholders; Dutch is formal unless the customer
    wrote informally."""
    if language == "nl":
        return FIRST_REACTIONS[("nl", formal is not False)]
    return FIRST_REACTIONS.get((language, None), FIRST_REACTIONS[("en", None)])
