"""Two people changing the same things at the same moment leave the kept figures (`ticket_day`, `product_week`,
the service counts) exactly what a count from scratch says: on PostgreSQL under READ COMMITTED, where the second
transaction waits on the first's locks (SQLite lets one writer in at a time, so there is nothing to race).

Each test flushes a change in the first session, starts the second change in a thread of its own, waits until
that thread either waits on a lock (pg_stat_activity) or has flushed, commits the first, and lets the second
commit; then the kept figures are compared with a recount."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from inbox import csvimport
from inbox.extensions import db
from inbox.models import Order, ReplyTemplate, Shop, Ticket, User
from inbox.services import imports, product_weeks, recount, reply_templates, shops, ticket_days
from inbox.services import tickets as ticket_service
from tests.conftest import NOW, TEST_DATABASE_URL
from tests.ticket_changes import counts_agree

pytestmark = pytest.mark.skipif(TEST_DATABASE_URL.startswith("sqlite"),
                                reason="SQLite lets one writer in at a time: nothing to race")

WAIT = 20  # seconds at most for the second transaction to block or flush (it takes milliseconds)


def _waiting_on_a_lock(pid: int) -> bool:
    with db.engine.connect() as conn:
        return conn.scalar(sa.text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                           {"pid": pid}) is True


def _until_waiting_or(event, pid: list, what: str) -> None:
    """Until the other connection (its backend pid, once known) waits on a lock or has set `event`."""
    deadline = time.monotonic() + WAIT
    while not event.is_set() and not (pid and _waiting_on_a_lock(pid[0])):
        assert time.monotonic() < deadline, f"{what} neither waited nor finished"
        time.sleep(0.002)

def _step_meanwhile(app, shop_id: int):
    """One step of the shop's count in another connection, in a thread: (the thread, [its backend's pid], an event
    set when it is done, [what it raised])."""
    pid, done, failed = [], threading.Event(), []

    def a_step():
        try:
            with app.app_context():
                pid.append(db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar())
                recount.step(db.session.connection(), shop_id, 1)
                db.session.commit()
        except BaseException as error:   # re-raised in the test's thread
            failed.append(error)
        done.set()

    thread = threading.Thread(target=a_step)
    thread.start()
    return thread, pid, done, failed


def race(app, first, second) -> None:
    """first() changes and flushes in this session; second() runs in another session (another connection) until
    it waits on a lock or has flushed; then the first commits and the second commits after it."""
    first()
    db.session.flush()
    pid, flushed, go, failed = [], threading.Event(), threading.Event(), []

    def other():
        try:
            with app.app_context():
                pid.append(db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar())
                second()
                db.session.flush()
                flushed.set()
                go.wait(WAIT)
                db.session.commit()
        except BaseException as error:   # re-raised in the test's thread
            failed.append(error)
            flushed.set()

    thread = threading.Thread(target=other)
    thread.start()
    _until_waiting_or(flushed, pid, "the second transaction")
    db.session.commit()
    go.set()
    thread.join(WAIT)
    assert not thread.is_alive()
    if failed:
        raise failed[0]


@pytest.fixture
def people(app, shop, staff):
    return [staff["agent"], staff["manager"], staff["owner"]]


def ticket(shop, n=0, **kw) -> Ticket:
    kw.setdefault("received_at", NOW - timedelta(days=2 + n))
    made = ticket_service.create_ticket(shop, subject=f"Vraag {n}", body="Waar blijft mijn pakket?", **kw)
    db.session.commit()
    return made


def mine(model, id_):
    """The row as this thread's session loads it."""
    return db.session.get(model, id_)


def test_two_edits_of_one_ticket_count_its_product_once(app, shop, people):
    t = ticket(shop, product="Lamp", assignee=people[0])

    def edit_product():
        mine(Ticket, t.id).product = "Stoel"

    def edit_category():
        mine(Ticket, t.id).category = "return"

    race(app, edit_product, edit_category)
    counts_agree(shop.id)
    assert {(product, category) for _week, product, category in product_weeks.kept(db.session.connection(), shop.id)} \
        == {("Stoel", "return")}


def test_two_reassignments_of_one_ticket_count_it_once(app, shop, people):
    t = ticket(shop, assignee=people[0])

    def to(who):
        return lambda: ticket_service.assign(mine(Ticket, t.id), mine(Shop, shop.id), mine(User, who.id), by=None)

    race(app, to(people[1]), to(people[2]))
    counts_agree(shop.id)
    assert {who for _day, who in ticket_days.kept(db.session.connection(), shop.id)} == {people[2].id}


def test_an_edit_and_a_reassignment_of_one_ticket_both_count(app, shop, people):
    t = ticket(shop, assignee=people[0], product="Lamp")

    def edit():
        mine(Ticket, t.id).received_at = NOW - timedelta(days=9)
        mine(Ticket, t.id).product = "Stoel"

    race(app, edit, lambda: ticket_service.assign(mine(Ticket, t.id), mine(Shop, shop.id), mine(User, people[1].id),
                                                  by=None))
    counts_agree(shop.id)


def test_crossed_edits_of_two_tickets_neither_deadlock_nor_drift(app, shop, people):
    """One person reassigns the first and moves the second's product; another does the opposite to the same two."""
    a, b = ticket(shop, 0, assignee=people[0], product="Lamp"), ticket(shop, 1, assignee=people[0], product="Lamp")

    def crossed(reassigned, edited, who):
        def change():
            ticket_service.assign(mine(Ticket, reassigned.id), mine(Shop, shop.id), mine(User, who.id), by=None)
            mine(Ticket, edited.id).product = f"Stoel {who.id}"
        return change

    race(app, crossed(a, b, people[1]), crossed(b, a, people[2]))
    counts_agree(shop.id)


def order(number: str, product: str, days_ago: int = 3):
    return csvimport.OrderRow(number, NOW - timedelta(days=days_ago), product, None, 1)


def test_a_question_on_an_order_being_imported_counts_under_its_product(app, shop, people):
    def import_order():
        imports.store_orders(mine(Shop, shop.id), [order("1001", "Lamp")], "csv")

    def ask():
        ticket_service.create_ticket(mine(Shop, shop.id), subject="Waar?", body="Mijn lamp?",
                                     received_at=NOW - timedelta(days=1), order_number="1001")

    race(app, import_order, ask)
    counts_agree(shop.id)
    assert sum(q for q, _lines, _orders in product_weeks.kept(db.session.connection(), shop.id).values()) == 1


def test_an_order_imported_while_its_question_is_asked_counts_the_question(app, shop, people):
    def ask():
        ticket_service.create_ticket(mine(Shop, shop.id), subject="Waar?", body="Mijn lamp?",
                                     received_at=NOW - timedelta(days=1), order_number="1001")

    race(app, ask, lambda: imports.store_orders(mine(Shop, shop.id), [order("1001", "Lamp")], "csv"))
    counts_agree(shop.id)
    assert sum(q for q, _lines, _orders in product_weeks.kept(db.session.connection(), shop.id).values()) == 1


def test_a_question_moved_to_an_order_being_imported_counts_under_its_product(app, shop, people):
    t = ticket(shop, order_number="1000")

    def move():
        mine(Ticket, t.id).order_number = "1001"

    race(app, lambda: imports.store_orders(mine(Shop, shop.id), [order("1001", "Lamp")], "csv"), move)
    counts_agree(shop.id)


def test_an_order_line_moved_while_it_is_edited_counts_where_it_ends(app, shop, people):
    imports.store_orders(shop, [order("1001", "Lamp"), order("1002", "Stoel", 10)], "csv")
    ticket(shop, 0, order_number="1001")
    ticket(shop, 1, order_number="1002")
    db.session.commit()
    from inbox.models import Order
    line = db.session.scalar(sa.select(Order.id).where(Order.order_number == "1001"))

    def move():
        mine(Order, line).order_number = "1002"

    def edit():
        mine(Order, line).product = "Bureau"

    race(app, move, edit)
    counts_agree(shop.id)


# A shop's zone decides every local day and week kept: a question counted in the old zone while the zone changes
# would sit on the wrong day (or, missed by the zone change's recount, nowhere).
SUNDAY_NIGHT = datetime(2026, 11, 15, 23, 30, tzinfo=timezone.utc)   # Monday in Amsterdam, Sunday in London


def to_london(shop, people):
    def change():
        mine_shop = mine(Shop, shop.id)
        shops.update_details(mine_shop, {**{f: getattr(mine_shop, f) for f in shops.DETAILS},
                                         "timezone": "Europe/London"}, by=mine(User, people[2].id))
    return change


def asks(shop, people):
    def ask():
        ticket_service.create_ticket(mine(Shop, shop.id), subject="Waar?", body="Mijn lamp?", product="Lamp",
                                     received_at=SUNDAY_NIGHT, assignee=mine(User, people[0].id))
    return ask


def test_a_question_asked_while_the_zone_changes_counts_in_the_new_zone(app, shop, people):
    race(app, to_london(shop, people), asks(shop, people))
    counts_agree(shop.id)


def test_a_zone_change_while_a_question_is_asked_counts_it_in_the_new_zone(app, shop, people):
    race(app, asks(shop, people), to_london(shop, people))
    counts_agree(shop.id)


def test_a_reassignment_while_the_zone_changes_counts_in_the_new_zone(app, shop, people):
    t = ticket(shop, received_at=SUNDAY_NIGHT, assignee=people[0], product="Lamp")
    race(app, to_london(shop, people), lambda: ticket_service.assign(mine(Ticket, t.id), mine(Shop, shop.id),
                                                                      mine(User, people[1].id), by=None))
    counts_agree(shop.id)


def test_two_imports_of_the_same_order_line_store_it_once(app, shop, people):
    """The second import reads which lines exist after the first's commit, and skips the line as a duplicate
    (it failed on the unique key: both had read that the line was not there yet)."""
    line = csvimport.OrderRow("D1", NOW - timedelta(days=1), "Lamp", None, 1)
    results = []
    race(app, lambda: results.append(imports.store_orders(shop, [line], "csv")),
         lambda: results.append(imports.store_orders(mine(Shop, shop.id), [line], "csv")))
    assert sorted(results) == [(0, 1), (1, 0)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.shop_id == shop.id)) == 1
    counts_agree(shop.id)


# A step of the first count of a shop after an upgrade (recount.step) and a person at work in that shop at that
# moment wait on each other without a deadlock: the step takes the shop's calendar lock, exclusive, before it reads
# the cursor or writes a kept row; the writers of the shop's tickets hold it shared (and read the cursor under it).
def test_a_question_taken_in_turn_while_a_step_of_the_first_count_runs_neither_deadlocks_nor_drifts(app, shop,
                                                                                                     staff):
    shop.auto_assign = True
    db.session.commit()
    earlier = ticket(shop, 0, product="Lamp", assignee=staff["agent"])
    recount.again(db.session.connection(), shop.id)
    recount.step(db.session.connection(), shop.id)   # begun: the cursor before the first ticket
    db.session.commit()
    # Someone at work: a change flushed (its kept rows locked), the transaction still going.
    db.session.get(Ticket, earlier.id).product = "Stoel"
    db.session.flush()
    thread, pid, done, failed = _step_meanwhile(app, shop.id)
    _until_waiting_or(done, pid, "the count")
    # The same person's next step: a new question, given to the next agent in turn (the shop's row is written).
    ticket_service.create_ticket(db.session.get(Shop, shop.id), subject="Nieuw", body="Hallo?",
                                 received_at=NOW - timedelta(days=1), product="Lamp")
    db.session.commit()
    thread.join(WAIT)
    assert not thread.is_alive()
    if failed:
        raise failed[0]
    assert recount.run(shop.id, size=1)
    counts_agree(shop.id)


# A transaction that wrote the shop's row first (vacation mode set, a reply template archived: no question touched
# yet) and a question next, while a step of the count runs: the step, holding the shop's lock, waited on the shop's
# row to move its cursor, and the question's flush waited on the step's lock (PostgreSQL: "deadlock detected", the
# request failed). Whatever writes the shop's row takes the shop's lock shared first, as a flush of its questions.
def _vacation(shop, staff):
    mine(Shop, shop.id).closed_from, mine(Shop, shop.id).closed_until = NOW, NOW + timedelta(days=3)
    db.session.flush()


def _template_archived(shop, staff):
    reply_templates.set_archived(db.session.scalar(sa.select(ReplyTemplate).where(ReplyTemplate.shop_id == shop.id)),
                                 True, by=mine(User, staff["owner"].id))


@pytest.mark.parametrize("shop_change", [_vacation, _template_archived])
def test_a_shop_change_then_a_question_while_a_step_runs_neither_deadlocks_nor_drifts(app, shop, staff, shop_change):
    first = ticket(shop, 0, product="Lamp")
    ticket(shop, 1, product="Stoel")
    db.session.add(ReplyTemplate(shop_id=shop.id, title="Kapot", body="Excuses"))
    recount.again(db.session.connection(), shop.id)
    db.session.commit()
    while recount.step(db.session.connection(), shop.id, 1).ticket is None:   # past forgetting: at the tickets
        db.session.commit()
    db.session.commit()
    shop_change(shop, staff)
    thread, pid, done, failed = _step_meanwhile(app, shop.id)
    _until_waiting_or(done, pid, "the step")
    mine(Ticket, first.id).product = "Bureau"
    db.session.commit()
    thread.join(WAIT)
    assert not thread.is_alive()
    if failed:
        raise failed[0]
    assert recount.run(shop.id, size=1)
    counts_agree(shop.id)
