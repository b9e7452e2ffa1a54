"""A year of older, answered questions for the demo shop, so "Plan a quiet period" has history to go on.

Weekly volume follows a web shop's year: busy before Sinterklaas and Christmas, quiet between
Christmas and New Year and in the summer holidays, and a bit lower a year ago than now (growth).
Inserted in bulk with Core statements: a year of tickets through the services would slow the seed down.
"""
from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from inbox.demo.texts import CUSTOMERS_NL, PRODUCTS, QUESTIONS
from inbox.extensions import db
from inbox.models import Message, Shop, Ticket, User
from inbox.planning import monday
from inbox.services import recount, sla
from inbox.workflow import Channel, MessageKind, Status

WEEKS = 64   # the chart shows 52, the trend needs 8 more a year back, the forecast a few weeks around
BASE = 30    # questions in an ordinary week a year ago


def seasonal(iso_week: int) -> float:
    """How busy an ISO week is compared with an ordinary one."""
    def bump(centre, width, height):
        distance = min(abs(iso_week - centre), 52 - abs(iso_week - centre))
        return height * math.exp(-((distance / width) ** 2))
    return (1 + bump(49, 2.2, 0.55) - bump(52.5, 0.8, 0.45) + bump(2, 1.0, 0.25)
            - bump(31, 2.5, 0.35) + bump(18, 1.0, 0.12))


def seed_history(rng: random.Random, shop: Shop, agents: list[User], now: datetime) -> int:
    """Add solved questions week by week before the oldest existing ticket of the shop. Returns the count."""
    tz = shop.tz
    oldest = db.session.scalar(sa.select(sa.func.min(Ticket.received_at)).where(Ticket.shop_id == shop.id)) or now
    stop = monday(oldest.astimezone(tz).date())   # fill whole weeks before the existing data
    this_week = monday(now.astimezone(tz).date())
    cal = sla.calendar_for(shop)
    questions = [q for q in QUESTIONS if q[1] == "nl"]
    tickets, replies = [], []
    for back in range(WEEKS, 0, -1):
        week = this_week - timedelta(weeks=back)
        if week >= stop:
            break
        growth = 0.85 + 0.15 * (WEEKS - back) / WEEKS
        count = max(3, round(BASE * seasonal(week.isocalendar()[1]) * growth * rng.uniform(0.88, 1.12)))
        for _ in range(count):
            day = week + timedelta(days=rng.choices(range(7), weights=[18, 17, 16, 15, 14, 9, 11])[0])
            local = datetime.combine(day, time(rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 21]), rng.randrange(60)), tz)
            received = local.astimezone(now.tzinfo)
            due = cal.add_business_hours(received, sla.SLA_HOURS)
            reply_at = cal.add_business_hours(received, rng.uniform(0.3, 7.5) if rng.random() > 0.06 else rng.uniform(8.2, 12))
            margin = cal.business_seconds_between(reply_at, due) if reply_at <= due else -cal.business_seconds_between(due, reply_at)
            category, language, _formal, _upset, subject, body = rng.choice(questions)
            first, last, _gender = rng.choice(CUSTOMERS_NL)
            product = rng.choice(PRODUCTS)
            fill = {"product": product, "order": f"10{rng.randrange(10**7, 10**8)}", "customer": f"{first} {last}",
                    "first": first, "day": "maandag"}
            for key, value in fill.items():
                subject, body = subject.replace("{" + key + "}", value), body.replace("{" + key + "}", value)
            agent = rng.choice(agents)
            tickets.append(dict(
                shop_id=shop.id, subject=subject[:300], customer_name=f"{first} {last}",
                customer_email=f"{first}.{last}".lower().replace(" ", "") + "@example.com", language=language,
                channel=rng.choice([Channel.EMAIL.value] * 6 + [Channel.WEBFORM.value]), category=category,
                status=Status.SOLVED.value, assignee_id=agent.id, product=product, received_at=received,
                first_reply_at=reply_at, first_reply_due_at=due, first_reply_margin=margin, last_reply_margin=margin,
                solved_at=reply_at, last_message_at=reply_at, snippet="Dank voor uw bericht.", message_count=2,
                created_at=received, updated_at=reply_at))
            replies.append((body, agent.id, received, reply_at, due, margin))
    if not tickets:
        return 0
    ids = db.session.scalars(sa.insert(Ticket.__table__).returning(Ticket.__table__.c.id, sort_by_parameter_order=True),
                             tickets).all()
    messages = []
    for ticket_id, (body, agent_id, received, reply_at, due, margin) in zip(ids, replies):
        messages.append(dict(ticket_id=ticket_id, shop_id=shop.id, kind=MessageKind.CUSTOMER.value, author_id=None,
                             body=body, created_at=received, sla_due_at=None, sla_margin=None))
        messages.append(dict(ticket_id=ticket_id, shop_id=shop.id, kind=MessageKind.REPLY.value, author_id=agent_id,
                             body="Dank voor uw bericht. We hebben het voor u uitgezocht en alles is geregeld.",
                             created_at=reply_at, sla_due_at=due, sla_margin=margin))
    db.session.execute(sa.insert(Message.__table__), messages)
    recount.shop(db.session.connection(), shop.id)  # the rows went past the ORM, so no kept figure was told
    return len(ids)
