"""The data model. Every table with customer data carries shop_id, and every query filters on it."""
from inbox.models.audit import AuditEvent, LoginAttempt
from inbox.models.mail import OutboundEmail
from inbox.models.shop import Shop
from inbox.models.ticket import Message, Ticket, TicketTag
from inbox.models.user import User

__all__ = ["AuditEvent", "LoginAttempt", "Message", "OutboundEmail", "Shop", "Ticket", "TicketTag", "User"]
