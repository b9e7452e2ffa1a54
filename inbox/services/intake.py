"""Inbound e-mail -> tickets. One entry point, `receive_email`, used by the IMAP fetcher, the SMTP receiver,
the one-off import and the review list's "retry".

Order of decisions: unreadable -> review list; seen before -> duplicate; a bounce -> onto the reply it bounced
from; else thread by In-Reply-To/References, then by the subject tag [#123], else a new ticket.
"""
from __future__ import annotations

import email
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from email import policy

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy.exc import IntegrityError

from inbox import clock, i18n, mailparse, participants, storable
from inbox.extensions import db
from inbox.i18n import _, force_locale
from inbox.labels import LANGUAGES
from inbox.models import (InboundMail, MailAttachment, Message, OutboundEmail, QuarantinedMail, Shop, Ticket,
                          TicketParticipant, User)
from inbox.services import mailconfig, tickets as ticket_service
from inbox.workflow import Channel, Role

log = logging.getLogger(__name__)

SOURCES = ("imap", "smtp", "import", "retry")


class IntakeUnavailable(Exception):
    """The database is away, locked or overloaded: not the mail's fault, and a later try will work. The SMTP
    receiver answers 451 and the IMAP round stops for that shop; the mail stays where it was."""


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # new | threaded | duplicate | bounce | note | rejected (kept for review) | lost (kept nowhere)
    ticket_id: int | None = None
    message_id: int | None = None
    quarantine_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome not in ("rejected", "lost")

    @property
    def kept(self) -> bool:
        """In the inbox or in the review list: only a "lost" mail needs its sender (or the operator) to act."""
        return self.outcome != "lost"

    def describe(self) -> str:
        """What became of the mail, in the reader's language (English in the CLI and the logs)."""
        def _(text: str, **values) -> str:   # (its own _, which pybabel finds the texts by)
            return i18n._(text, **values) if has_request_context() else text % values
        if self.outcome == "new":
            return _("new ticket #%(id)s", id=self.ticket_id)
        if self.outcome == "threaded":
            return _("threaded into ticket #%(id)s", id=self.ticket_id)
        if self.outcome == "note":
            return _("note into ticket #%(id)s", id=self.ticket_id)
        if self.outcome == "bounce":
            return _("bounce into ticket #%(id)s", id=self.ticket_id)
        if self.outcome == "duplicate":
            return _("duplicate (already in ticket #%(id)s)", id=self.ticket_id) if self.ticket_id else _("duplicate")
        if self.outcome == "lost":
            return _("NOT KEPT: %(reason)s", reason=self.reason)
        return _("kept for review: %(reason)s", reason=self.reason)


def _limits() -> dict:
    cfg = current_app.config
    return {"max_attachment_bytes": int(cfg.get("MAIL_MAX_ATTACHMENT_BYTES") or mailparse.DEFAULT_MAX_ATTACHMENT_BYTES),
            "max_total_bytes": int(cfg.get("MAIL_MAX_TOTAL_BYTES") or mailparse.DEFAULT_MAX_TOTAL_BYTES)}


def dedupe_key(parsed: mailparse.ParsedMail) -> str:
    """Message-ID when the mail has one, else a hash of its content (so a re-fetch still matches)."""
    key = f"hash:{parsed.content_hash}" if parsed.message_id_missing else f"mid:{parsed.message_id}"
    return key if len(key) <= 320 else "midh:" + hashlib.sha256(key.encode()).hexdigest()


# SQLSTATE classes a later attempt can get past: connection lost (08), resources (53), operator intervention such
# as a shutdown (57), serialization failure or deadlock (40), lock not available (55P03).
_RETRYABLE_SQLSTATE_CLASSES = ("08", "53", "57", "40")


def database_away(error: BaseException) -> bool:
    """True when `error` says the database could not be used right now, False when it refused this data."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection free in time
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _RETRYABLE_SQLSTATE_CLASSES or sqlstate == "55P03"
    # SQLite has no SQLSTATE: "database is locked", "disk I/O error", "unable to open" are OperationalErrors.
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))


def receive_email(shop: Shop, raw: bytes, *, source: str, quarantine: bool = True) -> IntakeResult:
    """Take one raw mail into the shop's inbox, in a transaction of its own, and commit.

    Never raises for bad mail: what cannot become a ticket is kept raw in the review list with the reason (unless
    `quarantine` is False, as on a retry from that list); when even that fails the result is "lost", with the
    reason, and the caller reports it. Raises IntakeUnavailable only when the database is away.
    """
    now = clock.now()
    try:
        parsed = mailparse.parse(raw, received_at=now, **_limits())
    except mailparse.MailParseError as e:
        return _reject(shop, raw, e.reason, source, quarantine)
    except Exception as e:  # noqa: BLE001 - a parser bug must cost one mail a trip to the review list, no more
        log.exception("mail parser failed for shop %s", shop.id)
        return _reject(shop, raw, _failure("could not be read", e), source, quarantine)
    parsed = storable.clean(parsed)
    key = dedupe_key(parsed)
    try:
        seen = db.session.scalar(sa.select(InboundMail).where(InboundMail.shop_id == shop.id,
                                                              InboundMail.dedupe_key == key))
        if seen is not None:
            return IntakeResult("duplicate", seen.ticket_id, seen.message_id)
        result, own_sender = _take_in(shop, raw, parsed, key, source, now)
        if result.outcome == "rejected":
            db.session.rollback()
            return _reject(shop, raw, result.reason, source, quarantine)
        db.session.commit()
    except IntegrityError as e:
        db.session.rollback()
        # Another intake of the same mail committed first: the unique key on InboundMail stopped this one.
        seen = _seen(shop, key)
        if seen is not None:
            return IntakeResult("duplicate", seen.ticket_id, seen.message_id)
        log.exception("intake failed for shop %s", shop.id)
        return _reject(shop, raw, _failure("could not be stored", e), source, quarantine)
    except Exception as e:  # noqa: BLE001 - one odd mail must not stop the fetcher; keep it for the owner
        db.session.rollback()
        if database_away(e):
            # Not the mail's fault: quarantining a good mail for this would be wrong. Retry later.
            raise IntakeUnavailable(str(e.__class__.__name__)) from e
        log.exception("intake failed for shop %s", shop.id)
        return _reject(shop, raw, _failure("could not be taken in", e), source, quarantine)
    if result.outcome == "new" and _may_acknowledge(shop, parsed, own_sender):
        _acknowledge(shop, result.ticket_id)
    return result


def _seen(shop: Shop, key: str) -> InboundMail | None:
    try:
        return db.session.scalar(sa.select(InboundMail).where(InboundMail.shop_id == shop.id,
                                                              InboundMail.dedupe_key == key))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


def _failure(what: str, e: BaseException) -> str:
    # The first line of the driver's message says what was wrong; the SQL and its parameters would be noise.
    detail = str(getattr(e, "orig", None) or e).strip().splitlines()
    return storable.text(f"{what} ({e.__class__.__name__}: {detail[0] if detail else ''})", 500, multiline=False)


def _reject(shop: Shop, raw: bytes, reason: str, source: str, quarantine: bool) -> IntakeResult:
    """Keep the raw mail in the review list with the reason; when even that fails, say so and go on."""
    if not quarantine:
        return IntakeResult("rejected", reason=reason)
    try:
        row = QuarantinedMail(shop_id=shop.id, raw=bytes(raw), size=len(raw), error=reason, source=source,
                              subject_hint=_subject_hint(raw), received_at=clock.now())
        db.session.add(row)
        db.session.commit()
    except Exception as e:  # noqa: BLE001 - the caller must learn that this mail is kept nowhere
        db.session.rollback()
        if database_away(e):
            raise IntakeUnavailable(str(e.__class__.__name__)) from e
        log.exception("mail for shop %s could not be kept, not even for review (%s)", shop.id, reason)
        return IntakeResult("lost", reason=f"{reason}; not kept for review either: {_failure('error', e)}")
    log.warning("mail for shop %s kept for review: %s", shop.id, reason)
    return IntakeResult("rejected", quarantine_id=row.id, reason=reason)


def _subject_hint(raw: bytes) -> str:
    """Whatever can be read of the subject, to tell rejected mails apart in the list."""
    try:
        head = bytes(raw[:2 * 1024 * 1024]).split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
        msg = email.message_from_bytes(head, policy=policy.compat32)
        return mailparse.decode_words(msg.get("subject", ""))[:300]
    except Exception:  # noqa: BLE001 - a hint only
        return ""


def _take_in(shop: Shop, raw: bytes, parsed: mailparse.ParsedMail, key: str, source: str,
             now: datetime) -> tuple[IntakeResult, bool]:
    """The mail into a ticket (flushed, not committed), and whether it came from one of our own addresses."""
    # The whole message as it arrived: whatever storable cut or cleaned out of a field is still here.
    record = InboundMail(shop_id=shop.id, dedupe_key=key, outcome="new", source=source, received_at=now,
                         raw=bytes(raw))
    db.session.add(record)
    db.session.flush()  # the unique key first: a concurrent twin fails here, before any ticket is made
    at = min(parsed.date, now)

    if parsed.is_bounce or (parsed.bounce_original_message_id and parsed.auto_submitted):
        return _take_bounce(shop, parsed, record, at), False

    settings = mailconfig.settings_for(shop)
    own = mailparse.is_from_own_address(parsed, mailconfig.own_addresses(shop, settings))
    body, body_html = _body(raw, parsed)
    ours = [*mailconfig.own_addresses(shop, settings), settings.imap_user or ""]
    ticket = _thread_ticket(shop, parsed)
    refers_to = None
    role = None
    if ticket is not None and not own:
        # Anyone can write "Re: [#5]": only the conversation's own people write into its thread.
        from_marketplace = mailparse.matches_rule(parsed, settings.marketplace_sender, None)
        role = participants.role_of(parsed.from_email, _conversation(ticket), from_marketplace=from_marketplace)
        if role is participants.Role.STRANGER:
            refers_to, ticket = ticket, None
    if ticket is not None:
        # A sender's clock running behind must not put the answer above the reply it answers.
        at = max(at, ticket.last_message_at or at)
        if own or parsed.auto_submitted:
            # Our own mail copied to the inbox, or an out-of-office: keep it, but it is not the customer asking.
            label = "Sent from our own mailbox" if own else "Automatic reply from the customer's mailbox"
            message = ticket_service.add_note(ticket, shop, f"[{label}]\n\n{body}".strip(), by=None, at=at)
            message.email_message_id = parsed.message_id
            outcome = "note"
        else:
            message = ticket_service.add_customer_message(ticket, shop, body, at=at, body_html=body_html,
                                                          email_message_id=parsed.message_id)
            if role is participants.Role.PARTICIPANT:
                message.sender_name, message.sender_email = parsed.from_name or None, parsed.from_email
            outcome = "threaded"
            _add_participants(shop, ticket, parsed, ours)
    else:
        forwarded_at = None
        name, address = parsed.reply_to_name or parsed.from_name, parsed.reply_to or parsed.from_email
        if refers_to is not None:
            # The stranger is this ticket's customer, by the address the mail really came from.
            name, address = parsed.from_name, parsed.from_email
        elif mailparse.matches_rule(parsed, settings.marketplace_sender, settings.marketplace_subject):
            forwarded_at = at  # the marketplace forwarded it now: the 8 business hours count from here
            name, address = mailparse.forwarded_customer(parsed) or (name, address)
        elif own:
            # Someone forwarded a customer's mail from our own address: the customer is inside.
            name, address = mailparse.forwarded_customer(parsed) or (name, address)
        if parsed.reply_to and not parsed.reply_to_name and forwarded_at is None and refers_to is None:
            name = parsed.from_name
        ticket = ticket_service.create_ticket(
            shop, subject=parsed.subject or "(no subject)", body=body, body_html=body_html,
            customer_name=name or "", customer_email=address or None, channel=Channel.EMAIL.value,
            received_at=at, forwarded_at=forwarded_at, email_message_id=parsed.message_id,
            language=_language(parsed))
        message = ticket.messages[0]
        outcome = "new"
        if refers_to is not None:
            _refer(ticket, refers_to)
        else:
            _add_participants(shop, ticket, parsed, ours)
    db.session.flush()
    _store_attachments(shop, ticket, message, parsed)
    record.ticket_id, record.message_id, record.outcome = ticket.id, message.id, outcome
    # The quoted history folded away from the body stays with the intake record; the thread can unfold it.
    record.quoted_text = (parsed.quoted_text or "")[:100_000] or None
    return IntakeResult(outcome, ticket.id, message.id), own


def _conversation(ticket: Ticket) -> participants.Conversation:
    known = db.session.scalars(sa.select(TicketParticipant.email).where(TicketParticipant.ticket_id == ticket.id,
                                                                       TicketParticipant.shop_id == ticket.shop_id))
    return participants.Conversation.of(ticket.customer_email, known)


def _add_participants(shop: Shop, ticket: Ticket, parsed: mailparse.ParsedMail, ours: list[str]) -> None:
    """Remember who else this mail involved (copied in, the From behind a Reply-To, the forwarding marketplace),
    so their mail may thread into the conversation later."""
    found = participants.new_participants(customer_email=ticket.customer_email, sender=parsed.from_email,
                                          reply_to=parsed.reply_to, to=parsed.to, cc=parsed.cc, own=ours)
    if not found:
        return
    db.session.flush()
    known = set(db.session.scalars(sa.select(TicketParticipant.email).where(TicketParticipant.ticket_id == ticket.id)))
    for address in found:
        address = storable.text(address, 254, multiline=False)
        if address not in known:
            known.add(address)
            db.session.add(TicketParticipant(ticket_id=ticket.id, shop_id=shop.id, email=address))


def _refer(ticket: Ticket, old: Ticket) -> None:
    """Link a stranger's follow-up, now a ticket of its own, to the conversation it answered. Both ticket pages
    say so; the old ticket itself is left exactly as it was (not reopened, no clock restarted, nothing added)."""
    ticket.refers_to_id = old.id


def _language(parsed: mailparse.ParsedMail) -> str | None:
    code = (parsed.language or "").split("-")[0].lower()
    return code if code in LANGUAGES else None


def _body(raw: bytes, parsed: mailparse.ParsedMail) -> tuple[str, str | None]:
    """The new text (quoted history folded away); the sanitised HTML only when the mail had no plain text."""
    text = (parsed.new_text or parsed.text or "").strip()
    if not text and parsed.accepted_attachments:
        text = "(attachment only)"
    html = parsed.html if parsed.html and not _has_plain_part(raw) else None
    return text, html


def _has_plain_part(raw: bytes) -> bool:
    try:
        msg = email.message_from_bytes(bytes(raw), policy=policy.compat32)
    except Exception:  # noqa: BLE001
        return True
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename() \
                and "attachment" not in (part.get("Content-Disposition") or "").lower():
            return True
    return False


def _thread_ticket(shop: Shop, parsed: mailparse.ParsedMail) -> Ticket | None:
    """The ticket this mail answers: by its In-Reply-To/References, else by a [#id] tag of this shop."""
    ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
    if ids:
        candidates = ids + [f"<{i}>" for i in ids]
        ticket_id = db.session.scalar(
            sa.select(Message.ticket_id).where(Message.shop_id == shop.id, Message.email_message_id.in_(candidates))
            .order_by(Message.id.desc()).limit(1))
        if ticket_id is None:
            ticket_id = db.session.scalar(
                sa.select(OutboundEmail.ticket_id).where(OutboundEmail.shop_id == shop.id,
                                                         OutboundEmail.email_message_id.in_(candidates))
                .order_by(OutboundEmail.id.desc()).limit(1))
        if ticket_id is not None:
            return db.session.get(Ticket, ticket_id)
    if parsed.ticket_tag is not None:
        return db.session.scalar(sa.select(Ticket).where(Ticket.id == parsed.ticket_tag, Ticket.shop_id == shop.id))
    return None


def _team_language(shop: Shop) -> str:
    """The language the shop's owner reads Seller Inbox in; else Dutch for a Dutch shop, English otherwise."""
    locale = db.session.scalar(sa.select(User.locale).where(User.shop_id == shop.id, User.role == Role.OWNER.value,
                                                            User.locale.is_not(None)).order_by(User.id).limit(1))
    return locale or ("nl" if shop.country == "NL" else "en")


def _take_bounce(shop: Shop, parsed: mailparse.ParsedMail, record: InboundMail, at: datetime) -> IntakeResult:
    """A delivery failure: mark the reply it bounced from and say so in its thread; never a new ticket."""
    ids = [i for i in [parsed.bounce_original_message_id, parsed.in_reply_to, *parsed.references] if i]
    candidates = ids + [f"<{i}>" for i in ids]
    outbound = db.session.scalar(
        sa.select(OutboundEmail).where(OutboundEmail.shop_id == shop.id, OutboundEmail.email_message_id.in_(candidates))
        .order_by(OutboundEmail.id.desc()).limit(1)) if ids else None
    ticket = db.session.get(Ticket, outbound.ticket_id) if outbound and outbound.ticket_id else None
    if ticket is None:
        return IntakeResult("rejected", reason="delivery failure notice for a mail this inbox did not send"
                                                + (f" ({parsed.bounce_reason})" if parsed.bounce_reason else ""))
    if parsed.is_bounce:
        outbound.state = "bounced"
        # The mail server's own words only: the thread puts "bounced:" before them in the reader's language.
        outbound.last_error = (parsed.bounce_reason or "")[:2000] or None
    # A note is one text for the whole team: in the shop's language, never one fixed in English.
    with force_locale(_team_language(shop)):
        reason = parsed.bounce_reason or _("no reason given")
        if parsed.is_bounce:
            note = _("The reply to %(to)s could not be delivered: %(reason)s", to=outbound.to_addr, reason=reason)
        else:
            note = _("Delivery to %(to)s is delayed: %(reason)s", to=outbound.to_addr, reason=reason)
    message = ticket_service.add_note(ticket, shop, note, by=None, at=at)
    db.session.flush()
    record.ticket_id, record.message_id, record.outcome = ticket.id, message.id, "bounce"
    return IntakeResult("bounce", ticket.id, message.id)


def _store_attachments(shop: Shop, ticket: Ticket, message: Message, parsed: mailparse.ParsedMail) -> None:
    for att in parsed.attachments:
        db.session.add(MailAttachment(
            shop_id=shop.id, ticket_id=ticket.id, message_id=message.id,
            filename=(att.filename or "attachment")[:255], content_type=(att.content_type or "application/octet-stream")[:127],
            size=att.size, data=None if att.rejected else att.data,
            rejected_reason=(att.rejected_reason or None) and att.rejected_reason[:200], inline=att.inline))


# -- automatic acknowledgement ------------------------------------------------------------------------------

def _may_acknowledge(shop: Shop, parsed: mailparse.ParsedMail, own_sender: bool | None = None) -> bool:
    """Never answer a machine (Auto-Submitted, Precedence bulk/list, bounces) or ourselves: that is how loops start."""
    if parsed.auto_submitted or parsed.is_bounce or not parsed.from_email:
        return False
    if own_sender is None:
        own_sender = mailparse.is_from_own_address(parsed, mailconfig.own_addresses(shop))
    if own_sender:
        return False
    local = parsed.from_email.split("@", 1)[0].lower()
    return local not in ("mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply")


def _acknowledge(shop: Shop, ticket_id: int) -> None:
    """Hand the new ticket to the acknowledgement (it decides: every question, or only while the shop is closed)."""
    acknowledge = _acknowledger()
    if acknowledge is None or not (shop.auto_ack_enabled or shop.ack_all):  # never switched on: nothing to load
        return
    try:
        ticket = db.session.get(Ticket, ticket_id)
        acknowledge(ticket, shop, auto_submitted=False)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the question is in; a failed courtesy mail must not undo that
        db.session.rollback()
        log.exception("automatic acknowledgement failed for ticket %s", ticket_id)


def _acknowledger():
    """The team area's acknowledgement for closed shops (services/team.auto_acknowledge), when installed."""
    try:
        from inbox.services import team
    except ImportError:
        return None
    return getattr(team, "auto_acknowledge", None)
