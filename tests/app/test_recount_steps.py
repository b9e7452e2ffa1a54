"""A shop counted again after an upgrade is counted in short steps (services/recount.step) while its people work:
the kept figures end exactly what a count from scratch says, with any changes between the steps; a write never
waits for the whole count (the old inline count held the shop's writes for as long as it took: minutes for a big
shop on PostgreSQL, "database is locked" on SQLite); and meanwhile the figure pages say so instead of showing
short figures, in the reader's language, and never fail. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings, strategies as st

from inbox.extensions import db
from inbox.models import Order, Shop, Ticket, User
from inbox.models.shop import COUNTED_VERSION
from inbox.services import api_tokens, jobs, recount, service_counts, shops, ticket_days
from inbox.services import tickets as ticket_service
from inbox.ui import recounting_notice
from tests.conftest import NOW, PASSWORD, TEST_DATABASE_URL, sign_in
from tests.ticket_changes import OPS, counts_agree, play

WAIT = 20   # seconds at most for the other connection to block or finish (it takes milliseconds)


def behind(shop_id: int) -> None:
    """As an upgrade leaves a shop: counted with an older version (the kept rows are forgotten at the first step)."""
    recount.again(db.session.connection(), shop_id)
    db.session.commit()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 60 * 24 * 40)), min_size=2, max_size=24),
       commit_every=st.integers(1, 3), size=st.integers(1, 3), restart=st.integers(0, 4))
# Order lines imported, edited and deleted while the steps are still at the tickets (the flushes leave them to the
# steps); tickets changed and deleted on both sides of the cursor, and a zone change halfway (the count starts over
# in the new zone).
@example(steps=[("receive", 1), ("receive", 2), ("orders", 3), ("receive", 4), ("orders", 5), ("order_edit", 6),
                ("reply", 7), ("order_delete", 8), ("receive", 9), ("orders", 10)], commit_every=1, size=1, restart=1)
@example(steps=[("receive", 1), ("receive", 2), ("orders", 3), ("receive", 4), ("reply", 5), ("assign", 6),
                ("orders", 7), ("order_edit", 8), ("receive", 9), ("product", 10), ("delete", 11), ("zone", 12),
                ("receive", 13), ("order_number", 14), ("order_delete", 15), ("solve", 16)],
         commit_every=1, size=1, restart=2)
def test_a_count_in_steps_with_changes_between_the_steps_ends_equal_to_a_recount(team, steps, commit_every, size,
                                                                                restart):
    shop, people = team(len(db.session.scalars(sa.select(Shop.id)).all()))
    commits = []

    def between(shop_):
        commits.append(1)
        if len(commits) == restart:
            behind(shop_.id)
        elif len(commits) > restart:
            recount.step(db.session.connection(), shop_.id, size)
            db.session.commit()

    play(steps, commit_every, shop, people, between)
    assert recount.run(shop.id, size=size)
    assert db.session.get(Shop, shop.id).counted_version == COUNTED_VERSION
    counts_agree(shop.id)


def test_a_step_counts_tickets_then_order_numbers_and_a_crash_resumes_at_the_cursor(frozen, shop, make_ticket):
    for days in (1, 2, 3):
        make_ticket(shop, received_at=NOW - timedelta(days=days), product="Lamp")
    for number in ("B2", "A1", "C3"):
        db.session.add(Order(shop_id=shop.id, order_number=number, ordered_at=NOW - timedelta(days=2), product="Stoel"))
    db.session.commit()
    behind(shop.id)
    forgetting = 0
    while recount.step(db.session.connection(), shop.id, 1).ticket is None:   # what was kept, forgotten in steps
        db.session.commit()
        forgetting += 1
    db.session.commit()
    assert forgetting > 1   # FORGET rows a step: the three tickets kept more than that
    assert ticket_days.kept(db.session.connection(), shop.id) == {}
    assert service_counts.kept(db.session.connection(), shop.id) == ({}, {}, {})
    progress = recount.step(db.session.connection(), shop.id, 2)
    db.session.rollback()                                                      # a crash before the commit
    assert recount.step(db.session.connection(), shop.id, 2) == progress       # the same step again
    db.session.commit()
    assert (progress.counted, progress.total, progress.percent) == (2, 6, 33)
    assert recount.run(shop.id, size=2)
    counts_agree(shop.id)


def test_a_zone_change_during_a_count_starts_it_over_instead_of_counting_the_shop_in_the_request(frozen, shop,
                                                                                                  staff, make_ticket):
    for days in (1, 2, 3):
        make_ticket(shop, received_at=NOW - timedelta(days=days, hours=-23))   # late evening: the day is the zone's
    db.session.commit()
    behind(shop.id)
    while recount.step(db.session.connection(), shop.id, 1).ticket in (None, 0):   # forgotten, then one ticket
        db.session.commit()
    db.session.commit()
    before = ticket_days.kept(db.session.connection(), shop.id)
    assert sum(n[0] for n in before.values()) == 1
    shops.update_details(shop, {**{f: getattr(shop, f) for f in shops.DETAILS}, "timezone": "Europe/London"},
                         by=staff["owner"])
    db.session.commit()
    assert db.session.get(Shop, shop.id).recount_ticket is None                  # the steps start over
    assert ticket_days.kept(db.session.connection(), shop.id) == before          # nothing counted in the request
    assert recount.run(shop.id, size=1)
    counts_agree(shop.id)


def test_the_worker_counts_every_shop_behind(app, frozen, shop, make_ticket):
    make_ticket(shop, received_at=NOW - timedelta(days=1), product="Lamp")
    db.session.commit()
    shop_id = shop.id
    behind(shop_id)
    assert jobs.run_job(next(j for j in jobs.JOBS if j.name == "recount"), lambda: False)
    assert db.session.get(Shop, shop_id).counted_version == COUNTED_VERSION
    counts_agree(shop_id)


# -- what people see meanwhile --------------------------------------------------------------------------------------

@pytest.mark.parametrize("language, notice", [
    ("en", "Figures are being recounted after an update: 0% done; they will appear shortly."),
    ("nl", "De cijfers worden na een update opnieuw geteld: 0% klaar; ze verschijnen zo."),
])
def test_the_figure_pages_say_they_are_being_recounted(client, frozen, shop, staff, make_ticket, language, notice):
    make_ticket(shop, received_at=NOW - timedelta(days=1), product="Lamp")
    owner = staff["owner"]
    owner.locale = language
    db.session.commit()
    behind(shop.id)
    sign_in(client, owner.email, PASSWORD)
    for url in ("/reports", "/planning"):
        page = client.get(url)
        assert page.status_code == 200 and notice in page.get_data(as_text=True), url
    csv = client.get("/reports/service.csv")
    assert csv.status_code == 503 and csv.headers["Retry-After"] == "30"
    assert notice in csv.get_data(as_text=True)
    assert client.get("/tickets").status_code == 200    # the inbox's banner leaves the misses out meanwhile

    assert recount.run(shop.id)
    page = client.get("/reports").get_data(as_text=True)
    assert notice not in page and 'id="warning"' in page
    assert client.get("/reports/service.csv").status_code == 200


# -- a write while a shop is being counted ----------------------------------------------------------------------------

def _pid(conn) -> int | None:
    return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() if conn.dialect.name == "postgresql" else None


def _waiting_on_a_lock(pid: int) -> bool:
    with db.engine.connect() as conn:   # its own: pg_stat_activity stays as first read within a transaction
        return conn.scalar(sa.text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                           {"pid": pid}) is True


def _write_meanwhile(app, shop_id: int) -> tuple[str, threading.Event]:
    """A new question for the shop from another connection, while this one's transaction stays open: 'written',
    'waiting' (PostgreSQL: it waits on a lock) or the error (SQLite: it gave up)."""
    outcome, done, pid = [], threading.Event(), []

    def other():
        try:
            with app.app_context():
                conn = db.session.connection()
                pid.append(_pid(conn))
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout = 50")   # give up soon instead of after 5 s
                ticket_service.create_ticket(db.session.get(Shop, shop_id), subject="Nieuw", body="Hallo?",
                                             received_at=NOW - timedelta(hours=1), product="Lamp")
                db.session.commit()
                outcome.append("written")
        except sa.exc.OperationalError as error:
            outcome.append(str(error.orig))
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not done.is_set():
        if pid and pid[0] is not None and _waiting_on_a_lock(pid[0]):
            return "waiting", done
        assert time.monotonic() < deadline, "the write neither waited nor finished"
        done.wait(0.002)
    thread.join(WAIT)
    return outcome[0], done


@pytest.fixture
def busy_shop(shared_db_app):
    """A shop with some history, counted with an older version (as an upgrade leaves it)."""
    shop = Shop(name="Drukke Winkel", country="NL", timezone="Europe/Amsterdam")
    db.session.add(shop)
    db.session.flush()
    for days in range(1, 6):
        ticket_service.create_ticket(shop, subject=f"Vraag {days}", body="Waar blijft mijn lamp?",
                                     received_at=NOW - timedelta(days=days), product="Lamp")
    db.session.commit()
    behind(shop.id)
    return shared_db_app, shop.id


def test_the_old_inline_count_held_up_the_shops_writes(busy_shop):
    """What the first page after an upgrade did: count the whole shop in its transaction. A write meanwhile waits
    for all of it on PostgreSQL, and gives up with "database is locked" on SQLite."""
    app, shop_id = busy_shop
    recount.shop(db.session.connection(), shop_id)     # the whole count, its transaction still open
    outcome, done = _write_meanwhile(app, shop_id)
    if TEST_DATABASE_URL.startswith("sqlite"):
        assert outcome == "database is locked"
    else:
        assert outcome == "waiting"
    db.session.commit()
    done.wait(WAIT)


def test_a_write_during_a_count_in_steps_goes_through(busy_shop):
    """Now the page reads nothing it would have to count, and the count's steps hold the shop only one at a time:
    between two steps, and while a page is read, a write goes through at once."""
    app, shop_id = busy_shop
    assert not recount.step(db.session.connection(), shop_id, 2).done
    db.session.commit()
    assert not recount.step(db.session.connection(), shop_id, 2).done
    db.session.commit()
    with app.test_request_context():   # what a figure page reads first, its transaction left open
        assert "being recounted" in recounting_notice(db.session.get(Shop, shop_id))
        assert _write_meanwhile(app, shop_id)[0] == "written"
    db.session.commit()
    assert recount.run(shop_id, size=2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.shop_id == shop_id)) == 6
    counts_agree(shop_id)


def test_without_a_worker_the_first_figure_page_starts_the_count_in_the_background(busy_shop):
    """A site without a worker (OUTBOX_SENDER "inline", the default for development and small sites): the web
    process counts in a thread of its own, and the page shows the figures once it is done."""
    app, shop_id = busy_shop
    app.config["RECOUNT_INLINE"] = True   # tests opt in: the thread shares their database
    owner = User(shop_id=shop_id, email="eigenaar@drukke-winkel.example.com", display_name="Eigenaar", role="owner")
    owner.set_password(PASSWORD)
    db.session.add(owner)
    db.session.commit()
    client = app.test_client()
    sign_in(client, owner.email, PASSWORD)
    assert "being recounted" in client.get("/reports").get_data(as_text=True)
    recount.wait_background()
    db.session.rollback()   # SQLite: the test's own read transaction would still see the shop before the count
    page = client.get("/reports").get_data(as_text=True)
    assert "being recounted" not in page and 'id="warning"' in page
    assert db.session.get(Shop, shop_id).counted_version == COUNTED_VERSION
    counts_agree(shop_id)


def test_without_a_worker_an_integration_asking_for_the_weeks_figures_starts_the_count_too(busy_shop):
    """A shop whose only reader of figures is a program (the API's week): its 503 starts the count as a page does."""
    app, shop_id = busy_shop
    app.config["RECOUNT_INLINE"] = True
    owner = User(shop_id=shop_id, email="eigenaar@drukke-winkel.example.com", display_name="Eigenaar", role="owner")
    db.session.add(owner)
    db.session.flush()
    token = api_tokens.create(db.session.get(Shop, shop_id), "boekhouding", by=owner, scope="read")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/norms/week", headers=headers).status_code == 503
    recount.wait_background()
    db.session.rollback()
    assert client.get("/api/v1/norms/week", headers=headers).status_code == 200
    counts_agree(shop_id)
