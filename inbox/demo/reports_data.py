"""Demo data for the performance page: 13 weeks of answered questions, a call log and orders.

So the charts look real on the first run: a response norm mostly met with one bad week, a phone
that is sometimes missed, and one product that suddenly draws many more questions per order.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from inbox import metrics
from inbox.demo.texts import CUSTOMERS_NL, PRODUCTS, QUESTIONS
from inbox.extensions import db
from inbox.models import Call, Order, Shop, Ticket, User
from inbox.services import norms, sla, tickets
from inbox.workflow import Status

HISTORY_WEEKS = 17          # 13 shown plus 4 so the first weeks have an expected rate too
TROUBLE_PRODUCT = PRODUCTS[2]


def seed(rng: random.Random, shop: Shop, agents: list[User], now: datetime) -> None:
    """Add older solved questions, calls and orders to the demo shop (call after its recent tickets)."""
    cal = sla.calendar_for(shop)
    weeks = metrics.weeks_back(now, shop.tz, HISTORY_WEEKS + 1)
    for i, week in enumerate(weeks[:-3]):          # the last three weeks already have the live demo tickets
        bad_week = i == len(weeks) - 9
        for _ in range(rng.randrange(28, 40)):
            _old_ticket(rng, shop, cal, week, agents, late_chance=0.22 if bad_week else 0.05)
    db.session.flush()
    _calls(rng, shop, weeks, now)
    _orders(rng, shop, weeks, now)
    db.session.flush()


def _old_ticket(rng, shop, cal, week, agents, late_chance):
    category, language, _formal, _upset, subject, body = rng.choice([q for q in QUESTIONS if q[1] == "nl"])
    first, last, _gender = rng.choice(CUSTOMERS_NL)
    product = rng.choice(PRODUCTS)
    order = f"10{rng.randrange(10**7, 10**8)}"
    values = {"product": product, "order": order, "customer": f"{first} {last}", "first": first, "day": "maandag"}
    for key, value in values.items():
        subject, body = subject.replace("{" + key + "}", value), body.replace("{" + key + "}", value)
    received = week.start + timedelta(seconds=rng.randrange(int((week.end - week.start).total_seconds())))
    ticket = tickets.create_ticket(shop, subject=subject, body=body, customer_name=f"{first} {last}",
                                   customer_email=f"{first}.{last}".lower().replace(" ", "") + "@example.com",
                                   received_at=received, language=language, order_number=order, product=product)
    agent = rng.choice(agents)
    hours = rng.uniform(8.2, 14) if rng.random() < late_chance else rng.uniform(0.2, 6.5)
    reply_at = cal.add_business_hours(ticket.clock_start, hours)
    tickets.reply(ticket, shop, "Dank voor uw bericht, we hebben het voor u uitgezocht.", by=agent, at=reply_at,
                  status=Status.SOLVED.value)
    if rng.random() < 0.2:  # some customers write back before it is solved for good
        tickets.add_customer_message(ticket, shop, "Nog een vraag hierover.", at=reply_at + timedelta(hours=3))
        tickets.reply(ticket, shop, "Graag gedaan, alles is geregeld.", by=agent,
                      at=cal.add_business_hours(reply_at + timedelta(hours=3), rng.uniform(0.5, 5)),
                      status=Status.SOLVED.value)
    ticket.assignee = agent


def _calls(rng, shop, weeks, now):
    hours = norms.phone_calendar(shop)
    seen = set()
    for i, week in enumerate(weeks[-14:]):
        miss_rate = 0.16 if i == 6 else rng.uniform(0.03, 0.09)
        for _ in range(rng.randrange(45, 70)):
            local = week.start.astimezone(shop.tz) + timedelta(days=rng.randrange(7))
            local = local.replace(hour=rng.choice([8, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 16, 17, 19]),
                                  minute=rng.randrange(60), second=0)
            at = local.astimezone(now.tzinfo)
            if at >= now or not (hours.is_open(at) or rng.random() < 0.3):
                continue
            answered = rng.random() > miss_rate
            caller = f"+316{rng.randrange(10**7, 10**8)}"
            if (at, caller) in seen:
                continue
            seen.add((at, caller))
            db.session.add(Call(shop_id=shop.id, at=at, direction="in", answered=answered,
                                duration_s=rng.randrange(40, 600) if answered else 0, caller=caller, source="csv"))
        for _ in range(rng.randrange(5, 12)):
            at = week.start + timedelta(days=rng.randrange(5), hours=rng.randrange(8, 15))
            if at < now:
                db.session.add(Call(shop_id=shop.id, at=at, direction="out", answered=True,
                                    duration_s=rng.randrange(60, 400), caller=f"+316{rng.randrange(10**7, 10**8)}"))


def _orders(rng, shop, weeks, now):
    """About 6 questions per 100 orders per product; the trouble product's rate triples in the last weeks."""
    questions = Counter()
    rows = db.session.execute(db.select(Ticket.received_at, Ticket.product, Ticket.order_number)
                              .where(Ticket.shop_id == shop.id)).all()
    numbers = set()
    for received, product, number in rows:
        i = metrics.week_index(weeks, received)
        if i is not None and product:
            questions[(i, product)] += 1
            if number and (number, product) not in numbers:
                numbers.add((number, product))  # the order the question is about exists too
                db.session.add(Order(shop_id=shop.id, order_number=number, product=product, quantity=1,
                                     ordered_at=received - timedelta(days=rng.randrange(2, 9)), source="csv"))
    serial = 20000
    for i, week in enumerate(weeks):
        recent = i >= len(weeks) - 4
        for product in PRODUCTS:
            q = questions.get((i, product), 0)
            per_100 = 17.0 if recent and product == TROUBLE_PRODUCT else rng.uniform(5, 7)
            count = max(8, int(q * 100 / per_100)) - q
            for _ in range(max(0, count)):
                at = week.start + timedelta(seconds=rng.randrange(int((week.end - week.start).total_seconds())))
                if at >= now:
                    continue
                serial += 1
                db.session.add(Order(shop_id=shop.id, order_number=f"20{serial}", product=product,
                                     quantity=rng.choice([1, 1, 1, 2]), ordered_at=at, source="csv"))
