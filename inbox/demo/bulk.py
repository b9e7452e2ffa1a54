"""A large shop for load tests: `python seed.py --tickets 100000` (about 3 messages per ticket).

Rows go in with bulk Core INSERTs in chunks, not through the services: 100,000 tickets through the ORM would take
many minutes. The search index's triggers are set aside during the load and the index is built afterwards with one
INSERT ... SELECT per shop, which is far faster than 300,000 row-by-row trigger updates.

A second shop ("Bulk Other Shop") gets a fifth as many tickets with the same kinds of texts, so tenant isolation
is exercised: its tickets match the same searches and must never show up in the first shop.
"""
from __future__ import annotations

import random
import re
import time
from datetime import timedelta, timezone

import sqlalchemy as sa

from inbox import clock, search
from inbox.demo.texts import CUSTOMERS_EN, CUSTOMERS_NL, FOLLOW_UPS, PRODUCTS, QUESTIONS, REPLIES, TAGS_BY_CATEGORY
from inbox.extensions import db
from inbox.models import Message, Shop, Ticket, TicketTag, User
from inbox.schema import EXTRAS
from inbox.services import norm_weeks, sla, ticket_days
from inbox.services.shops import delete_shop
from inbox.workflow import Channel, MessageKind, Role, Status

OTHER_SHOP = "Bulk Other Shop"
CHUNK = 5000
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
            "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
            "Clarke", "Walker", "Brown", "Green", "Hughes", "Murphy", "Taylor", "Wilson", "Evans", "Wright"]
NOTES = ["Vervoerder gebeld, wacht op antwoord.", "Klant belde ook, zelfde vraag.", "Retourlabel verstuurd.",
         "Called the carrier; they will check the depot.", "Terugbetaling klaargezet, boekhouding verwerkt het vrijdag."]
THANKS = {"nl": ["Top, dank je wel!", "Bedankt voor de snelle reactie.", "Helemaal goed zo, fijne dag."],
          "en": ["Thanks a lot!", "Great, thank you for the quick help.", "Perfect, that works for me."]}


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _snippet(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:200]


def _other_shops(count: int) -> list[Shop]:
    """`count` fresh other shops (the first called OTHER_SHOP, then "OTHER_SHOP 2" ...), each with an owner
    (other-owner@example.com, other-owner-2@example.com ...); earlier ones are removed first."""
    for shop_id in db.session.scalars(sa.select(Shop.id).where(
            sa.or_(Shop.name == OTHER_SHOP, Shop.name.like(f"{OTHER_SHOP} %")))).all():
        delete_shop(shop_id)
    db.session.execute(sa.delete(User).where(sa.or_(User.email == "other-owner@example.com",
                                                    User.email.like("other-owner-%@example.com"))))
    shops, password_hash = [], None
    for k in range(1, count + 1):
        suffix = "" if k == 1 else f" {k}"
        shop = Shop(name=OTHER_SHOP + suffix, country="NL", timezone="Europe/Amsterdam")
        db.session.add(shop)
        db.session.flush()
        user = User(shop_id=shop.id, email=f"other-owner{suffix.replace(' ', '-')}@example.com",
                    display_name="Olga Overbeek", role=Role.OWNER.value)
        if password_hash is None:
            user.set_password("inbox-demo")
            password_hash = user.password_hash
        user.password_hash = password_hash   # one hash for one password: 200 shops stay fast
        db.session.add(user)
        shops.append(shop)
    db.session.flush()
    return shops


def generate(rng: random.Random, shop_name: str, n: int, *, other_shops: int = 1,
             other_tickets: int | None = None) -> None:
    """Add n tickets (~3n messages) to the shop called shop_name, and `other_tickets` (n // 5 by default)
    spread over `other_shops` other shops."""
    started = time.perf_counter()
    for extra in EXTRAS:  # the schema may come from migrations that lack the search index
        # bandit B610: EXTRAS are the app's own schema functions, no user input.
        extra(db.engine)  # nosec B610
    shop = db.session.scalar(sa.select(Shop).where(Shop.name == shop_name))
    if shop is None:
        raise SystemExit(f"No shop called {shop_name!r}; run the demo seed first.")
    others = _other_shops(other_shops)
    other_tickets = n // 5 if other_tickets is None else other_tickets
    conn = db.session.connection()
    search.drop_triggers(conn)
    try:
        _generate_for(conn, rng, shop, n)
        for k, other in enumerate(others):
            _generate_for(conn, rng, other, max(1, other_tickets // other_shops + (k < other_tickets % other_shops)))
        for s in (shop, *others):
            search.rebuild(conn, s.id)
            norm_weeks.forget_shop(s.id)  # the rows went past the ORM, so no kept week was told
            ticket_days.rebuild(conn, s.id)  # nor were the daily counts
        if conn.dialect.name == "postgresql":
            for table in ("ticket", "message"):
                # bandit B608: the table is one of two literal names.
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                                     f"(SELECT max(id) FROM {table}))")
        db.session.commit()
    finally:
        search.install(db.engine)  # the triggers come back even when the load failed
    if conn.dialect.name == "postgresql":
        with db.engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
    print(f"Bulk: {n:,} tickets in {shop_name}, {other_tickets:,} in {other_shops} other shop(s), "
          f"{time.perf_counter() - started:.1f} s")


def _generate_for(conn, rng: random.Random, shop: Shop, n: int) -> None:
    now = clock.now()
    cal = sla.calendar_for(shop)
    agent_ids = list(db.session.scalars(sa.select(User.id).where(User.shop_id == shop.id)))
    next_ticket = (conn.scalar(sa.select(sa.func.max(Ticket.id))) or 0) + 1
    next_message = (conn.scalar(sa.select(sa.func.max(Message.id))) or 0) + 1
    tickets, messages, tags = [], [], []
    # Per-customer identity: a few thousand customers, so many have earlier questions.
    customers = max(50, n // 8)

    def flush():
        for table, rows in ((Ticket.__table__, tickets), (Message.__table__, messages), (TicketTag.__table__, tags)):
            if rows:
                conn.execute(table.insert(), rows)
                rows.clear()

    # The newest ~1.5% wait for a reply, ~4% wait on the customer, the rest is solved: a year of history.
    open_count, pending_count = max(1, n * 15 // 1000), max(1, n * 4 // 100)
    for i in range(n):
        ticket_id = next_ticket + i
        category, language, formal, _upset, subject, body = rng.choice(QUESTIONS)
        c = rng.randrange(customers)
        first, _last, gender = (CUSTOMERS_NL if language == "nl" else CUSTOMERS_EN)[c % (16 if language == "nl" else 8)]
        last = SURNAMES[(c // 16) % len(SURNAMES)]
        customer = f"{first} {last}"
        email = f"{first}.{last}.{c}".lower().replace(" ", "").replace("'", "") + "@example.com"
        product = rng.choice(PRODUCTS)
        order = f"10{rng.randrange(10**7, 10**8)}"
        values = dict(product=product, order=order, customer=customer, first=first, day="maandag",
                      title_name=("mevrouw " if gender == "f" else "meneer ") + last, agent="Anna Bakker")
        if i >= n - open_count:
            status = Status.OPEN.value
            received = now - timedelta(minutes=rng.randrange(5, 60 * 24 * 4))
        elif i >= n - open_count - pending_count:
            status = Status.PENDING.value
            received = now - timedelta(minutes=rng.randrange(60 * 6, 60 * 24 * 14))
        else:
            status = Status.SOLVED.value
            # Older tickets first, so ids grow with time as they would in a real shop.
            received = now - timedelta(days=365 * (1 - i / n), minutes=rng.randrange(0, 600))
        forwarded = received + timedelta(hours=rng.uniform(1, 20)) if rng.random() < 0.06 else None
        if forwarded and forwarded > now:
            forwarded = None
        channel = Channel.MARKETPLACE.value if forwarded else rng.choice(
            [Channel.EMAIL.value] * 6 + [Channel.WEBFORM.value, Channel.PHONE.value])
        clock_start = forwarded or received
        question = _fill(body, values)
        thread = [(MessageKind.CUSTOMER.value, question, received, None, None, None)]
        assignee = rng.choice(agent_ids) if agent_ids and rng.random() < 0.75 else None
        row = dict(id=ticket_id, shop_id=shop.id, subject=_fill(subject, values)[:300], customer_name=customer,
                   customer_email=email, language=language, channel=channel, category=category, status=status,
                   assignee_id=assignee, order_number=order if "{order}" in body + subject else None,
                   product=product, received_at=received, forwarded_at=forwarded, waiting_since=None, due_at=None,
                   first_reply_at=None, first_reply_due_at=None, first_reply_margin=None, last_reply_margin=None,
                   solved_at=None, created_at=received, updated_at=received)
        if status == Status.OPEN.value:
            due = cal.add_business_hours(clock_start, sla.SLA_HOURS).astimezone(timezone.utc)
            row.update(waiting_since=clock_start, due_at=due, first_reply_due_at=due)
            if rng.random() < 0.25:
                thread.append((MessageKind.NOTE.value, rng.choice(NOTES), min(now, received + timedelta(minutes=30)),
                               assignee or (agent_ids[0] if agent_ids else None), None, None))
        else:
            # Replies: mostly on time. Margins are drawn, not computed: the calendar stays out of the hot loop.
            reply_at = clock_start + timedelta(hours=rng.uniform(0.2, 30))
            reply_at = min(reply_at, now - timedelta(minutes=1))
            margin = int(rng.uniform(60, 7.5 * 3600)) if rng.random() < 0.88 else -int(rng.uniform(60, 20 * 3600))
            due = reply_at + timedelta(seconds=margin)
            reply_text = REPLIES.get((category, language, formal if language == "nl" else None)) \
                or REPLIES.get((category, language, True if language == "nl" else None)) or "Dank u voor uw bericht."
            author = assignee or (rng.choice(agent_ids) if agent_ids else None)
            thread.append((MessageKind.REPLY.value, _fill(reply_text, values), reply_at, author, due, margin))
            row.update(first_reply_at=reply_at, first_reply_due_at=due, first_reply_margin=margin,
                       last_reply_margin=margin, assignee_id=author)
            roll = rng.random()
            later = min(now, reply_at + timedelta(hours=rng.uniform(1, 48)))
            if roll < 0.6:
                follow = rng.choice(THANKS[language] if status == Status.SOLVED.value else FOLLOW_UPS[language])
                thread.append((MessageKind.CUSTOMER.value, f"{follow}\n\n{first}", later, None, None, None))
            elif roll < 0.85:
                thread.append((MessageKind.NOTE.value, rng.choice(NOTES), later, author, None, None))
            if status == Status.SOLVED.value:
                row["solved_at"] = later
        for kind, text, at, author, due, margin in thread:
            messages.append(dict(id=next_message, ticket_id=ticket_id, shop_id=shop.id, kind=kind, author_id=author,
                                 body=text, body_html=None, created_at=at, sla_due_at=due, sla_margin=margin,
                                 email_message_id=None))
            next_message += 1
        public = [m for m in thread if m[0] != MessageKind.NOTE.value]
        row.update(message_count=len(thread), last_message_at=public[-1][2], snippet=_snippet(public[-1][1]),
                   updated_at=thread[-1][2])
        tickets.append(row)
        for tag in TAGS_BY_CATEGORY.get(category, []):
            tags.append(dict(ticket_id=ticket_id, name=tag))
        if len(tickets) >= CHUNK:
            flush()
    flush()

