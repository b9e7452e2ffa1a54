"""Storing calls and orders from CSV files, the API or the manual form, without duplicates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone

import sqlalchemy as sa

from inbox import csvimport
from inbox.extensions import db
from inbox.models import Call, Order, Shop
from inbox.services import audit, flush_locks


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    rejected: list[csvimport.Rejected] = field(default_factory=list)
    error: str | None = None


def _call_key(at, direction, caller):
    return (at.astimezone(timezone.utc).replace(microsecond=0), direction, caller)


def store_calls(shop: Shop, rows: list[csvimport.CallRow], source: str) -> tuple[int, int]:
    """Add the calls not stored yet (same time, direction and caller = the same call). Returns (added, duplicates)."""
    if not rows:
        return 0, 0
    lo, hi = min(r.at for r in rows), max(r.at for r in rows)
    existing = {_call_key(at, d, c) for at, d, c in db.session.execute(
        sa.select(Call.at, Call.direction, Call.caller).where(Call.shop_id == shop.id, Call.at >= lo, Call.at <= hi))}
    added = 0
    for row in rows:
        key = _call_key(row.at, row.direction, row.caller)
        if key in existing:
            continue
        existing.add(key)
        db.session.add(Call(shop_id=shop.id, at=key[0], direction=row.direction, answered=row.answered,
                            duration_s=row.duration_s, caller=row.caller, source=source))
        added += 1
    return added, len(rows) - added


def store_orders(shop: Shop, rows: list[csvimport.OrderRow], source: str) -> tuple[int, int]:
    """Add the order lines not stored yet (order number + product). Returns (added, duplicates)."""
    if not rows:
        return 0, 0
    numbers = sorted({r.order_number for r in rows})
    flush_locks.writing_orders(db.session.connection(), shop.id, numbers)
    existing = set()
    for i in range(0, len(numbers), 500):
        existing.update(tuple(r) for r in db.session.execute(sa.select(Order.order_number, Order.product).where(
            Order.shop_id == shop.id, Order.order_number.in_(numbers[i:i + 500]))))
    added = 0
    for row in rows:
        key = (row.order_number, row.product)
        if key in existing:
            continue
        existing.add(key)
        db.session.add(Order(shop_id=shop.id, order_number=row.order_number, ordered_at=row.ordered_at,
                             product=row.product, ean=row.ean, quantity=row.quantity, source=source))
        added += 1
    return added, len(rows) - added


def add_call(shop: Shop, row: csvimport.CallRow, *, by) -> bool:
    """One call typed in by hand; False when the log had it already. The caller commits."""
    added, _duplicates = store_calls(shop, [row], "manual")
    audit.record(shop.id, "calls.add", actor=by, new=row.at.isoformat())
    return bool(added)


def import_calls(shop: Shop, data: bytes, *, by=None) -> ImportResult:
    parsed = csvimport.parse_calls(csvimport.decode(data), shop.tz)
    result = ImportResult(rejected=parsed.rejected, error=parsed.error)
    if not parsed.error:
        result.added, result.duplicates = store_calls(shop, [row for _, row in parsed.rows], "csv")
        audit.record(shop.id, "calls.import", actor=by, new=f"{result.added} added, {len(result.rejected)} rejected")
        db.session.commit()
    return result


def import_orders(shop: Shop, data: bytes, *, by=None) -> ImportResult:
    parsed = csvimport.parse_orders(csvimport.decode(data), shop.tz)
    result = ImportResult(rejected=parsed.rejected, error=parsed.error)
    if not parsed.error:
        result.added, result.duplicates = store_orders(shop, [row for _, row in parsed.rows], "csv")
        audit.record(shop.id, "orders.import", actor=by, new=f"{result.added} added, {len(result.rejected)} rejected")
        db.session.commit()
    return result
