"""Customers, users and the week's norm figures through the API: read-only."""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g

from inbox import clock, metrics
from inbox.api import schemas as s
from inbox.api.core import ApiError, field_error, operation
from inbox.api.tickets import summary
from inbox.extensions import db
from inbox.models import Ticket, User
from inbox.services import assignment, count_progress, norms, recount

CUSTOMER_TICKETS = 100


@operation("GET", "/customers", tag="Customers and users", scope="read", query=s.CustomerQuery,
           response=s.CustomerOut, errors=(404,))
def get_customer(query: s.CustomerQuery):
    """Look up a customer by e-mail address, with their questions to this shop.

    404 when the shop has no question from that address.
    """
    email = query.email.strip().lower()
    rows = list(db.session.scalars(
        sa.select(Ticket).where(Ticket.shop_id == g.api_shop.id, Ticket.customer_email == email)
        .order_by(Ticket.received_at.desc(), Ticket.id.desc()).limit(CUSTOMER_TICKETS)
        .options(so.lazyload(Ticket.assignee))).unique())
    if not rows:
        raise ApiError(404, "No question from this address in this shop.")
    name = next((t.customer_name for t in rows if t.customer_name), "")
    return s.CustomerOut(email=email, name=name, tickets=[s.TicketSummary(**summary(t)) for t in rows])


@operation("GET", "/users", tag="Customers and users", scope="read", response=s.UserList)
def list_users():
    """The shop's accounts, for assigning tickets.

    Deactivated accounts are listed with `active: false`; they cannot be assigned.
    """
    now = clock.now()
    users = db.session.scalars(sa.select(User).where(User.shop_id == g.api_shop.id).order_by(User.display_name,
                                                                                              User.id))
    return s.UserList(data=[s.UserOut(id=u.id, name=u.display_name, email=u.email, role=u.role, active=u.active,
                                      away=u.active and not assignment.is_available(u, now)) for u in users])


@operation("GET", "/norms/week", tag="Norms", scope="read", query=s.WeekQuery, response=s.WeekNorms,
           errors=(503,))
def get_week_norms(query: s.WeekQuery):
    """The week's norm figures, as on the performance page.

    Response time: at least 90% of questions get a first reaction within 8 business hours, counted in the week
    the question came in (or was forwarded). Phone: at least 90% of calls in opening hours answered. Questions
    and orders: the basis of the question-volume norm.
    """
    shop, now = g.api_shop, clock.now()
    at = now
    if query.date:
        try:
            day = date.fromisoformat(query.date)
        except ValueError:
            raise field_error("date", "not a date (YYYY-MM-DD)", "query") from None
        if not 1970 <= day.year <= 2100:
            raise field_error("date", "must lie between the years 1970 and 2100", "query")
        at = datetime.combine(day, time(12), tzinfo=shop.tz)
    week = metrics.week_of(at, shop.tz)
    progress = count_progress.of_shop(shop)
    if not progress.done:
        recount.count_in_background()   # where no worker runs; an integration may be the shop's only reader
        raise ApiError(503, f"The figures are being recounted after an update ({progress.percent}% done); "
                            "try again shortly.", headers={"Retry-After": "30"})
    score = norms.weekly_tickets(shop, [week], now)[0]
    phone = norms.phone_weekly(shop, [week], now)[0]
    return s.WeekNorms(
        week=week.key, start=week.start, end=week.end,
        response=s.ResponseNorm(on_time=score.on_time, late=score.late, missing=score.missing, waiting=score.waiting,
                                share_on_time=score.share, meets_norm=score.meets_norm, missed=score.missed),
        phone=s.PhoneNorm(answered=phone.answered, missed=phone.missed, share_answered=phone.share),
        questions=score.total, orders=norms.weekly_orders(shop, [week])[0])
