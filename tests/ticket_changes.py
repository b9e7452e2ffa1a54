"""What the app does to a shop's tickets, orders, calls and settings, as random steps for the property tests of the
kept figures (tests/app/test_ticket_days.py, tests/app/test_service_counts.py)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inbox import csvimport
from inbox.extensions import db
from inbox.models import Order, Shop
from inbox.services import away, imports, norms, product_weeks, service_counts, shops, ticket_days
from inbox.services import tickets as ticket_service
from inbox.workflow import Channel, Status, can_transition
from tests.conftest import NOW

START = NOW - timedelta(weeks=4)
OPS = ("receive", "forwarded", "reply", "customer", "solve", "reopen", "pending", "assign", "unassign", "delete",
       "move", "orders", "order_edit", "order_delete", "product", "order_number", "category", "away", "zone",
       "no_due", "call", "phone_hours", "closed", "channel")


def at(minutes: int):
    return min(START + timedelta(minutes=minutes % (60 * 24 * 29)), NOW)


def apply(op: str, n: int, shop: Shop, people: list, found: list) -> None:
    live = [t for t in found if t in db.session]
    ticket = live[n % len(live)] if live else None
    someone = people[n % len(people)]
    if op == "receive" or ticket is None:
        found.append(ticket_service.create_ticket(
            shop, subject=f"Vraag {n}", body="Waar blijft mijn pakket?", received_at=at(n), order_number=f"A{n % 3}",
            assignee=someone if n % 2 else None, product=None if n % 3 else "Lamp"))
    elif op == "forwarded":
        found.append(ticket_service.create_ticket(
            shop, subject=f"Doorgestuurd {n}", body="Via de marketplace.", received_at=at(n),
            forwarded_at=at(n + (n % 3000) - 1000)))
    elif op == "reply":
        if ticket.status != Status.SOLVED.value:   # a solved question cannot become pending by a reply
            ticket_service.reply(ticket, shop, "Het is onderweg.", by=someone, at=max(ticket.received_at, at(n)),
                                 status=Status.PENDING.value if n % 2 else Status.SOLVED.value)
    elif op == "customer":
        ticket_service.add_customer_message(ticket, shop, "Nog steeds niets.", at=at(n))
    elif op in ("solve", "reopen", "pending"):
        new = {"solve": Status.SOLVED, "reopen": Status.OPEN, "pending": Status.PENDING}[op].value
        if ticket.status == new or can_transition(ticket.status, Status(new)):
            ticket_service.change_status(ticket, shop, new, by=someone, at=at(n))
    elif op == "assign":
        ticket_service.assign(ticket, shop, someone, by=None)
    elif op == "unassign":
        ticket_service.assign(ticket, shop, None, by=None)
    elif op == "delete":   # as a shop's deletion does: what refers to the ticket first (ticket_measure: by cascade)
        db.session.flush()
        for table in reversed(db.metadata.sorted_tables):
            if "ticket_id" in table.c and table.name not in ("message", "ticket_tag", "ticket_measure"):
                db.session.execute(sa.delete(table).where(table.c.ticket_id == ticket.id))
        db.session.delete(ticket)
        found.remove(ticket)
    elif op == "move":   # an edit of when it arrived or was forwarded
        if n % 2:
            ticket.received_at = at(n)
        else:
            ticket.forwarded_at = at(n * 7) if ticket.forwarded_at is None else None
    elif op == "orders":
        imports.store_orders(shop, [csvimport.OrderRow(f"A{n % 3}", at(n), f"Product {n % 4}", None, 1)], "csv")
    elif op in ("order_edit", "order_delete"):
        lines = db.session.scalars(sa.select(Order).where(Order.shop_id == shop.id).order_by(Order.id)).all()
        if lines:
            line = lines[n % len(lines)]
            if op == "order_delete":
                db.session.delete(line)
            elif n % 3 == 0:
                line.ordered_at = at(n * 11)
            elif n % 3 == 1 and not any(o.order_number == line.order_number and o.product == "Bureau" for o in lines):
                line.product = "Bureau"
            else:
                line.order_number = f"A{(n + 1) % 3}" if not any(
                    o.order_number == f"A{(n + 1) % 3}" and o.product == line.product for o in lines) else line.order_number
    elif op == "product":
        ticket.product = (None, "Lamp", "Stoel")[n % 3]
    elif op == "order_number":
        ticket.order_number = (None, "A0", "A1", "A2")[n % 4]
    elif op == "category":
        ticket.category = ("general", "return", "late_delivery")[n % 3]
    elif op == "away":
        other = people[(n + 1) % len(people)]
        away.set_away(someone, away_from=NOW - timedelta(hours=1), away_until=NOW + timedelta(days=n % 5 + 1),
                      delegate=other if n % 2 else None, by=other)
    elif op == "zone":
        zone = "Europe/London" if shop.timezone != "Europe/London" else "Europe/Amsterdam"
        shops.update_details(shop, {**{f: getattr(shop, f) for f in shops.DETAILS}, "timezone": zone}, by=people[0])
    elif op == "no_due":   # the reply clock cleared by hand (a question nobody is asked to answer)
        ticket.first_reply_due_at = None
    elif op == "call":     # logged later, perhaps in a week already kept
        imports.store_calls(shop, [csvimport.CallRow(at(n * 13), "in" if n % 4 else "out", bool(n % 3), 60,
                                                     f"+31{n}")], "csv")
    elif op == "phone_hours":
        norms.save_settings(shop, {wd: (("08:00", "12:00" if n % 2 else "20:00"),) for wd in range(5 + n % 2)},
                            volume_email=False, by=people[0])
    elif op == "channel":  # corrected by hand
        ticket.channel = list(Channel)[n % len(Channel)].value
    elif op == "closed":   # vacation mode, set or moved (the shop keeps only its last closure)
        shop.closed_from, shop.closed_until = at(n), at(n) + timedelta(days=n % 4 + 1)


def play(steps, commit_every: int, shop: Shop, people: list, check) -> None:
    """Apply the steps, committing every `commit_every` of them and at the end, and check(shop) after each commit."""
    found: list = []
    for i, (op, n) in enumerate(steps):
        apply(op, n, shop, people, found)
        if (i + 1) % commit_every == 0:
            db.session.commit()
            check(shop)
    db.session.commit()
    check(shop)


def counts_agree(shop_id: int) -> None:
    """Every kept figure of the shop equals a count from scratch (after what the session had not committed)."""
    db.session.rollback()
    conn = db.session.connection()
    assert ticket_days.kept(conn, shop_id) == ticket_days.recount(conn, shop_id)
    assert product_weeks.kept(conn, shop_id) == product_weeks.recount(conn, shop_id)
    assert service_counts.kept(conn, shop_id) == service_counts.recount(conn, shop_id)
