"""What the API takes and answers, as pydantic models: they validate requests, shape responses, and are the
schemas of the OpenAPI document (pydantic writes JSON Schema 2020-12, the dialect of OpenAPI 3.1).

Text fields refuse what PostgreSQL cannot store (NUL characters, lone surrogates) and carry the length of their
column, so a value is refused with its field named instead of failing in the database.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, RootModel

from inbox.labels import LANGUAGES
from inbox.workflow import MessageKind

LanguageCode = Literal[tuple(LANGUAGES)]   # a customer's language (inbox.labels)


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text") from None
    return value


def _in_range(value: datetime) -> datetime:
    # The business-hours maths and the databases work with years, not eons: refuse what cannot be a real moment.
    if not 1970 <= value.year <= 2100:
        raise ValueError("must lie between the years 1970 and 2100")
    return value


NO_NUL = {"pattern": "^[^\\u0000]*$"}
Text = Annotated[str, AfterValidator(_storable), Field(json_schema_extra=NO_NUL)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]

StatusName = Literal["open", "pending", "solved"]
ChannelName = Literal["email", "webform", "phone", "marketplace"]
ViewName = Literal["needs_reply", "mine", "unassigned", "due_soon", "overdue", "pending", "solved", "all"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    # Unknown query parameters are ignored (cache busters), unlike unknown body fields.
    model_config = ConfigDict(extra="ignore")


# --------------------------------------------------------------------------- errors

class FieldError(BaseModel):
    field: str = Field(description="The field, dotted for nested ones (`tags.2`).")
    in_: Literal["body", "query", "header", "path"] = Field(alias="in", serialization_alias="in")
    message: str


class Error(BaseModel):
    """Every error answer of the API."""
    error: str = Field(description="What went wrong, in a sentence.")
    status: int = Field(description="The HTTP status, repeated.")
    fields: list[FieldError] | None = Field(None, description="For 422: each field that was refused, and why.")


# --------------------------------------------------------------------------- tickets

class Customer(BaseModel):
    name: str
    email: str | None


class TicketSummary(BaseModel):
    id: int
    subject: str
    status: StatusName
    channel: ChannelName
    customer: Customer
    language: str
    category: str
    assignee_id: int | None
    tags: list[str]
    order_number: str | None
    product: str | None
    received_at: datetime
    forwarded_at: datetime | None = Field(description="Set when the marketplace forwarded the question; the "
                                                      "8 business hours count from here.")
    due_at: datetime | None = Field(description="When a reply is due; null when nobody waits for one.")
    first_reply_at: datetime | None
    solved_at: datetime | None
    last_message_at: datetime | None
    updated_at: datetime
    message_count: int
    snippet: str


class TicketPage(BaseModel):
    data: list[TicketSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Attachment(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    available: bool = Field(description="False when the file was not kept (too large, refused); it cannot be "
                                        "downloaded then.")
    download_url: str | None
    rejected_reason: str | None


class MessageOut(BaseModel):
    id: int
    kind: Literal["customer", "reply", "note", "auto"]
    author_id: int | None
    author_name: str | None
    body: str
    body_html: str | None = Field(description="The customer's HTML, sanitised; null for plain text.")
    created_at: datetime
    delivery: str | None = Field(description="For a reply sent by e-mail: queued, sending, sent, failed or bounced.")
    attachments: list[Attachment]


class SlaState(BaseModel):
    state: Literal["on_track", "due_soon", "overdue", "answered_on_time", "answered_late", "none"] = Field(
        description="`none`: nothing was ever asked of the shop.")
    due_at: datetime | None
    remaining_business_seconds: int | None = Field(
        description="Business seconds left until due (negative: that much overdue); for an answered ticket, the "
                    "last reply's margin.")
    paused_until: datetime | None = Field(description="Outside business hours: when the clock runs again.")
    first_reply_at: datetime | None
    first_reply_due_at: datetime | None
    first_reply_margin_seconds: int | None = Field(description="Business seconds the first reaction had left "
                                                              "(negative: late).")


class TicketDetail(TicketSummary):
    messages: list[MessageOut]
    sla: SlaState


class TicketCreate(Strict):
    """A new question, with the same rules as the "log a question" form."""
    subject: Text = Field(min_length=1, max_length=300)
    body: Text = Field(min_length=1, max_length=50000, description="The customer's question.")
    customer_name: Text = Field(min_length=1, max_length=200)
    customer_email: Text | None = Field(None, max_length=254)
    channel: ChannelName = "phone"
    received_at: Moment | None = Field(None, description="Default: now. Not in the future.")
    forwarded_at: Moment | None = Field(
        None, description="Required for channel `marketplace`: when its customer service forwarded the question. "
                          "Not before `received_at`, not in the future.")
    order_number: Text | None = Field(None, max_length=64)
    product: Text | None = Field(None, max_length=200)
    language: LanguageCode | None = Field(None, description="Default: detected from the text.")
    tags: list[Text] = Field(default_factory=list, max_length=20)


class TicketChange(Strict):
    """Only the fields sent are changed."""
    status: StatusName | None = None
    assignee_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        None, description="A user of the shop; null leaves it unassigned.")
    tags: list[Text] | None = Field(None, max_length=20, description="Replaces all tags.")


class TicketListQuery(Query):
    status: StatusName | None = None
    view: ViewName = Field("all", description="The inbox's views; `mine` means assigned to the token's creator.")
    assignee: Annotated[str, Field(pattern=r"^(none|\d{1,9})$")] | None = Field(
        None, description="A user id, or `none` for unassigned.")
    channel: ChannelName | None = None
    tag: Text | None = Field(None, max_length=40)
    updated_since: Moment | None = Field(None, description="Only tickets changed at or after this moment.")
    order: Literal["updated", "-updated"] = Field(
        "updated", description="By last change, oldest first (`updated`: lossless for syncing) or newest first.")
    cursor: Text | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=100)


class AttachmentIn(Strict):
    filename: Text = Field(min_length=1, max_length=255, description="The name the customer sees, e.g. "
                                                                     "`Factuur 2026-1187.pdf`.")
    content_base64: str = Field(min_length=1, description="The file's bytes, base64-encoded (RFC 4648).",
                                json_schema_extra={"contentEncoding": "base64"})


class MessageCreate(Strict):
    kind: Literal["reply", "note"] = Field("reply", description="A reply is e-mailed to the customer; a note "
                                                                "is for colleagues only.")
    body: Text = Field(min_length=1, max_length=50000)
    status: StatusName | None = Field(None, description="For a reply: the ticket's status after it (default "
                                                        "pending).")
    attachments: list[AttachmentIn] = Field(
        default_factory=list, max_length=20,
        description="Files for the reply (sent as e-mail attachments) or the note. The shop's limits apply (by "
                    "default 10 MB a file, 25 MB together); programs are refused by their content. The whole "
                    "request may be as large as the app's upload limit (32 MB by default; base64 adds a third).")


class MessageCreated(BaseModel):
    message: MessageOut
    duplicate: bool = Field(description="True when this Idempotency-Key was used before: nothing new was sent.")
    emailed: bool = Field(description="Whether a reply was queued for e-mail (false for a note, or a ticket "
                                      "without an e-mail address).")


# --------------------------------------------------------------------------- people and figures

class CustomerQuery(Query):
    email: Text = Field(min_length=3, max_length=254)


class CustomerOut(BaseModel):
    email: str
    name: str
    tickets: list[TicketSummary] = Field(description="Their questions to this shop, newest first (at most 100).")


class UserOut(BaseModel):
    id: int
    name: str
    email: str
    role: Literal["owner", "manager", "agent"]
    active: bool
    away: bool = Field(description="On an away period right now: not picked for new questions.")


class UserList(BaseModel):
    data: list[UserOut]


class WeekQuery(Query):
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = Field(
        None, description="A day in the week wanted (YYYY-MM-DD); default this week.")


class ResponseNorm(BaseModel):
    on_time: int
    late: int
    missing: int = Field(description="Past due without a first reaction.")
    waiting: int = Field(description="Clock still running.")
    share_on_time: float | None = Field(description="On time / decided; the norm is 0.9.")
    meets_norm: bool | None
    missed: int = Field(description="Late plus missing; from 10 in a week the seller gets an e-mail.")


class PhoneNorm(BaseModel):
    answered: int
    missed: int
    share_answered: float | None


class WeekNorms(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W47.")
    start: datetime
    end: datetime
    response: ResponseNorm
    phone: PhoneNorm
    questions: int
    orders: int


# --------------------------------------------------------------------------- calls and orders

class Lenient(BaseModel):
    # Calls and orders took any extra keys before the OpenAPI document existed; integrations may still send them.
    model_config = ConfigDict(extra="ignore")


class CallIn(Lenient):
    """One call from the telephony service."""
    at: Text | None = Field(None, max_length=64, description="Date and time, e.g. 2026-11-16T10:05:00+01:00 "
                                                             "(also accepted as `time` or `datetime`).")
    time: Text | None = Field(None, max_length=64)
    datetime_: Text | None = Field(None, alias="datetime", max_length=64)
    direction: Text | None = Field(None, max_length=16, description="in / inbound (default) or out / outbound.")
    answered: bool | Text | None = Field(None, description="true/false; or give `status`.")
    status: Text | None = Field(None, max_length=32)
    duration_s: float | Text | None = None
    duration: float | Text | None = None
    caller: Text | None = Field(None, max_length=200)
    from_: Text | None = Field(None, alias="from", max_length=200)


class CallStored(BaseModel):
    stored: bool
    duplicate: bool


class OrderIn(Lenient):
    order_number: Text | int | None = Field(None, description="Required.")
    ordered_at: Text | None = Field(None, max_length=64, description="Required (or `date`).")
    date: Text | None = Field(None, max_length=64)
    product: Text | None = Field(None, max_length=300, description="Product or EAN required.")
    ean: Text | int | None = None
    quantity: int | Text | None = None


class OrdersIn(Strict):
    orders: list[OrderIn]


class OrdersBody(RootModel[OrdersIn | list[OrderIn] | OrderIn]):
    """One order line, a list of them, or {"orders": [...]}; at most 1000 lines a request."""


class OrderError(BaseModel):
    index: int
    error: str


class OrdersStored(BaseModel):
    error: str | None = Field(None, description="With status 422: no line could be read.")
    status: int | None = None
    added: int
    duplicates: int
    errors: list[OrderError]


__all__ = [name for name in dir() if name[0].isupper()] + ["MessageKind"]
