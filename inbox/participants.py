"""Who wrote a follow-up, as far as a ticket's conversation is concerned. Pure: no Flask, no database.

A mail that threads into a ticket (by In-Reply-To or by the [#123] subject tag) is only the customer's when it
comes from the customer's address. Anyone can put "Re: [#5]" in a subject, so a sender the conversation does not
know is a stranger: the mail becomes a new ticket that refers to the old one, and never appears under the
customer's name, reopens the ticket or restarts its clock. People the conversation does know (an address copied
in, the marketplace's customer service, the From behind a Reply-To) are participants: their mail threads, under
their own name, marked as not the customer.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    CUSTOMER = "customer"
    PARTICIPANT = "participant"
    STRANGER = "stranger"


def normalise(address: str | None) -> str:
    return (address or "").strip().strip("<>").strip().lower()


@dataclass(frozen=True)
class Conversation:
    """What a ticket knows about who takes part: its customer and the other addresses seen in it."""
    customer_email: str | None
    participants: frozenset[str] = frozenset()

    @classmethod
    def of(cls, customer_email: str | None, participants: Iterable[str] = ()) -> Conversation:
        return cls(normalise(customer_email) or None, frozenset(filter(None, map(normalise, participants))))


def role_of(sender: str | None, conversation: Conversation, *, from_marketplace: bool = False) -> Role:
    """The sender's role in the conversation. Decided by the From address alone: a Reply-To costs a stranger
    nothing to set, so naming the customer there does not make anyone the customer."""
    sender = normalise(sender)
    if not sender:
        return Role.STRANGER
    if sender == conversation.customer_email:
        return Role.CUSTOMER
    if from_marketplace or sender in conversation.participants:
        return Role.PARTICIPANT
    return Role.STRANGER


def new_participants(*, customer_email: str | None, sender: str | None, reply_to: str | None,
                     to: Iterable[str], cc: Iterable[str], own: Iterable[str]) -> list[str]:
    """The addresses a mail from the customer or a participant brings into the conversation: its From and
    Reply-To (when not the customer's) and everyone it was sent or copied to, except the customer and us.

    `own` holds our addresses, "@shop.example" for a whole domain."""
    own_addresses = {normalise(a) for a in own if a and not a.startswith("@")}
    own_domains = {normalise(a)[1:] for a in own if a and a.startswith("@")}
    customer = normalise(customer_email)
    found: list[str] = []
    for address in (sender, reply_to, *to, *cc):
        address = normalise(address)
        if (not address or "@" not in address or address == customer or address in own_addresses
                or address.rpartition("@")[2] in own_domains or address in found):
            continue
        found.append(address)
    return found
