"""The review list: mail that could not be read, kept raw with the reason until the owner retries or deletes it."""
from __future__ import annotations

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import QuarantinedMail, Shop, User
from inbox.services import audit, intake


def rows(shop_id: int) -> list[QuarantinedMail]:
    """The shop's unread mail, the newest first."""
    return list(db.session.scalars(sa.select(QuarantinedMail).where(QuarantinedMail.shop_id == shop_id)
                                   .order_by(QuarantinedMail.received_at.desc(), QuarantinedMail.id.desc())))


def count(shop_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(QuarantinedMail.id)).where(QuarantinedMail.shop_id == shop_id))


def retry(shop: Shop, row: QuarantinedMail, *, by: User) -> intake.IntakeResult:
    """Import the mail again (after an update of the parser, or a raised limit): imported, it leaves the list
    (recorded in the audit log); else its reason and attempts are brought up to date. The caller commits."""
    row_id = row.id
    result = intake.receive_email(shop, row.raw, source="retry", quarantine=False)   # commits on its own
    row = db.session.get(QuarantinedMail, row_id)
    if result.ok:
        db.session.delete(row)
        audit.record(shop.id, "mail.review.retry", actor=by, ticket=None, new=result.outcome)
    else:
        row.error, row.attempts = result.reason, row.attempts + 1
    return result


def delete(row: QuarantinedMail, *, by: User) -> None:
    """Throw the mail away, recorded in the audit log. The caller commits."""
    audit.record(row.shop_id, "mail.review.delete", actor=by, field="mail", old=row.subject_hint or f"#{row.id}")
    db.session.delete(row)
