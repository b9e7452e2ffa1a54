"""Ticket statuses and the moves between them. Pure: no Flask, no database."""
from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"          # waiting for us
    PENDING = "pending"    # waiting for the customer
    SOLVED = "solved"


ALLOWED = {
    Status.OPEN: {Status.PENDING, Status.SOLVED},
    Status.PENDING: {Status.OPEN, Status.SOLVED},
    Status.SOLVED: {Status.OPEN},
}


def can_transition(old: Status | str, new: Status | str) -> bool:
    """Whether a ticket may move from old to new; staying put is always allowed."""
    old, new = Status(old), Status(new)
    return old == new or new in ALLOWED[old]


def next_statuses(current: Status | str) -> list[Status]:
    """The statuses a ticket may move to from `current`, in the order the status buttons show them."""
    return [s for s in Status if s in ALLOWED[Status(current)]]


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    AGENT = "agent"


# What each role may do; checked on the server by inbox.access.require().
PERMISSIONS = {
    Role.OWNER: {"answer", "manage_tickets", "manage_templates", "manage_help", "see_reports", "manage_team",
                 "manage_shop"},
    Role.MANAGER: {"answer", "manage_tickets", "manage_templates", "manage_help", "see_reports"},
    Role.AGENT: {"answer"},
}


def may(role: Role | str, permission: str) -> bool:
    return permission in PERMISSIONS[Role(role)]


class Channel(StrEnum):
    EMAIL = "email"
    WEBFORM = "webform"
    PHONE = "phone"
    MARKETPLACE = "marketplace"  # forwarded by the marketplace's customer service


class MessageKind(StrEnum):
    CUSTOMER = "customer"
    REPLY = "reply"
    NOTE = "note"
    AUTO = "auto"  # automatic acknowledgement: never counts as a reaction
