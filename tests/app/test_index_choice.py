"""Lookups that must read an index range, not the shop's whole history: found by timing every page at 1,000,000
tickets. SQLite picks its index from the statistics ANALYZE keeps: a column that is almost always empty (a ticket's
referring question, a message's Message-ID) must not look as if any value matched every row, or the ticket page and
a mail's threading walk the whole shop (0.4 s per ticket page): their indexes are partial. A page of this week's
misses reads the page, on both databases: the week held 15,000 questions without a first reaction, and PostgreSQL
read and sorted every one past due for a page of 50."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from inbox import metrics
from inbox.extensions import db
from inbox.models import Message, Ticket
from inbox.services import intake, norms, team, tickets
from tests.conftest import AMS, NOW, TEST_DATABASE_URL, customer_mail, local

ON_SQLITE = TEST_DATABASE_URL.startswith("sqlite")
sqlite_only = pytest.mark.skipif(not ON_SQLITE,
                                 reason="SQLite's planner and its statistics (PostgreSQL keeps a share of NULLs)")


@contextmanager
def statements():
    found = []

    def note(_conn, _cursor, statement, parameters, *_):
        found.append((statement, parameters))
    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def plan(found, fragment: str) -> str:
    statement, parameters = next((s, p) for s, p in found if fragment in s)
    return " ".join(row[-1] for row in db.session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters))


def _multiply_and_analyze(*tables) -> None:
    """Each table's rows copied until there are 256 times as many (2,048 of 8: the planner's choice of a big shop,
    not of a table it reads at once), with the statistics taken, as a production database after `ANALYZE` or
    `PRAGMA optimize`."""
    conn = db.session.connection()
    for table in tables:
        copied = [c for c in table.columns if c.name != "id"]
        for _ in range(8):
            conn.execute(sa.insert(table).from_select(copied, sa.select(*copied)))
    conn.exec_driver_sql("ANALYZE")
    db.session.commit()


@pytest.fixture
def analyzed_shops(shop, make_shop, make_ticket):
    """Two shops of tickets whose messages came without a Message-ID and that refer to no other ticket."""
    other = make_shop("Other Shop")
    for i in range(8):
        make_ticket(shop if i % 4 else other, customer_email=f"klant{i}@example.com")
    _multiply_and_analyze(Ticket.__table__, Message.__table__)
    return shop


@sqlite_only
def test_the_ticket_page_looks_up_its_referring_questions_by_index(analyzed_shops):
    ticket = tickets.for_shop(analyzed_shops.id, 2)
    with statements() as found:
        assert tickets.referred_by(ticket) == []
    assert "USING INDEX ix_ticket_refers_to" in plan(found, "refers_to_id =")


@sqlite_only
def test_a_reply_by_mail_is_threaded_by_index(analyzed_shops):
    with statements() as found:
        intake.receive_email(analyzed_shops, customer_mail(message_id="<r1@example.com>",
                                                           In_Reply_To="<unknown@example.com>"), source="smtp")
    assert "USING INDEX ix_message_email_message_id" in plan(found, "message.email_message_id IN")


@sqlite_only
def test_the_team_page_counts_open_questions_from_one_index_range_per_person_and_status(analyzed_shops, staff):
    with statements() as found:
        team.open_counts(analyzed_shops.id, [user.id for user in staff.values()])
    assert "(shop_id=? AND assignee_id=? AND status=?)" in plan(found, "count(")


@pytest.fixture
def week_of_misses(frozen, shop, make_ticket):
    """A week with 2,048 questions without a first reaction, past due: copies of eight received on Monday."""
    for hour in range(9, 17):
        make_ticket(shop, received_at=local(2026, 11, 16, hour))
    _multiply_and_analyze(Ticket.__table__)
    return shop


def test_a_page_of_misses_reads_the_page_not_the_weeks_questions_without_a_reaction(week_of_misses):
    [week] = metrics.weeks_back(NOW, AMS, 1)
    with statements() as found:
        page = norms.week_misses(week_of_misses, week, NOW, limit=5)
    assert len(page) == 5
    statement, parameters = next((s, p) for s, p in found if "first_reply_at IS NULL AND" in s)
    conn = db.session.connection()
    if ON_SQLITE:
        steps = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "USING INDEX ix_ticket_unanswered_start" in steps and "TEMP B-TREE" not in steps
        return
    [[[top]]] = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).all()

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)
    scans = [n for n in nodes(top["Plan"]) if n.get("Index Name") == "ix_ticket_unanswered_start"]
    assert [n["Actual Rows"] for n in scans] == [5]
    assert not [n for n in nodes(top["Plan"]) if n["Node Type"] == "Sort"]
