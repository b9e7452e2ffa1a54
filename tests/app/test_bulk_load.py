"""The bulk generator (`seed.py --tickets N`, inbox/demo/bulk.py): rows written past the ORM with the indexes and
the search triggers set aside must leave a database the app cannot tell from one filled through its services."""
import multiprocessing
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from inbox import search
from inbox.demo import bulk
from inbox.demo.bulk import OTHER_SHOP, generate
from inbox.extensions import db
from inbox.models import Call, Message, Order, ServiceCount, Shop, Ticket, User
from inbox.services import count_progress, product_weeks, recount, service_counts, ticket_days
from inbox.services import tickets as ticket_service
from tests.conftest import TEST_DATABASE_URL


def _indexes(conn) -> set[tuple[str, str]]:
    """The tables' indexes by name, from the database's own catalogue (SQLAlchemy's reflection skips an index on
    an expression on SQLite)."""
    if conn.dialect.name == "sqlite":
        return set(conn.execute(sa.text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND tbl_name "
                                        "IN ('ticket', 'message', 'ticket_tag', 'call', 'order')")).all())
    return set(conn.execute(sa.text("SELECT tablename, indexname FROM pg_indexes WHERE tablename "
                                    "IN ('ticket', 'message', 'ticket_tag', 'call', 'order')")).all())


def _found(shop_id: int, words: str) -> list[int]:
    query = sa.select(Ticket.id).where(Ticket.shop_id == shop_id)
    return list(db.session.scalars(search.match(query, Ticket, db.engine.dialect.name, shop_id, search.terms(words))))


def _a_question_asked_now_is_found(shop: Shop) -> int:
    """Asks a question through the app and checks that search finds it (the search triggers are in place);
    returns its id."""
    fresh = ticket_service.create_ticket(shop, subject="Zonnescherm kwijt", body="Waar blijft het zonnescherm?",
                                         customer_name="Nieuwe Klant", channel="email")
    db.session.commit()
    assert _found(shop.id, "zonnescherm") == [fresh.id]
    return fresh.id


def test_a_bulk_load_leaves_the_rows_indexes_search_and_daily_counts_as_the_app_would(shared_db_app):
    shop = Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.flush()
    db.session.add(User(shop_id=shop.id, email="agent@demo.example", display_name="Anna", role="agent"))
    db.session.commit()
    # A question the shop had before the load counts on with the loaded ones.
    ticket_service.create_ticket(shop, subject="Levering te laat", body="Waar blijft mijn pakket?",
                                 customer_name="Eerdere Klant", channel="email")
    db.session.commit()
    with db.engine.connect() as conn:
        indexes = _indexes(conn)

    generate(random.Random(3), "Demo Shop", 120, other_shops=2, other_tickets=30)
    shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))   # the load ends its session

    count = lambda model, shop_id: db.session.scalar(   # noqa: E731
        sa.select(sa.func.count()).select_from(model).where(model.shop_id == shop_id))
    others = db.session.scalars(sa.select(Shop.id).where(Shop.name.like(f"{OTHER_SHOP}%"))).all()
    assert count(Ticket, shop.id) == 121 and sorted(count(Ticket, s) for s in others) == [15, 15]
    assert 240 <= count(Message, shop.id) <= 480 and count(Order, shop.id) == 240 and count(Call, shop.id) == 30
    # Ids grow with time, as in a real shop: the inbox's orders by time and by id agree.
    by_time = db.session.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop.id, Ticket.status == "solved")
                                 .order_by(Ticket.received_at, Ticket.id)).all()
    assert by_time == sorted(by_time)
    with db.engine.connect() as conn:
        assert _indexes(conn) == indexes
        for shop_id in (shop.id, *others):
            assert ticket_days.kept(conn, shop_id) == ticket_days.recount(conn, shop_id)
            assert service_counts.kept(conn, shop_id) == service_counts.recount(conn, shop_id)
            assert product_weeks.kept(conn, shop_id) == product_weeks.recount(conn, shop_id) != {}
    # The search documents were written from the texts in hand, for this shop only ...
    sample = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.order_number.is_not(None))
                               .order_by(Ticket.id.desc()).limit(1))
    assert _found(shop.id, sample.order_number) == [sample.id]
    assert _found(shop.id, sample.customer_email) and not set(_found(others[0], sample.customer_email)) & {sample.id}
    # ... and the triggers are back: a question that comes in now is found, with an id after the loaded ones.
    assert _a_question_asked_now_is_found(shop) > max(by_time)
    assert not _scratch_left()


def test_a_bulk_load_into_a_shop_being_counted_in_steps_counts_its_every_question(shared_db_app):
    """The shop's questions from before the load that the count in steps has not reached have no kept figures
    yet (and those it forgot, an older counting's, none either): the load counts them with the loaded ones."""
    shop = Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.commit()
    for n in range(3):
        ticket_service.create_ticket(shop, subject=f"Vraag {n}", body="Waar blijft mijn pakket?",
                                     customer_name="Eerdere Klant", channel="email")
    db.session.commit()
    recount.again(db.session.connection(), shop.id)
    db.session.commit()
    while not recount.step(db.session.connection(), shop.id, 1).ticket:   # forgotten, then the first counted
        db.session.commit()
    db.session.commit()

    generate(random.Random(4), "Demo Shop", 20, other_shops=1, other_tickets=2)

    shop_id = db.session.scalar(sa.select(Shop.id).where(Shop.name == "Demo Shop"))
    with db.engine.connect() as conn:
        assert count_progress.read(conn, shop_id).done
        kept, recounted = service_counts.kept(conn, shop_id), service_counts.recount(conn, shop_id)
        assert len(kept[0]) == 23 and kept == recounted


def test_a_bulk_load_leaves_its_settings_in_its_transactions(shared_db_app):
    """A load's memory for sorts, index builds and temporary tables is its own: every pooled connection it hands
    back is the next request's (and a benchmark's, which would time its pages with that memory) as the server
    configures it."""
    db.session.add(Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam"))
    db.session.commit()

    generate(random.Random(5), "Demo Shop", 10, other_shops=1, other_tickets=2)

    if db.engine.dialect.name == "postgresql":
        pooled = [db.engine.connect() for _ in range(db.engine.pool.checkedin())]   # every one the pool holds
        try:
            for conn in pooled:
                # (Every transaction's isolation shows as set in the session too.)
                assert conn.scalars(sa.text("SELECT name FROM pg_settings WHERE source = 'session' "
                                            "AND name NOT LIKE 'transaction_%'")).all() == []
        finally:
            for conn in pooled:
                conn.close()
    else:
        with db.engine.connect() as conn:   # the load's pragmas went with its connections (generate disposes of them)
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000   # a writer waits its turn


on_postgresql = pytest.mark.skipif(TEST_DATABASE_URL.startswith("sqlite"),
                                   reason="PostgreSQL's loads sum the service counts in a process of their own")


def _counted_shops() -> set[int]:
    return set(db.session.scalars(sa.select(ServiceCount.shop_id).distinct()))


def _scratch_left() -> bool:
    """Whether the search text's scratch table outlived its load."""
    return sa.inspect(db.engine).has_table(bulk._SearchText.TABLE)


def _stops_in_the_second_shop(monkeypatch, shop_id: int) -> None:
    calls = bulk._Load._calls

    def the_machine_stops(load, rng, shop, *args):
        if shop != shop_id:   # (the first shop's figures went to the counter)
            raise RuntimeError("out of disk")
        calls(load, rng, shop, *args)

    monkeypatch.setattr(bulk._Load, "_calls", the_machine_stops)


def _stops_after_the_counts_are_summed(monkeypatch, _shop_id: int) -> None:
    wait = bulk._Counter.wait

    def the_machine_stops(counter):
        wait(counter)   # every shop summed and written, not committed
        raise RuntimeError("out of disk")

    monkeypatch.setattr(bulk._Counter, "wait", the_machine_stops)


def _search_text_cannot_start(monkeypatch, _shop_id: int) -> None:
    # As for a role that may not create a table: the counter has started by then.
    monkeypatch.setattr(search, "pg_vector", lambda part: "no such function(")


@on_postgresql
@pytest.mark.parametrize("failure", [_stops_in_the_second_shop, _stops_after_the_counts_are_summed,
                                     _search_text_cannot_start])
def test_a_failed_load_ends_its_helpers_and_leaves_the_shops_as_they_were(shared_db_app, monkeypatch, failure):
    shop = Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.commit()
    ticket_service.create_ticket(shop, subject="Levering te laat", body="Waar blijft mijn pakket?",
                                 customer_name="Eerdere Klant", channel="email")
    db.session.commit()
    with db.engine.connect() as conn:
        before = service_counts.kept(conn, shop.id)

    failure(monkeypatch, shop.id)
    with pytest.raises(Exception):
        generate(random.Random(3), "Demo Shop", 40, other_shops=2, other_tickets=10)
    monkeypatch.undo()

    assert multiprocessing.active_children() == [] and not _scratch_left()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
    with db.engine.connect() as conn:
        assert service_counts.kept(conn, shop.id) == before and _counted_shops() == {shop.id}
    _a_question_asked_now_is_found(shop)   # the search triggers are back


@on_postgresql
def test_a_counter_that_fails_fails_the_load(shared_db_app, monkeypatch):
    db.session.add(Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam"))
    db.session.commit()
    put = bulk._Counter.put
    monkeypatch.setattr(bulk._Counter, "put", lambda counter, shop_id, measures, last=False: put(
        counter, shop_id, [m[:3] for m in measures], last))   # figures the counter cannot read

    with pytest.raises(RuntimeError, match="counter failed(.|\n)*TypeError"):
        generate(random.Random(3), "Demo Shop", 40, other_shops=2, other_tickets=10)

    assert multiprocessing.active_children() == [] and not _scratch_left()
    assert _counted_shops() == set() and db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its reaping does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@on_postgresql
def test_a_counter_whose_load_is_killed_halfway_through_a_batch_ends_too(shared_db_app):
    """A load killed mid-way has no failure to tell its counter, and may die halfway through sending a batch larger
    than the pipe holds: the counter notices on its own, rather than wait for ever with its transaction open."""
    shop = Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.commit()
    script = textwrap.dedent(f"""
        import os, signal, time
        from inbox import create_app
        from inbox.demo import bulk
        app = create_app({{"SECRET_KEY": "test-only-not-secret", "SQLALCHEMY_DATABASE_URI": {TEST_DATABASE_URL!r}}})
        with app.app_context():
            counter = bulk._Counter(bulk._Phases())
            print(counter.process.pid, flush=True)
            figures = [(n, {shop.id}, 740000 + n % 900, 0, "email", 60, 120, 0, 0, 30, None, True, True)
                       for n in range(1, 50001)]
            counter.put({shop.id}, figures)
            counter.put({shop.id}, figures)   # while the counter sums the first, this one fills the pipe
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    load = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    counter = int(load.stdout.split()[0])

    deadline = time.monotonic() + 60
    while _running(counter) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(counter)


@pytest.mark.parametrize("chunk", [40, bulk.CHUNK])
def test_figures_sent_in_many_batches_count_every_question_once(shared_db_app, monkeypatch, chunk):
    """The counter is sent a shop's figures as they are drawn (every CHUNK messages); a shop may get no
    questions at all."""
    db.session.add(Shop(name="Demo Shop", country="NL", timezone="Europe/Amsterdam"))
    db.session.commit()
    monkeypatch.setattr(bulk, "CHUNK", chunk)

    generate(random.Random(4), "Demo Shop", 150, other_shops=3, other_tickets=2)

    questions = dict(db.session.execute(sa.select(Shop.id, sa.func.count(Ticket.id)).outerjoin(Ticket)
                                        .group_by(Shop.id)).all())
    assert sorted(questions.values()) == [0, 1, 1, 150]
    with db.engine.connect() as conn:
        for shop_id, count in questions.items():
            kept = service_counts.kept(conn, shop_id)
            assert kept == service_counts.recount(conn, shop_id) and len(kept[0]) == count
