"""The service measures read from the kept counts are exactly what the pure definitions (inbox.metrics) give over
the tickets read afresh, for any period and every group (everyone, each agent, each channel), whatever sequence
of changes came before: on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings, strategies as st

from inbox import metrics
from inbox.extensions import db
from inbox.models import Message, ServiceCount, Shop, Ticket
from inbox.services import service_counts, sla
from tests.conftest import NOW, TEST_DATABASE_URL
from tests.ticket_changes import OPS, play


def from_scratch(shop: Shop, first: date, last: date) -> dict:
    """The period's measures through inbox.metrics, from the tickets and their threads as the ORM reads them."""
    cal = sla.calendar_for(shop)
    groups: dict = defaultdict(list)
    groups[service_counts.EVERYONE] = []
    for t in db.session.scalars(sa.select(Ticket).where(Ticket.shop_id == shop.id)):
        start = t.forwarded_at or t.received_at
        if not first <= start.astimezone(cal.tz).date() <= last:
            continue
        messages = db.session.scalars(sa.select(Message).where(Message.ticket_id == t.id,
                                                               Message.kind.in_(("customer", "reply")))
                                      .order_by(Message.created_at, Message.id)).all()
        thread = [(m.kind, m.created_at) for m in messages]
        if thread and thread[0][0] == "customer":
            thread[0] = ("customer", start)
        fact = metrics.TicketFacts(t.id, t.assignee_id, t.channel, start, t.status, t.solved_at, thread)
        for key in (service_counts.EVERYONE, ("agent", t.assignee_id), ("channel", t.channel)):
            groups[key].append(fact)
    return {key: metrics.service_measures(facts, cal, NOW) for key, facts in groups.items()}


def agree(shop: Shop, periods) -> None:
    db.session.expire_all()
    conn = db.session.connection()
    assert service_counts.kept(conn, shop.id) == service_counts.recount(conn, shop.id)
    today = NOW.astimezone(shop.tz).date()
    for back, length in periods:
        first = today - timedelta(days=back)
        last = first + timedelta(days=length)
        assert service_counts.read(shop, first, last, NOW) == from_scratch(shop, first, last), (first, last)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 60 * 24 * 40)), min_size=1,
                      max_size=14),
       commit_every=st.integers(1, 4),
       periods=st.lists(st.tuples(st.integers(0, 45), st.integers(0, 40)), min_size=1, max_size=3))
@example(steps=[("receive", 1), ("reply", 3), ("customer", 5000), ("zone", 7), ("channel", 2)], commit_every=2,
         periods=[(30, 40), (3, 1)])
def test_kept_service_measures_equal_a_recount_for_any_period(team, steps, commit_every, periods):
    shop, people = team(len(db.session.scalars(sa.select(Shop.id)).all()))
    play(steps, commit_every, shop, people, lambda s: agree(s, periods))


def test_a_rolled_back_reply_counts_nothing(frozen, shop, staff, make_ticket):
    from inbox.services import tickets as ticket_service
    ticket = make_ticket(shop, received_at=NOW - timedelta(days=2))
    db.session.commit()
    before = service_counts.kept(db.session.connection(), shop.id)
    ticket_service.reply(ticket, shop, "Komt eraan.", by=staff["agent"], at=NOW - timedelta(hours=1))
    db.session.flush()
    assert service_counts.kept(db.session.connection(), shop.id) != before
    db.session.rollback()
    assert service_counts.kept(db.session.connection(), shop.id) == before


def test_rebuild_counts_tickets_written_past_the_app(frozen, shop, make_ticket):
    make_ticket(shop, received_at=NOW - timedelta(days=3))
    db.session.commit()
    db.session.execute(sa.delete(ServiceCount))
    db.session.commit()
    assert service_counts.rebuild(db.session.connection(), shop.id) == 1
    db.session.commit()
    agree(shop, [(10, 10)])


def test_a_year_is_read_in_a_few_queries(frozen, shop, staff, make_ticket, count_queries):
    for days in range(0, 360, 7):
        make_ticket(shop, received_at=NOW - timedelta(days=days))
    db.session.commit()
    today = NOW.astimezone(shop.tz).date()
    with count_queries() as queries:
        service_counts.read(shop, today - timedelta(days=364), today, NOW)
    assert len(queries) <= 8


@pytest.mark.skipif(TEST_DATABASE_URL.startswith("sqlite"), reason="PostgreSQL's JIT compiler and parallel workers")
def test_a_year_is_read_without_jit_compilation_or_parallel_workers(frozen, shop, make_ticket):
    """Both take longer to start than the statements need, which the planner's costs, growing with the kept
    tables, would call for at a million questions or so (compiling the fine counts took 100 ms). For the page's
    transaction only: the pooled connection's next request has the server's settings again."""
    make_ticket(shop, received_at=NOW - timedelta(days=3))
    db.session.commit()
    settings = lambda: db.session.execute(sa.text(   # noqa: E731
        "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")).one()
    server = settings()
    today = NOW.astimezone(shop.tz).date()
    service_counts.read(shop, today - timedelta(days=364), today, NOW)
    assert settings() == ("off", "0") != server
    db.session.commit()
    assert settings() == server


def test_counts_that_do_not_add_up_give_the_right_figures_slower(frozen, client, shop, staff, make_ticket, login_as,
                                                                  caplog):
    """A count row changed past the app (a hand edit, half a restore): the period is counted from its tickets, the
    error is logged for the operator, and the seller sees the right figures instead of an error page."""
    from inbox.models import ServiceFine
    from inbox.services import norms, tickets as ticket_service
    for days in (1, 2, 8):
        ticket = make_ticket(shop, received_at=NOW - timedelta(days=days))
        ticket_service.reply(ticket, shop, "Komt eraan.", by=staff["agent"], at=NOW - timedelta(days=days, hours=-2))
    make_ticket(shop, received_at=NOW - timedelta(hours=3), channel="phone")
    db.session.commit()
    today = NOW.astimezone(shop.tz).date()
    first = today - timedelta(days=27)
    right = service_counts.read(shop, first, today, NOW)
    assert right == from_scratch(shop, first, today)

    db.session.execute(sa.update(ServiceFine).where(ServiceFine.shop_id == shop.id).values(n=0))
    db.session.commit()
    try:
        service_counts.read(shop, first, today, NOW)
    except ValueError:
        pass
    else:
        raise AssertionError("the corrupted counts were read without noticing")
    assert norms.service_measures(shop, first, today, NOW) == right
    agent = staff["agent"].id
    assert (norms.service_measures(shop, first, today, NOW, assignee_id=agent)
            == service_counts.read_exact(shop, first, today, NOW, assignee_id=agent))
    assert "do not add up" in caplog.text

    login_as("manager")
    assert client.get("/reports").status_code == 200
    assert client.get("/reports/service.csv").status_code == 200
