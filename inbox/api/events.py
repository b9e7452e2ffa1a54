"""What each webhook event posts, as pydantic models: the `webhooks` of the OpenAPI document and the payload list of
the reference page. The services build the payloads (services/webhooks.py, sla_events.py, norms.py);
tests/app/test_webhook_events.py checks every event they queue against these schemas."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from inbox.api.schemas import ChannelName, StatusName
from inbox.services.sla_events import BREACH_LOOKBACK
from inbox.services.ticket_list import DUE_SOON_HOURS


class WebhookTicket(BaseModel):
    """The question an event is about, as it is after the change."""

    ticket_id: int
    subject: str
    status: StatusName
    channel: ChannelName
    assignee_id: int | None
    customer_email: str | None
    due_at: datetime | None = Field(description="When the first reaction (or the next reply) is due; null when "
                                                "nobody is waiting for the shop.")


class MessageCreatedData(WebhookTicket):
    message_id: int
    kind: Literal["customer", "reply", "note", "auto"] = Field(
        description="customer: the customer wrote; reply: a public answer (e-mailed); note: internal; auto: the "
                    "automatic acknowledgement while the shop is closed.")
    author_id: int | None = Field(description="The colleague who wrote it; null for the customer.")
    body: str


class StatusChangedData(WebhookTicket):
    old_status: StatusName | None


class AssignedData(WebhookTicket):
    old_assignee_id: int | None


class SlaClock(BaseModel):
    state: Literal["due_soon", "overdue"]
    due_at: datetime
    remaining_business_seconds: int = Field(description="Business seconds left (0 or negative: that much late).")
    due_soon_business_hours: int = Field(description="The threshold of `sla.due_soon`: business hours left.")


class SlaEventData(WebhookTicket):
    sla: SlaClock


class NormWarningData(BaseModel):
    week: str = Field(description="ISO week in the shop's zone, e.g. 2026-W47.")
    iso_year: int
    iso_week: int
    week_start: datetime
    week_end: datetime = Field(description="Exclusive.")
    late_first_reactions: int = Field(description="Questions of the week whose first reaction came (or is still "
                                                  "missing) after 8 business hours.")
    warning_at: int = Field(description="The marketplace's limit (10).")
    ticket_ids: list[int] = Field(description="The late questions, latest first.")


class _Envelope(BaseModel):
    id: str = Field(description="The event id: the same on every retry (also in X-Inbox-Event-Id); skip one "
                                "you have seen.")
    created_at: datetime
    shop_id: int


class TicketCreatedEvent(_Envelope):
    event: Literal["ticket.created"]
    data: WebhookTicket


class MessageCreatedEvent(_Envelope):
    event: Literal["message.created"]
    data: MessageCreatedData


class TicketStatusChangedEvent(_Envelope):
    event: Literal["ticket.status_changed"]
    data: StatusChangedData


class TicketAssignedEvent(_Envelope):
    event: Literal["ticket.assigned"]
    data: AssignedData


class SlaDueSoonEvent(_Envelope):
    event: Literal["sla.due_soon"]
    data: SlaEventData


class SlaBreachedEvent(_Envelope):
    event: Literal["sla.breached"]
    data: SlaEventData


class NormWeeklyWarningEvent(_Envelope):
    event: Literal["norm.weekly_warning"]
    data: NormWarningData


# event -> (its payload, when it is sent)
EVENTS: dict[str, tuple[type[BaseModel], str]] = {
    "ticket.created": (TicketCreatedEvent, "A question came in (e-mail, contact form, API, phone or marketplace)."),
    "message.created": (MessageCreatedEvent, "A message was added to a question: the customer's, a reply or a note."),
    "ticket.status_changed": (TicketStatusChangedEvent, "A question's status changed (open, pending, solved)."),
    "ticket.assigned": (TicketAssignedEvent, "A question was assigned to a colleague, or unassigned."),
    "sla.due_soon": (SlaDueSoonEvent, f"A waiting question has {DUE_SOON_HOURS} business hours or less left (the "
                                      "amber badge, the Due soon list). Once per deadline; queued by the worker, "
                                      "which looks every minute."),
    "sla.breached": (SlaBreachedEvent, "A waiting question's deadline passed without a reply. Once per deadline "
                                       f"(deadlines over {BREACH_LOOKBACK.days * 24} hours old are not announced); "
                                       "queued by the worker, which looks every minute."),
    "norm.weekly_warning": (NormWeeklyWarningEvent, "10 or more questions of this ISO week missed the 8 business "
                                                    "hours: once per week, with the owner's e-mail."),
}
