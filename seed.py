"""Demo data: python seed.py (demo shops), python seed.py --tickets 100000 (a large shop for load tests).

Safe to run again: the demo shops are removed and built anew, never duplicated.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from inbox import clock, create_app
from inbox.demo.texts import CUSTOMERS_EN, CUSTOMERS_NL, FOLLOW_UPS, PRODUCTS, PRODUCTS_BE, QUESTIONS, REPLIES, TAGS_BY_CATEGORY
from inbox.extensions import db
from inbox.models import Shop, User
from inbox.services import sla, tickets
from inbox.services.shops import delete_shop
from inbox.workflow import Channel, Role, Status

PASSWORD = "inbox-demo"
DEMO_SHOPS = {
    "Demo Shop": dict(country="NL", timezone="Europe/Amsterdam", phone="+31 20 123 4567", contact_email="service@demo-shop.example",
                      ack_all=True),
    "Boutique Bruxelles": dict(country="BE", timezone="Europe/Brussels", phone="+32 2 555 01 23", contact_email="info@boutique-bruxelles.example"),
}
DEMO_USERS = {
    "Demo Shop": [("owner@example.com", "Sanne de Vries", Role.OWNER), ("manager@example.com", "Mark Jansen", Role.MANAGER),
                  ("agent1@example.com", "Anna Bakker", Role.AGENT), ("agent2@example.com", "Youssef El Amrani", Role.AGENT)],
    "Boutique Bruxelles": [("owner-be@example.com", "Camille Dubois", Role.OWNER)],
}


def reset_demo_shops() -> dict[str, Shop]:
    for name in DEMO_SHOPS:
        for shop_id in db.session.scalars(sa.select(Shop.id).where(Shop.name == name)).all():
            delete_shop(shop_id)
    emails = [email for users in DEMO_USERS.values() for email, _, _ in users]
    db.session.execute(sa.delete(User).where(User.email.in_(emails)))  # strays from an older demo
    db.session.flush()
    shops = {}
    for name, details in DEMO_SHOPS.items():
        shop = Shop(name=name, **details)
        db.session.add(shop)
        db.session.flush()
        password_hash = None
        for email, display_name, role in DEMO_USERS[name]:
            user = User(shop_id=shop.id, email=email, display_name=display_name, role=role.value, show_on_contact=True)
            if password_hash is None:
                user.set_password(PASSWORD)
                password_hash = user.password_hash
            user.password_hash = password_hash  # one hash for one password: seeding stays fast
            db.session.add(user)
        shops[name] = shop
    db.session.flush()
    return shops


def _fill(text: str, **values) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _business_start(rng: random.Random, cal, now, days_back: float):
    """A plausible arrival time: mostly during the day, sometimes evening or weekend."""
    at = now - timedelta(days=days_back)
    local = at.astimezone(cal.tz)
    hour = rng.choice([8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 16, 19, 21, 22])
    local = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
    return min(local.astimezone(now.tzinfo), now - timedelta(minutes=rng.randrange(5, 50)))


def seed_demo(rng: random.Random, count: int = 150) -> None:
    now = clock.now()
    shops = reset_demo_shops()
    shop = shops["Demo Shop"]
    staff = {u.email: u for u in db.session.scalars(sa.select(User).where(User.shop_id == shop.id))}
    agents = [staff["agent1@example.com"], staff["agent2@example.com"], staff["manager@example.com"]]
    cal = sla.calendar_for(shop)
    from inbox.demo import reply_templates
    reply_templates.install(shop, by=staff["owner@example.com"])  # the starter set of saved replies
    from inbox.demo import help_articles
    help_articles.install(shop, by=staff["owner@example.com"])  # the help centre: the questions asked most
    help_articles.seed_counters(rng, shop)  # and eight weeks of how often they answered a question

    # Fixed scenarios first, so the inbox always shows every badge state; the rest is random.
    plan = (["fresh"] * 8 + ["due_soon"] * 5 + ["overdue"] * 7 + ["follow_up"] * 5
            + ["pending"] * 18 + ["late_solved"] * 12)
    plan += ["solved"] * (count - len(plan) - 2)
    rng.shuffle(plan)
    for index, scenario in enumerate(plan):
        _demo_ticket(rng, shop, cal, now, agents, scenario, index)
    from inbox.demo import reports_data
    reports_data.seed(rng, shop, agents, now)  # 13+ weeks of history, calls and orders for the performance page
    from inbox.demo.history import seed_history
    seed_history(rng, shop, agents, now)  # the year before that, for "Plan a quiet period"
    from inbox.demo import ratings
    # "How did we do?": the performance page's satisfaction, comments and follow-ups (a random stream of its
    # own, so the rest of the demo stays as it was)
    ratings.seed(random.Random(17), shop, now)
    shop_be = shops["Boutique Bruxelles"]
    owner_be = db.session.scalar(sa.select(User).where(User.shop_id == shop_be.id))
    cal_be = sla.calendar_for(shop_be)
    for index in range(2):
        product = PRODUCTS_BE[index]
        t = tickets.create_ticket(
            shop_be, subject=f"Question sur {product}", customer_name="Julie Lambert", customer_email="julie.lambert@example.be",
            body=f"Bonjour,\n\nLe {product} est-il disponible en bleu ?\n\nCordialement,\nJulie Lambert",
            received_at=_business_start(rng, cal_be, now, 1 + index), language="fr", product=product)
        if index:
            tickets.reply(t, shop_be, "Bonjour Madame Lambert,\n\nOui, il arrive la semaine prochaine.\n\nCordialement,\nCamille",
                          by=owner_be, at=t.received_at + timedelta(hours=2), status=Status.SOLVED.value)
    db.session.commit()


def _demo_ticket(rng, shop, cal, now, agents, scenario, index):
    category, language, formal, upset, subject, body = rng.choice(QUESTIONS)
    first, last, gender = rng.choice(CUSTOMERS_NL if language == "nl" else CUSTOMERS_EN)
    customer = f"{first} {last}"
    product = rng.choice(PRODUCTS)
    order = f"10{rng.randrange(10**7, 10**8)}"
    weekday = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"][rng.randrange(5)]
    values = dict(product=product, order=order, customer=customer, first=first, day=weekday)

    if scenario == "fresh":
        received = now - timedelta(minutes=rng.randrange(10, 120))
    elif scenario == "due_soon":
        # Between 6 and 7.5 business hours ago.
        received = _before(cal, now, rng.uniform(6.1, 7.6))
    elif scenario == "overdue":
        received = _before(cal, now, rng.uniform(8.5, 30))
    else:
        received = _business_start(rng, cal, now, rng.uniform(1, 21))
    forwarded = None
    if scenario in ("overdue", "solved", "pending", "fresh") and rng.random() < 0.12:
        forwarded = min(now - timedelta(minutes=5), received + timedelta(hours=rng.uniform(2, 30)))
    channel = rng.choice([Channel.EMAIL.value] * 6 + [Channel.WEBFORM.value, Channel.PHONE.value])
    assignee = rng.choice(agents + [None]) if scenario in ("fresh", "due_soon", "overdue") else None
    ticket = tickets.create_ticket(
        shop, subject=_fill(subject, **values), body=_fill(body, **values), customer_name=customer,
        customer_email=f"{first}.{last}".lower().replace(" ", "").replace("'", "") + "@example.com",
        channel=channel, received_at=received, forwarded_at=forwarded, language=language,
        order_number=order if "{order}" in body or "{order}" in subject else None, product=product,
        tags=TAGS_BY_CATEGORY.get(category, []), assignee=assignee)
    if scenario in ("fresh", "due_soon", "overdue"):
        if scenario == "overdue" and rng.random() < 0.4:
            tickets.add_note(ticket, shop, "Vervoerder gebeld, wacht op antwoord.", by=assignee or agents[0],
                             at=min(now, received + timedelta(hours=3)))
        return ticket

    agent = rng.choice(agents)
    start = ticket.clock_start
    hours = rng.uniform(8.3, 16) if scenario == "late_solved" else rng.uniform(0.3, 6.5)
    reply_at = cal.add_business_hours(start, hours)
    if reply_at >= now:
        reply_at = now - timedelta(minutes=rng.randrange(5, 60))
        reply_at = max(reply_at, start + timedelta(minutes=3))
    title = ("mevrouw " if gender == "f" else "meneer ") + last if language == "nl" else first
    reply_text = REPLIES.get((category, language, formal if language == "nl" else None)) \
        or REPLIES[(category, language, True if language == "nl" else None)]
    reply_text = _fill(reply_text, title_name=title, first=first, order=order, product=product, agent=agent.display_name)
    status = Status.PENDING.value if scenario in ("pending", "follow_up") else Status.SOLVED.value
    tickets.reply(ticket, shop, reply_text, by=agent, at=reply_at, status=status)
    if scenario == "follow_up":
        # The customer answered recently: a fresh reply clock with most of its 8 hours left.
        follow_at = max(_before(cal, now, rng.uniform(0.3, 5)), reply_at + timedelta(minutes=1))
        tickets.add_customer_message(ticket, shop, rng.choice(FOLLOW_UPS[language]) + f"\n\n{first}", at=follow_at)
    return ticket


def _before(cal, now, hours):
    """The instant `hours` business hours before now (searching back, day by day)."""
    lo, hi = now - timedelta(days=1), now
    while cal.business_seconds_between(lo, now) < hours * 3600:
        lo -= timedelta(days=1)
    for _ in range(40):  # bisection to the second
        mid = lo + (hi - lo) / 2
        if cal.business_seconds_between(mid, now) > hours * 3600:
            lo = mid
        else:
            hi = mid
    return hi


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=0,
                        help="Generate this many tickets (about 3 messages each) in the Demo Shop, for load tests.")
    parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")
    parser.add_argument("--no-migrate", action="store_true", help="Skip `flask db upgrade` (the schema exists).")
    args = parser.parse_args(argv)

    app = create_app()
    with app.app_context():
        if not args.no_migrate:
            from flask_migrate import upgrade
            upgrade()
        from inbox.schema import EXTRAS  # what migrations cannot express: the search index and its triggers
        for extra in EXTRAS:
            extra(db.engine)
        rng = random.Random(args.seed)
        started = time.perf_counter()
        seed_demo(rng)
        if args.tickets:
            from inbox.demo.bulk import generate
            generate(rng, "Demo Shop", args.tickets)
        print(f"Seeded in {time.perf_counter() - started:.1f} s. Sign in as owner@example.com / {PASSWORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
