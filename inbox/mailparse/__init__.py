"""The pure e-mail layer: parse inbound mail, build outbound replies.

No Flask, no database, no network. :func:`parse` turns the raw bytes of a message into a :class:`ParsedMail` the
app stores; :func:`build_reply` makes the outbound :class:`~email.message.EmailMessage` with the threading headers
(Message-ID, In-Reply-To, References) and the ticket tag ``[#id]`` in the subject that tie the customer's next mail
back to the ticket.

The parts, in the order a message goes through them:
- ``decode``: bytes and header values to text (charsets, encoded words, addresses, dates);
- ``mime``: the MIME tree walked for bodies, attachments (within limits) and delivery reports;
- ``text``: HTML and format=flowed bodies to plain text;
- ``quotes``: the quoted history split from the new text (also used by ``inbox.nudges``);
- ``subjects``: the ``[#123]`` tag and the Re:/Fwd: prefixes;
- ``inbound``: :func:`parse`, which puts the above together into a :class:`ParsedMail` (``parsed``);
- ``outbound``: :func:`build_reply` and the Message-ID;
- ``rules``: our own address, forwarding rules, the customer of a forwarded mail.
"""
from __future__ import annotations

from inbox.mailparse.decode import decode_text, decode_words
from inbox.mailparse.inbound import is_automatic, parse
from inbox.mailparse.mime import DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_TOTAL_BYTES
from inbox.mailparse.outbound import build_reply, make_message_id, reply_subject
from inbox.mailparse.parsed import Attachment, MailParseError, ParsedMail
from inbox.mailparse.quotes import split_quoted
from inbox.mailparse.rules import forwarded_customer, is_from_own_address, matches_rule
from inbox.mailparse.subjects import find_ticket_tag, subject_tag
from inbox.mailparse.text import html_to_text

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_BYTES",
    "DEFAULT_MAX_HEADER_BYTES",
    "DEFAULT_MAX_TOTAL_BYTES",
    "Attachment",
    "MailParseError",
    "ParsedMail",
    "build_reply",
    "decode_text",
    "decode_words",
    "find_ticket_tag",
    "forwarded_customer",
    "html_to_text",
    "is_automatic",
    "is_from_own_address",
    "make_message_id",
    "matches_rule",
    "parse",
    "reply_subject",
    "split_quoted",
    "subject_tag",
]
