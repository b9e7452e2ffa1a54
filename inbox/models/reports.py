"""What the performance page measures besides tickets: calls, orders, phone hours, and the weekly notices sent."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class Call(db.Model):
    """One call attempt to (or from) the shop's phone, from a telephony export, the API, or typed in."""

    __table_args__ = (
        # Re-importing the same export must not count a call twice.
        sa.UniqueConstraint("shop_id", "at", "direction", "caller", name="uq_call_shop_at_direction_caller"),
        sa.Index("ix_call_shop_at", "shop_id", "at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    direction: so.Mapped[str] = so.mapped_column(sa.String(3), default="in")  # in | out
    answered: so.Mapped[bool] = so.mapped_column(default=True)
    duration_s: so.Mapped[int] = so.mapped_column(default=0)
    # "" rather than NULL for an unknown number: NULLs never collide in a unique constraint.
    caller: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    source: so.Mapped[str] = so.mapped_column(sa.String(16), default="manual")  # csv | api | manual
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Order(db.Model):
    """One product line of an order; tickets link to it by order number."""

    __table_args__ = (
        sa.UniqueConstraint("shop_id", "order_number", "product", name="uq_order_shop_number_product"),
        sa.Index("ix_order_shop_ordered", "shop_id", "ordered_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    order_number: so.Mapped[str] = so.mapped_column(sa.String(64))
    ordered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    product: so.Mapped[str] = so.mapped_column(sa.String(200))
    ean: so.Mapped[str | None] = so.mapped_column(sa.String(14))
    quantity: so.Mapped[int] = so.mapped_column(default=1)
    source: so.Mapped[str] = so.mapped_column(sa.String(16), default="csv")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class NormNotice(db.Model):
    """A norm e-mail that went out. The unique key is what makes "one e-mail per week" hold with two
    workers running the check: each inserts first and only the one whose insert succeeds sends."""

    __table_args__ = (sa.UniqueConstraint("shop_id", "norm", "iso_year", "iso_week", name="uq_norm_notice_week"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    norm: so.Mapped[str] = so.mapped_column(sa.String(16))  # response | volume
    iso_year: so.Mapped[int] = so.mapped_column()
    iso_week: so.Mapped[int] = so.mapped_column()
    count: so.Mapped[int] = so.mapped_column(default=0)
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class PhoneHours(db.Model):
    """One opening interval of the shop's phone on one weekday. No rows: Monday–Friday 09:00–17:00."""

    __table_args__ = (sa.Index("ix_phone_hours_shop", "shop_id", "weekday"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    weekday: so.Mapped[int] = so.mapped_column()  # 0 = Monday
    opens: so.Mapped[str] = so.mapped_column(sa.String(5))  # "HH:MM", local
    closes: so.Mapped[str] = so.mapped_column(sa.String(5))  # "HH:MM"; "24:00" is midnight


class NormSettings(db.Model):
    """The owner's choices about norm e-mails (one row per shop, created on first save)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), unique=True)
    volume_email: so.Mapped[bool] = so.mapped_column(default=False)


class ApiToken(db.Model):
    """A token a telephony service, web shop or other tool uses for the API. Only its hash is kept.

    `scope`: "read" (read tickets, customers, users, figures), "write" (that, plus change tickets, reply and post
    calls and orders) or "imports" (calls and orders only: what tokens could do before the ticket API)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))  # shown in the list so the owner can tell them apart
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    scope: so.Mapped[str] = so.mapped_column(sa.String(16), default="imports", server_default="imports")


class TicketMeasure(db.Model):
    """A ticket's service figures in whole business minutes, kept exact in the same transaction as every change of
    the ticket or its public thread (`services/service_counts.py`): what the ticket counts for in `service_count`
    and `service_fine`, so a change takes off exactly what it added before."""

    __table_args__ = (sa.Index("ix_ticket_measure_shop", "shop_id"),)

    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    day: so.Mapped[date] = so.mapped_column(sa.Date)          # the shop's local date its clock started
    assignee_id: so.Mapped[int] = so.mapped_column()          # 0: nobody
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    first_response: so.Mapped[int | None] = so.mapped_column()
    resolution: so.Mapped[int | None] = so.mapped_column()
    gap_sum: so.Mapped[int] = so.mapped_column(default=0)
    gap_count: so.Mapped[int] = so.mapped_column(default=0)
    wait: so.Mapped[int] = so.mapped_column(default=0)
    wait_key: so.Mapped[int | None] = so.mapped_column()      # an open question's running wait: now's minute - key
    solved: so.Mapped[bool] = so.mapped_column(default=False)
    first_contact: so.Mapped[bool] = so.mapped_column(default=False)


class ServiceCount(db.Model):
    """The service measures' coarse counts per shop, member (an assignee, "a<id>", "a0" for nobody, or a channel,
    "c<name>"), block of local days (inbox.histograms: 1 to 256 days), kind and value: the tickets' sums (kind 0:
    value 0 tickets, 1 solved, 2 solved at first contact, 3 minutes between responses, 4 their number), the ranges
    (inbox.histograms.bucket) of first response (1), resolution (2) and settled wait (3), and the 64-minute bins
    of the running waits' keys (4). Kept with TicketMeasure."""

    __tablename__ = "service_count"

    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), primary_key=True)
    block: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    member: so.Mapped[str] = so.mapped_column(sa.String(24), primary_key=True)
    kind: so.Mapped[int] = so.mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    value: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    n: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class ServiceFine(db.Model):
    """The fine counts behind ServiceCount's ranges and bins: per value itself (minutes; a running wait's key), read
    only for the one or two ranges that hold a wanted rank, so its key leads with the kind and block."""

    __tablename__ = "service_fine"

    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), primary_key=True)
    kind: so.Mapped[int] = so.mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    block: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    value: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    member: so.Mapped[str] = so.mapped_column(sa.String(24), primary_key=True)
    n: so.Mapped[int] = so.mapped_column(default=0)


class NormWeek(db.Model):
    """One settled week of a shop's performance page, kept so a page view need not scan half a year.

    `version` goes up whenever a ticket or order of the week changes (in that change's transaction)
    and drops `data`; a page view stores `data` only under the version it read before computing."""

    __table_args__ = (sa.UniqueConstraint("shop_id", "week_start", name="uq_norm_week_shop_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    week_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime)   # local Monday 00:00, as UTC
    version: so.Mapped[int] = so.mapped_column(default=0)
    data: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    as_of: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)  # the moment `data` was computed for


# The performance page scans a shop's last half year of questions per view; this index holds every column those
# aggregates read, so the scan never touches the wide ticket rows (subject, snippet, ...). Declared here, next to
# the page's other tables, but it belongs to the ticket table.
def _ticket_norms_index():
    from inbox.models.ticket import Ticket
    return sa.Index("ix_ticket_norms", Ticket.shop_id, Ticket.received_at, Ticket.forwarded_at,
                    Ticket.first_reply_margin, Ticket.first_reply_at, Ticket.first_reply_due_at, Ticket.assignee_id,
                    Ticket.product, Ticket.order_number)


_ticket_norms_index()


class TicketDay(db.Model):
    """A shop's questions per local day and assignee, kept exact in the same transaction as every ticket change
    (`services/ticket_days.py`), so the planner and the performance page read a few hundred rows, however long
    the shop's history.

    `received` counts by the local day the question arrived (the planner); the others by the day its clock
    started (the marketplace's forward, else the receipt), as the performance page's weeks do."""

    __tablename__ = "ticket_day"

    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), primary_key=True)
    day: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)   # the shop's local date
    assignee_id: so.Mapped[int] = so.mapped_column(primary_key=True)    # 0: nobody (a key cannot be NULL)
    received: so.Mapped[int] = so.mapped_column(default=0)
    questions: so.Mapped[int] = so.mapped_column(default=0)
    on_time: so.Mapped[int] = so.mapped_column(default=0)     # first reaction within its 8 business hours
    late: so.Mapped[int] = so.mapped_column(default=0)
    unanswered: so.Mapped[int] = so.mapped_column(default=0)  # no first reaction yet, with a due time


class ProductWeek(db.Model):
    """A shop's questions and order lines per local week and product, kept exact in the same transaction as every
    change to a ticket or an order (`services/product_weeks.py`), so the performance page's question volume and
    products read a few hundred rows, however long the shop's history.

    Questions count by the week their clock started, under their category; order lines by the week they were
    ordered, under category "" (an order line has none), where `orders` counts each order number once per week
    (under the smallest product of its lines that week, so a week's orders are the sum over its products)."""

    __tablename__ = "product_week"

    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), primary_key=True)
    week: so.Mapped[date] = so.mapped_column(sa.Date, primary_key=True)   # the shop's local Monday
    product: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    questions: so.Mapped[int] = so.mapped_column(default=0)
    order_lines: so.Mapped[int] = so.mapped_column(default=0)
    orders: so.Mapped[int] = so.mapped_column(default=0)


# The questions still within their 8 business hours: the only part of a week's counts that time alone changes,
# read live on top of TicketDay, and the at-risk list, soonest due first. By due time, so a reader starts at now
# and meets no question past due; carrying what decides the week (when the clock started) and the assignee, so
# SQLite reads the index alone (first_reply_at too: SQLite takes a partial index's condition for no column).
def _ticket_waiting_index():
    from inbox.models.ticket import Ticket
    return sa.Index("ix_ticket_unanswered_due", Ticket.shop_id, Ticket.first_reply_due_at, Ticket.forwarded_at,
                    Ticket.received_at, Ticket.assignee_id, Ticket.first_reply_at,
                    sqlite_where=Ticket.first_reply_at.is_(None), postgresql_where=Ticket.first_reply_at.is_(None))


_ticket_waiting_index()


# A page of this week's misses, newest clock start first (norms.week_misses): the first reactions that may have been
# late, and the questions without one, each on (shop, clock start, id), the page's order, so the walk meets no
# question answered in time and stops at the page; the questions without one carry their due time, so those still
# waiting are passed over in the index. The predicates are norm_sql's MAYBE_LATE and UNANSWERED, which the queries
# repeat word for word.
def _ticket_miss_indexes():
    from inbox.models.ticket import Ticket
    clock_start = sa.func.coalesce(Ticket.forwarded_at, Ticket.received_at)
    maybe_late = sa.text("first_reply_at IS NOT NULL AND (first_reply_margin < 0 OR first_reply_margin IS NULL)")
    unanswered = sa.text("first_reply_at IS NULL")
    return (sa.Index("ix_ticket_late_start", Ticket.shop_id, clock_start, Ticket.id,
                     sqlite_where=maybe_late, postgresql_where=maybe_late),
            sa.Index("ix_ticket_unanswered_start", Ticket.shop_id, clock_start, Ticket.id, Ticket.first_reply_due_at,
                     sqlite_where=unanswered, postgresql_where=unanswered))


_ticket_miss_indexes()
