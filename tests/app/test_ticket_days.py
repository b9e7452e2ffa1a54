"""The kept figures stay exactly what a count from scratch says, whatever happens to the tickets, orders, calls and
phone hours: the questions per day (`ticket_day`), the questions and orders per week and product (`product_week`)
and the settled weeks (`norm_week`, with their calls), under random sequences of what the app does, checked after
every commit, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings, strategies as st

from inbox import metrics, planning
from inbox.extensions import db
from inbox.models import Order, ProductWeek, Shop, Ticket, TicketDay
from inbox.services import norm_weeks, norms, product_weeks, recount, ticket_days, tickets as ticket_service
from inbox.services.norm_sql import CLOCK_START, LATE, ON_TIME, in_period, missing_at, ticket_product, week_bucket
from tests.conftest import NOW
from tests.ticket_changes import OPS, START, play


def counts_agree(shop: Shop) -> None:
    """Every kept figure equals its recount: the rows, the planner's weeks, the performance page's weeks."""
    db.session.expire_all()
    conn = db.session.connection()
    assert ticket_days.kept(conn, shop.id) == ticket_days.recount(conn, shop.id)
    tz = shop.tz
    received = db.session.scalars(sa.select(Ticket.received_at).where(Ticket.shop_id == shop.id)).all()
    since = (START - timedelta(weeks=2)).astimezone(tz).date()
    expected = planning.weekly_counts(d for d in (r.astimezone(tz).date() for r in received) if d >= since)
    assert ticket_days.weekly_arrivals(shop, since) == expected
    weeks = metrics.weeks_back(NOW, tz, 6)
    live = response_counted(shop, weeks)
    for who in {None, *(who for key in live for who in key[1:] if who is not None)}:
        expected = [[sum(v[k] for (i, *whose), v in live.items() if i == w and (who is None or whose == [who]))
                     for k in range(4)] for w in range(len(weeks))]
        assert [[s.on_time, s.late, s.missing, s.total] for s in norms.weekly_tickets(shop, weeks, NOW, who)] \
            == expected
    from flask import g
    g.pop("norm_weeks", None)
    assert norm_weeks.week_counts(shop, weeks, NOW) == norm_weeks._count(shop, weeks)   # the kept calls
    products_agree(shop, metrics.weeks_back(NOW, tz, 8))


def response_counted(shop: Shop, weeks: list) -> dict:
    """(week index, assignee) -> [on time, late, missing, all] as the page's SQL counted before the kept days."""
    week = week_bucket(CLOCK_START, weeks).label("week")

    def total(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    rows = db.session.execute(sa.select(week, Ticket.assignee_id, total(ON_TIME), total(LATE), total(missing_at(NOW)),
                                        sa.func.count())
                              .where(in_period(shop.id, weeks[0].start, weeks[-1].end))
                              .group_by(week, Ticket.assignee_id))
    return {(i, who): [int(v or 0) for v in values] for i, who, *values in rows if i >= 0}


def products_agree(shop: Shop, weeks: list) -> None:
    """The kept products and orders: their rows as a recount has them, and per week what the page's SQL counted
    before they were kept (questions by the ticket's product, else its order's; distinct order numbers)."""
    conn = db.session.connection()
    assert product_weeks.kept(conn, shop.id) == product_weeks.recount(conn, shop.id)
    week, product = week_bucket(CLOCK_START, weeks).label("week"), ticket_product().label("product")
    questions = [Counter() for _ in weeks]
    for i, product, category, n in db.session.execute(
            sa.select(week, product, Ticket.category, sa.func.count()).where(Ticket.shop_id == shop.id)
            .group_by(week, product, Ticket.category)):
        if i >= 0 and product:
            questions[i][(product, category)] = n
    ordered = week_bucket(Order.ordered_at, weeks).label("week")
    orders = [0] * len(weeks)
    for i, n in db.session.execute(sa.select(ordered, sa.func.count(sa.distinct(Order.order_number)))
                                   .where(Order.shop_id == shop.id).group_by(ordered)):
        if i >= 0:
            orders[i] = n
    for part in (slice(0, len(weeks) // 2), slice(len(weeks) // 2, len(weeks))):   # two reads, not one per week
        kept = product_weeks.totals(shop, weeks[part])
        assert {k: q for k, (q, _lines) in kept.items() if q} == dict(sum(questions[part], Counter()))
    assert product_weeks.weekly_orders(shop, weeks) == orders


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 60 * 24 * 40)), min_size=1, max_size=18),
       commit_every=st.integers(1, 4))
# Found by a run: a week kept in one zone came back, stale, when the shop changed zone and back.
@example(steps=[("reply", 100), ("closed", 31043), ("zone", 2593), ("closed", 17987), ("forwarded", 1163),
                ("zone", 1142)], commit_every=1)
def test_kept_counts_equal_a_recount_after_any_sequence_of_changes(team, steps, commit_every):
    shop, people = team(len(db.session.scalars(sa.select(Shop.id)).all()))
    play(steps, commit_every, shop, people, counts_agree)


def test_a_rolled_back_change_counts_nothing(frozen, shop, staff, make_ticket):
    make_ticket(shop, received_at=NOW - timedelta(days=2))
    db.session.commit()
    kept = ticket_days.kept(db.session.connection(), shop.id)
    ticket_service.create_ticket(shop, subject="Nog een vraag", body="Hallo?", received_at=NOW - timedelta(days=1))
    db.session.flush()
    assert ticket_days.kept(db.session.connection(), shop.id) != kept
    db.session.rollback()
    assert ticket_days.kept(db.session.connection(), shop.id) == kept


def forget_kept_counts():
    """As a load past the app leaves them: nothing counted."""
    db.session.execute(sa.delete(TicketDay))
    db.session.execute(sa.delete(ProductWeek))
    db.session.commit()


def test_rebuild_counts_tickets_written_past_the_app(frozen, shop, make_ticket):
    make_ticket(shop, received_at=NOW - timedelta(days=3), product="Lamp")
    db.session.add(Order(shop_id=shop.id, order_number="B1", ordered_at=NOW - timedelta(days=4), product="Lamp"))
    db.session.commit()
    forget_kept_counts()
    assert ticket_days.kept(db.session.connection(), shop.id) == {}
    assert product_weeks.kept(db.session.connection(), shop.id) == {}
    assert recount.shop(db.session.connection(), shop.id) == 1
    db.session.commit()
    counts_agree(shop)


def test_the_cli_rebuilds_every_shop(app, frozen, shop, make_ticket):
    make_ticket(shop, received_at=NOW - timedelta(days=3), product="Lamp")
    db.session.commit()
    forget_kept_counts()
    result = app.test_cli_runner().invoke(args=["norms", "rebuild"])
    assert "1 tickets counted" in result.output
    counts_agree(shop)


def test_the_planner_counts_a_year_of_questions_from_the_kept_days(client, frozen, shop, staff, make_ticket):
    from tests.conftest import sign_in
    for days in range(0, 300, 3):
        make_ticket(shop, received_at=NOW - timedelta(days=days))
    db.session.commit()
    sign_in(client, staff["owner"].email)
    assert client.get("/planning").status_code == 200
    assert Counter(ticket_days.weekly_arrivals(shop, (NOW - timedelta(days=400)).date())).total() == 100
