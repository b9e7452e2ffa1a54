"""The data model. Every table with customer data carries shop_id, and every query filters on it."""
from inbox.models.audit import AuditEvent, LoginAttempt
from inbox.models.customer import CustomerLink, RateCount, RateHit, Rating
from inbox.models.composer import Draft, ReplyTemplate, ReplyTemplateOption, SendToken
from inbox.models.help import HelpArticle, HelpArticleWeek
from inbox.models.login_session import LoginSession
from inbox.models.mail import OutboundEmail
from inbox.models.mailbox import ImapCursor, InboundMail, MailAttachment, MailSettings, QuarantinedMail
from inbox.models.presence import Presence
from inbox.models.reports import ApiToken, Call, NormNotice, NormSettings, NormWeek, Order, PhoneHours, ProductWeek, ServiceCount, ServiceFine, TicketDay, TicketMeasure
from inbox.models.shop import Shop
from inbox.models.team import ContactSubmission, Invitation, UserPhoto
from inbox.models.ticket import Message, Ticket, TicketParticipant, TicketTag
from inbox.models.upload import Upload
from inbox.models.user import User
from inbox.models.webhooks import SlaNotice, WebhookDelivery, WebhookEndpoint

__all__ = ["CustomerLink", "RateHit", "Rating", "Draft", "ReplyTemplate", "ReplyTemplateOption", "SendToken", "ImapCursor", "InboundMail", "MailAttachment", "MailSettings", "QuarantinedMail", "ApiToken", "Call", "NormNotice", "NormSettings", "NormWeek", "Order", "PhoneHours", "ProductWeek", "ServiceCount", "ServiceFine", "TicketDay", "TicketMeasure", "AuditEvent", "ContactSubmission", "Invitation", "LoginAttempt", "LoginSession", "Message", "OutboundEmail", "Presence", "Shop", "Ticket", "TicketParticipant", "TicketTag", "User", "WebhookDelivery", "WebhookEndpoint", "Upload", "SlaNotice", "HelpArticle", "HelpArticleWeek", "RateCount", "UserPhoto"]
