from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow

# How the kept figures (ticket_day, product_week, ticket_measure, service_count, service_fine) are counted: a shop
# whose `counted_version` is lower is counted afresh, in short steps (services/recount.step: the worker, `flask
# norms rebuild`), and its pages say so until it is done. The migrations that make those tables leave them empty,
# so an upgraded database counts each shop once, with the code of now; raise it when a change to the counting needs
# every shop counted again.
COUNTED_VERSION = 1


class Shop(db.Model):
    """A seller's shop: the tenant. Every other row belongs to exactly one shop."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="NL")
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="Europe/Amsterdam")
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    contact_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    # Temporarily closed ("vacation mode"): closed while closed_from <= now < closed_until.
    closed_from: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    auto_assign: so.Mapped[bool] = so.mapped_column(default=False)
    # While closed, optionally acknowledge new customer questions automatically (never counts as a reaction).
    auto_ack_enabled: so.Mapped[bool] = so.mapped_column(default=False)
    auto_ack_text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Acknowledge every new mail or web-form question, open or closed, with the moment it will be answered.
    ack_all: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # "How did we do?" when a question is solved: in the solve reply ("reply"), as a separate short mail
    # ("separate"), or not at all ("off").
    rating_mode: so.Mapped[str] = so.mapped_column(sa.String(8), default="reply", server_default="reply")
    # Round-robin pointer for automatic assignment: the user who got the previous question.
    # A plain id, no foreign key: shop <-> user would otherwise form a cycle, and a stale id is harmless.
    last_assigned_id: so.Mapped[int | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Counts the changes to the shop's reply templates (services/reply_templates): each process keeps the list the
    # composer offers and reads it again when this moves, instead of querying it for every ticket shown.
    templates_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # What the composer takes as attachments, in MB (services/uploads): per file, and per message all together.
    attachment_file_mb: so.Mapped[int] = so.mapped_column(default=10, server_default="10")
    attachment_message_mb: so.Mapped[int] = so.mapped_column(default=25, server_default="25")
    # The COUNTED_VERSION its kept figures were counted with: a new shop has nothing to count; an upgraded one 0.
    counted_version: so.Mapped[int] = so.mapped_column(default=COUNTED_VERSION, server_default="0")
    # While counted_version is behind, how far the count in steps has come (services/count_progress): every ticket
    # up to this id, then every order number up to this one (in the database's order); None: not started. The
    # flushes keep counting what is behind the cursor and leave the rest to the steps.
    recount_ticket: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    recount_order: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    recount_done: so.Mapped[int] = so.mapped_column(default=0, server_default="0")     # tickets + order numbers
    recount_total: so.Mapped[int] = so.mapped_column(default=0, server_default="0")    # as found at the start

    users: so.WriteOnlyMapped["User"] = so.relationship(back_populates="shop")  # noqa: F821

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_closed(self, at: datetime) -> bool:
        """Whether the shop is temporarily closed at the instant `at`."""
        if self.closed_from is None:
            return False
        return self.closed_from <= at and (self.closed_until is None or at < self.closed_until)

    def __repr__(self) -> str:
        return f"<Shop {self.id} {self.name!r} {self.country}>"
