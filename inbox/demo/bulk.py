"""A large shop for load tests: `python seed.py --tickets 100000` (about 3 messages per ticket, three years of
history, with the shop's call log and order lines). It prints where the time went, phase by phase.

1,000,000 tickets go in within minutes, not hours, because the rows skip every per-row layer:
- plain tuples written the way each database takes many rows fastest: COPY on PostgreSQL, one executemany of
  prepared tuples per chunk on SQLite (no ORM, no SQLAlchemy parameter processing: both took most of the time);
- the tables' secondary indexes are dropped for the load and built afterwards (one sort each instead of a
  million B-tree inserts), and the search index's triggers are set aside: the search documents are written from
  the texts already in hand (ticket_fts rows on SQLite; on PostgreSQL the texts are copied into a scratch table
  by a connection of their own, which turns them into tsvectors as they arrive);
- the foreign keys go unchecked during the load (a lookup per message otherwise): the rows are written parents
  first (on PostgreSQL only a superuser may, by session_replication_role; anyone else loads with the checks);
- the kept service counts come from each ticket's figures computed from the rows in hand (reading millions of
  threads back cost more than computing them), summed as the rows are drawn: on SQLite by the database, a
  shop at a time; on PostgreSQL in Python, by a process of its own on a connection of its own, beside the rows;
- the reply clocks still come from the real calendar (inbox.sla through services.sla.calendar_for): each
  ticket's deadline is 8 business hours after its clock starts, and its reply is a drawn number of business
  hours after that start, so the margin is exact without a business_seconds_between per ticket.

Other shops ("Bulk Other Shop", "Bulk Other Shop 2", ...) get tickets with the same kinds of texts, so tenant
isolation is exercised: their tickets match the same searches and must never show up in the first shop.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import random
import re
import threading
import time
import traceback
from contextlib import ExitStack, contextmanager, suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from inbox import clock, metrics, search
from inbox.demo.texts import CUSTOMERS_EN, CUSTOMERS_NL, FOLLOW_UPS, PRODUCTS, QUESTIONS, REPLIES, TAGS_BY_CATEGORY
from inbox.extensions import db
from inbox.models import Call, Message, Order, Shop, Ticket, TicketMeasure, TicketTag, User
from inbox.schema import EXTRAS
from inbox.services import recount, service_counts, sla
from inbox.services.shops import delete_shop
from inbox.workflow import Channel, MessageKind, Role, Status

OTHER_SHOP = "Bulk Other Shop"
CHUNK = 20_000
YEARS = 3
CALLS_PER_TICKET = 0.25
SURNAMES = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
            "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
            "Clarke", "Walker", "Brown", "Green", "Hughes", "Murphy", "Taylor", "Wilson", "Evans", "Wright"]
NOTES = ["Vervoerder gebeld, wacht op antwoord.", "Klant belde ook, zelfde vraag.", "Retourlabel verstuurd.",
         "Called the carrier; they will check the depot.", "Terugbetaling klaargezet, boekhouding verwerkt het vrijdag."]
THANKS = {"nl": ["Top, dank je wel!", "Bedankt voor de snelle reactie.", "Helemaal goed zo, fijne dag."],
          "en": ["Thanks a lot!", "Great, thank you for the quick help.", "Perfect, that works for me."]}
WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]
# When questions arrive (local hour): mostly office hours, some evenings.
HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 11, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 19, 20, 21, 22]
FTS_AUTOMERGE = 4   # FTS5's default
BULK_TABLES = ("ticket", "message", "ticket_tag", "call", "order")
STATISTICS_TABLES = (*BULK_TABLES, "ticket_search", "ticket_day", "ticket_measure", "service_count", "service_fine",
                     "shop", "user")


def _fill(text: str, values: dict) -> str:
    """The text with its {placeholders} filled in (the demo texts hold no other braces)."""
    return text.format_map(values)


_SPACE = re.compile(r"\s+")


def _at(message: tuple) -> datetime:
    return message[1]


def _snippet(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:200]


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
    """Add n tickets (~3n messages, n/4 calls, 2n order lines) to the shop called shop_name, and
    `other_tickets` (n // 5 by default) spread over `other_shops` other shops."""
    phases = _Phases()
    for extra in EXTRAS:  # the schema may come from migrations that lack the search index
        # bandit B610: EXTRAS are the app's own schema functions, no user input.
        extra(db.engine)  # nosec B610
    shop = db.session.scalar(sa.select(Shop).where(Shop.name == shop_name))
    if shop is None:
        raise SystemExit(f"No shop called {shop_name!r}; run the demo seed first.")
    with phases("other shops"):
        others = _other_shops(other_shops)
    other_tickets = n // 5 if other_tickets is None else other_tickets
    db.session.commit()
    conn = db.session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        phases.watch_server(conn.scalar(sa.text("SELECT pg_backend_pid()")))
    # Foreign keys are checked row by row (a lookup of the ticket for each of millions of messages); the load
    # writes parents before children by construction, so it goes without the checks where it may.
    counter = search_text = None
    try:
        if dialect == "sqlite":
            # The load's gigabytes straight into the file instead of through the write-ahead log and a checkpoint
            # (its rollback journal in memory: a crash mid-load leaves a database to seed again, as any failed
            # load).
            conn.exec_driver_sql("PRAGMA journal_mode = MEMORY")
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")   # before the load's transaction: only then it counts
        else:
            _without_checks(conn)
        search.drop_triggers(conn)
        if dialect == "postgresql":
            counter = _Counter(phases)   # (each one given a name as soon as it is made: a failure ends it)
            search_text = _SearchText(phases)
        with _indexes_set_aside(conn, phases):
            counts = [n, *(other_tickets // other_shops + (k < other_tickets % other_shops) for k in range(other_shops))]
            with _Load(conn, phases, [shop, *others], counter, search_text) as load, phases("rows"):
                for s, count in zip((shop, *others), counts):
                    load.shop(rng, s.id, count)
            with phases("search documents"):
                load.finish()
        if dialect == "postgresql":
            with phases("statistics"):
                # Without statistics of the tables just filled, PostgreSQL's planner reads the counts' rows of
                # every shop by scanning whole tables. (Inside the load's transaction: ANALYZE sees its rows.)
                loaded = ", ".join(f'"{name}"' for name in BULK_TABLES)
                conn.exec_driver_sql(f"ANALYZE {loaded}")  # nosec B608 (the names are the constants above)
        with phases("kept counts"):
            for s in (shop, *others):
                # The rows went past the ORM, so no kept figure was told; the service counts were summed with
                # the rows (_Load.shop).
                recount.shop(conn, s.id, with_service_counts=False)
        if dialect == "postgresql":
            for table in ("ticket", "message", "call", '"order"'):
                # bandit B608: the table is one of four literal names.
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                                     f"(SELECT max(id) FROM {table}))")
        if counter is not None:
            with phases("waiting for the service counts"):
                counter.wait()
        with phases("commit"):
            db.session.commit()
            if counter is not None:
                counter.commit()   # (should this fail, `flask norms rebuild` counts the shops again)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        with ExitStack() as cleanup:   # each step runs whatever one before it raised (the last one given runs first)
            cleanup.callback(_triggers_back, phases)   # even when the load failed
            if dialect == "sqlite":
                cleanup.callback(_connections_back)
            for helper in (search_text, counter):
                if helper is not None:
                    cleanup.callback(helper.close)
    with phases("statistics"):
        if dialect == "postgresql":
            tables = ", ".join(f'"{name}"' for name in STATISTICS_TABLES)
            with db.engine.connect() as c:
                # The loaded tables only (their visibility maps too: counts read the indexes alone).
                # bandit B608: the names are the constants above.
                c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"VACUUM ANALYZE {tables}")  # nosec B608
        else:
            with db.engine.begin() as c:
                c.exec_driver_sql("ANALYZE")
    print(f"Bulk: {n:,} tickets in {shop_name}, {other_tickets:,} in {other_shops} other shop(s), "
          f"{phases.total():.1f} s: {phases}")


def _triggers_back(phases: _Phases) -> None:
    with phases("search triggers"):
        search.install(db.engine)


def _connections_back() -> None:
    """SQLite: connections made from here on are the app's again (inbox.sqlite_pragmas: the write-ahead log)."""
    db.session.close()
    db.engine.dispose()


class _Phases:
    """Where a load's time goes: wall-clock seconds per phase, with this process's CPU seconds, and on PostgreSQL
    on this machine the CPU seconds of the load's server process too (its /proc entry; the machine is shared, so
    CPU is what compares between runs). Writing a table's rows is its own phase, inside "rows" (on PostgreSQL in
    the writing thread while "rows" draws the next ones; its CPU is that thread's)."""

    def __init__(self):
        self.spent: dict[str, list[float]] = {}
        self.server: Path | None = None

    def watch_server(self, pid: int) -> None:
        """Count the CPU of this server process (a PostgreSQL backend) too, when it runs on this machine."""
        self.server = _proc_stat(pid)

    @staticmethod
    def _server_cpu(server: Path | None) -> float:
        if server is None:
            return 0.0
        try:
            # utime and stime, the 14th and 15th fields, after the command name in parentheses.
            fields = server.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @contextmanager
    def __call__(self, name: str, cpu_clock=time.process_time, server: Path | None = None):
        """Time a phase (`server`: another server process's /proc entry than the load's)."""
        server = server or self.server
        wall, cpu, server_cpu = time.perf_counter(), cpu_clock(), self._server_cpu(server)
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, cpu_clock() - cpu, self._server_cpu(server) - server_cpu)

    def add(self, name: str, wall: float, cpu: float, server: float) -> None:
        """Time spent in a phase (timed here, or by another process)."""
        spent = self.spent.setdefault(name, [0.0, 0.0, 0.0])
        for i, value in enumerate((wall, cpu, server)):
            spent[i] += value

    def total(self) -> float:
        return sum(wall for name, (wall, _cpu, _server) in self.spent.items() if not name.startswith("writing "))

    def __str__(self) -> str:
        return ", ".join(f"{name} {wall:.0f} s (CPU {cpu:.0f}" + (f", server {server:.0f})" if self.server else ")")
                         for name, (wall, cpu, server) in self.spent.items())


def _proc_stat(pid: int) -> Path | None:
    """A server process's /proc entry, where it runs on this machine."""
    stat = Path(f"/proc/{pid}/stat")
    return stat if stat.exists() else None


def _without_checks(conn) -> None:
    """On PostgreSQL, triggers, the foreign keys' among them, rest for this transaction (as pg_restore does): the
    load writes parents before children. A role that may not do so loads with the checks."""
    if conn.scalar(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")


class _Counter:
    """On PostgreSQL, the shops' service counts added up (service_counts.sum_figures) and written by a process of
    its own, on a connection of its own, from the figures the load sends it as it draws them: summing and writing
    tens of millions of kept rows is Python's work, which in a thread of the loading process took the one
    interpreter lock from the thread drawing the rows (1,000,000 questions and 200 shops holding another
    1,000,000: about 225 s of CPU). Its transaction commits right after the load's; a failed load ends the process,
    and the server rolls its transaction back.

    The figures go over a one-way pipe whose other end only the counter holds, so that either side learns at once
    that the other is gone (a killed load: EOFError there, even halfway through a batch; a dead counter:
    BrokenPipeError here), sent by a thread of the load with batches waiting in memory rather than holding up the
    drawing while the counter writes a large shop's rows."""

    def __init__(self, phases: _Phases):
        self.phases, self.started = phases, time.perf_counter()
        context = multiprocessing.get_context("spawn")   # not a copy of this process, its threads and connections
        theirs_in, self.figures = context.Pipe(duplex=False)
        self.replies, theirs_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_count, name="bulk-counter", daemon=True, args=(
            db.engine.url.render_as_string(hide_password=False), theirs_in, theirs_out))
        self.process.start()
        theirs_in.close()
        theirs_out.close()
        self.sender = _Sender(threaded=True, waiting=0)
        try:
            self.server = _proc_stat(self._reply("started"))
        except BaseException:
            self.close()
            raise
        self.server_cpu = _Phases._server_cpu(self.server)

    def put(self, shop_id: int, measures: list, last: bool = False) -> None:
        """Figures of the shop's questions; `last`: the shop's last ones (every question of it is summed)."""
        if self.replies.poll():
            self._reply("no news")   # a counter that failed says so here
        # Plain tuples: a namedtuple is pickled ten times slower.
        batch = (shop_id, [tuple(m) for m in measures], last)
        self._send(lambda: self.figures.send(batch))

    def _send(self, job) -> None:
        try:
            self.sender.put(job)
        except OSError:
            self._reply("no news")   # the counter is gone: its own word on why

    def wait(self) -> None:
        """Until every shop is summed (its failure is raised here)."""
        self._send(lambda: self.figures.send(None))
        with suppress(OSError):   # a counter that is gone says why below
            self.sender.close()
        cpu = self._reply("summed")
        # "writing ...": beside the other phases, so not added to the load's total.
        self.phases.add("writing service counts (own process)", time.perf_counter() - self.started, cpu,
                        _Phases._server_cpu(self.server) - self.server_cpu)

    def commit(self) -> None:
        self.figures.send("commit")
        self._reply("committed")

    def _reply(self, expected: str):
        try:
            what, value = self.replies.recv()
        except EOFError:
            self.process.join(5)
            raise RuntimeError(f"The bulk load's counter ended without a word (exit code {self.process.exitcode})") \
                from None
        if what != expected:
            raise RuntimeError(f"The bulk load's counter failed:\n{value}")
        return value

    def close(self) -> None:
        """End the process (its transaction rolls back unless committed) and the sending thread."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        with suppress(Exception):   # its sends to the ended process fail, and the rest is skipped
            self.sender.close()
        self.figures.close()
        self.replies.close()


def _count(url: str, figures, replies) -> None:
    """The counter process (_Counter): each shop's figures summed as they come, written when its last come."""
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            # Its tens of millions of rows each checked their shop (a locking lookup per row) otherwise.
            _without_checks(conn)
            replies.send(("started", conn.scalar(sa.text("SELECT pg_backend_pid()"))))
            while (job := _next(figures)) is not None:
                service_counts.sum_figures(conn, job[0], _shop_figures(figures, job))
            replies.send(("summed", time.process_time()))
            if _next(figures) == "commit":
                conn.commit()
                replies.send(("committed", None))
        engine.dispose()
    except BaseException:  # noqa: B036 (told to the loading process, which raises it)
        with suppress(OSError):   # (unless that is gone too)
            replies.send(("failed", traceback.format_exc()))


def _shop_figures(figures, job: tuple):
    """A shop's figures, as the load sends them (the first batch in hand)."""
    while True:
        _shop_id, rows, last = job
        yield from map(service_counts.Measure._make, rows)
        if last:
            return
        job = _next(figures)


def _next(figures):
    """What the load sends next; a load that is gone (killed: a failed one ends this process) ends this one too,
    rather than leave it waiting for ever with its transaction open (its rows would hold up the app's counting of
    those shops)."""
    try:
        return figures.recv()
    except EOFError:
        raise SystemExit("the bulk load is gone") from None


class _SearchText:
    """On PostgreSQL, the search documents' texts written by a thread and a connection of their own into a scratch
    table, whose generated columns turn them into tsvectors as they arrive: the dearest part of the server's work
    (at 1,000,000 questions and 200 shops holding another 1,000,000, 112 s of its CPU), which on the load's own
    connection held up every other table's rows. The load copies the documents over at its end (finish). The table
    is unlogged (no WAL) and committed as it fills, so the load's transaction reads it; it is dropped after the
    load, whether that committed or failed."""

    TABLE = "bulk_search_text"

    def __init__(self, phases: _Phases):
        # A session of its own, closed afterwards rather than pooled (as _Counter's).
        self.engine, self.conn = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool), None
        self.sender = _Sender(threaded=True)
        try:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            documents = ", ".join(f"{part}_doc tsvector GENERATED ALWAYS AS ({search.pg_vector(part)}) STORED"
                                  for part in ("head", "body"))
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.TABLE}")   # a load's that was cut off
            self.conn.exec_driver_sql(f"CREATE UNLOGGED TABLE {self.TABLE} (ticket_id integer, shop_id integer, "
                                      f"head text, body text, {documents})")
            columns = ["ticket_id", "shop_id", "head", "body"]
            self.writer = _Writer(self.conn, sa.table(self.TABLE, *map(sa.column, columns)), columns, phases,
                                  self.sender, _proc_stat(self.conn.scalar(sa.text("SELECT pg_backend_pid()"))))
        except BaseException:
            self.close()
            raise

    def finish(self, conn) -> None:
        """The documents into the search index's table, on the load's connection."""
        self.writer.flush()
        self.sender.close()
        # bandit B608: TABLE is this class's constant, no input.
        conn.exec_driver_sql("INSERT INTO ticket_search (ticket_id, shop_id, head, body) "  # nosec B608
                             f"SELECT ticket_id, shop_id, head_doc, body_doc FROM {self.TABLE}")

    def close(self) -> None:
        """After the load's commit or rollback: the thread ended, the table dropped."""
        with suppress(Exception):   # the load's own failure is the one raised
            self.sender.close()
        with suppress(Exception):   # (the server may have ended it while it sat idle through the index builds)
            if self.conn is not None:
                self.conn.close()
        try:
            with self.engine.begin() as conn:   # a connection afresh
                # Should the load's transaction still hold the table (its rollback failed), not a wait for ever.
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.TABLE}")
        finally:
            self.engine.dispose()


@contextmanager
def _indexes_set_aside(conn, phases: _Phases):
    """The bulk tables without their secondary indexes (and PostgreSQL's search index) during the load, and
    with them again afterwards, also when the load failed."""
    indexes = [index for name in BULK_TABLES for index in db.metadata.tables[name].indexes]
    pg = conn.dialect.name == "postgresql"
    search_indexes = ["ix_ticket_search_doc", "ix_ticket_search_shop"] if pg else []
    # IF [NOT] EXISTS rather than checkfirst, which reflects the indexes (SQLite's reflection skips one on an
    # expression, with a warning, and it would be created twice).
    for index in indexes:
        conn.execute(sa.schema.DropIndex(index, if_exists=True))
    for name in search_indexes:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    if pg:
        # For the load's transaction only (the indexes come back inside it): its pooled connection is the next
        # request's, or a benchmark's that would time its pages with this memory.
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    else:
        conn.exec_driver_sql("PRAGMA cache_size = -400000")   # 400 MB for the index builds' sorts
    try:
        yield
    finally:
        with phases("indexes"):
            for index in indexes:
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
            if pg:
                search.install_indexes(conn)


class _Sender:
    """On PostgreSQL, a thread that writes the load's chunks, in the order given, while the next ones are drawn:
    the server works on one core while Python draws rows on the other. Only this thread uses the connection
    until close(). SQLite writes each chunk at once, in the drawing thread: its executemany takes the GIL back
    for every row, so a second thread waits on the first (tried at 1,000,000 tickets: writing the search index
    took 1,382 s for 223 s of CPU)."""

    def __init__(self, threaded: bool, waiting: int = 6):
        """`waiting`: how many jobs may wait (a few chunks: memory stays bounded; 0: any number)."""
        self.jobs: queue.Queue = queue.Queue(maxsize=waiting)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bulk-writer", daemon=True) if threaded else None
        if self.thread is not None:
            self.thread.start()

    def put(self, job) -> None:
        if self.thread is None:
            job()
            return
        if self.error is not None:
            raise self.error
        self.jobs.put(job)

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is None:   # after a failure the rest is skipped, so close() is not kept waiting
                try:
                    job()
                except BaseException as error:  # noqa: B036 (handed to the loading thread, which raises it)
                    self.error = error

    def close(self) -> None:
        """Wait until every chunk is written; the first failure is raised here."""
        if self.thread is None:
            return
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class _Writer:
    """Rows for one table, written in chunks the fastest way the database takes them. Columns not given get
    their model default (evaluated once: the same value for every row, as for created_at)."""

    def __init__(self, conn, table: sa.Table, keys: list[str], phases: _Phases, sender: _Sender,
                 server: Path | None = None):
        """`server`: the /proc entry of the connection's server process, when not the load's."""
        self.conn, self.table, self.rows, self.phases, self.sender = conn, table, [], phases, sender
        self.server = server
        self.pg = conn.dialect.name == "postgresql"
        defaults = {}
        for column in table.columns:
            if column.name not in keys and getattr(column, "default", None) is not None:
                arg = column.default.arg
                defaults[column.name] = arg(None) if callable(arg) else arg
        self.columns = keys + list(defaults)
        self.defaults = tuple(self._value(column, value) for column, value in
                              ((table.c[name], value) for name, value in defaults.items()))
        # SQLite stores datetimes as text in SQLAlchemy's format (UTC here) and booleans as 0/1.
        self.convert = None if self.pg else [i for i, k in enumerate(keys)
                                             if isinstance(table.c[k].type, (sa.DateTime, sa.TypeDecorator))]
        quoted = ", ".join(f'"{c}"' for c in self.columns)
        self.sql = (f'COPY "{table.name}" ({quoted}) FROM STDIN' if self.pg else
                    # bandit B608: table and column names come from the models.
                    f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(self.columns))})')  # nosec B608

    def _value(self, column, value):
        if self.pg or value is None:
            return value
        if isinstance(value, datetime):
            return _sqlite_datetime(value)
        return int(value) if isinstance(value, bool) else value

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        """Hand the rows so far to the writing thread."""
        if self.rows:
            rows, self.rows = self.rows, []
            self.sender.put(lambda: self._write(rows))

    def _write(self, rows: list[tuple]) -> None:
        with self.phases(f"writing {self.table.name}", time.thread_time, self.server):
            self._send(rows)

    def _send(self, given: list[tuple]) -> None:
        raw = self.conn.connection.dbapi_connection
        if self.pg:
            with raw.cursor() as cursor, cursor.copy(self.sql) as copy:
                tail = self.defaults
                for row in given:
                    copy.write_row(row + tail)
        else:
            convert, tail = self.convert, self.defaults
            if convert:
                rows = []
                for row in given:
                    row = list(row)
                    for i in convert:
                        if row[i] is not None:
                            row[i] = _sqlite_datetime(row[i])
                    rows.append(tuple(row) + tail)
            else:
                rows = [row + tail for row in given]
            cursor = raw.cursor()
            cursor.executemany(self.sql, rows)
            cursor.close()


def _sqlite_datetime(value: datetime) -> str:
    """What SQLAlchemy's SQLite DateTime (through UTCDateTime) stores for an aware datetime: UTC, always with
    microseconds ("2026-10-05 10:57:35.000000"), so that text comparisons order it right."""
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    return value.isoformat(" ", "microseconds")[:26]


TICKET_KEYS = ["id", "shop_id", "subject", "customer_name", "customer_email", "language", "channel", "category",
               "status", "assignee_id", "order_number", "product", "received_at", "forwarded_at", "waiting_since",
               "due_at", "first_reply_at", "first_reply_due_at", "first_reply_margin", "last_reply_margin",
               "solved_at", "last_message_at", "snippet", "message_count", "created_at", "updated_at"]
MESSAGE_KEYS = ["id", "ticket_id", "shop_id", "kind", "author_id", "body", "created_at", "sla_due_at", "sla_margin"]


class _Load:
    """The rows of every shop of one bulk load, with ids handed out here (the tables are written directly), as
    a context: on PostgreSQL the rows are written by a thread of their own (_Sender), which the context's end
    waits for.
    What the shops' rows need from the database is read first: until then the connection is the writer's."""

    def __init__(self, conn, phases: _Phases, shops: list[Shop], counter: _Counter | None,
                 search_text: _SearchText | None):
        self.conn, self.pg = conn, conn.dialect.name == "postgresql"
        self.counter, self.search_text = counter, search_text
        self.now = clock.now()
        self.agents = {shop.id: list(db.session.scalars(sa.select(User.id).where(User.shop_id == shop.id)))
                       for shop in shops}
        self.calendars = {shop.id: sla.calendar_for(shop) for shop in shops}
        # The service figures of the questions the shops had before the load (the demo seed's): the counts are
        # summed from these and the loaded ones.
        self.measures = {shop.id: service_counts.measures(conn, db.session.scalars(
            sa.select(Ticket.id).where(Ticket.shop_id == shop.id)).all()) for shop in shops}
        if counter is not None:
            # Their rows are written afresh with the loaded ones' (shop()): a shop being counted in steps has none
            # yet for the questions past its cursor, nor for those whose older counting it forgot.
            conn.execute(sa.delete(TicketMeasure).where(TicketMeasure.shop_id.in_([shop.id for shop in shops])))
        self.next = {name: (conn.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
                     for name, model in (("ticket", Ticket), ("message", Message), ("call", Call), ("order", Order))}
        if not self.pg:
            # FTS5 merges its index's segments as they are written (automerge), every merge rewriting the older
            # ones again: the load's cost grew with each chunk (10 s of CPU for the first 120,000 tickets, 36 s
            # for the tenth). Unmerged during the load, then merged once in finish() (at 1,000,000 tickets half
            # the CPU). The setting is the index's own (stored with it), so it is put back there too.
            conn.exec_driver_sql("INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('automerge', 0)")
        self.sender = _Sender(threaded=self.pg)
        tables = db.metadata.tables
        writer = lambda table, keys: _Writer(conn, table, keys, phases, self.sender)   # noqa: E731
        self.tickets = writer(tables["ticket"], TICKET_KEYS)
        self.messages = writer(tables["message"], MESSAGE_KEYS)
        self.tags = writer(tables["ticket_tag"], ["ticket_id", "name"])
        self.calls = writer(tables["call"], ["id", "shop_id", "at", "direction", "answered", "duration_s", "caller",
                                             "source"])
        self.orders = writer(tables["order"], ["id", "shop_id", "order_number", "ordered_at", "product", "quantity",
                                               "source"])
        if search_text is not None:
            self.search = search_text.writer
        else:
            self.search = writer(sa.table("ticket_fts", sa.column("rowid"), sa.column("head"), sa.column("body")),
                                 ["rowid", "head", "body"])
        # With a counter, the loaded tickets' figures go in with the rows (their sums by the counter's process).
        self.figures = writer(tables["ticket_measure"], list(service_counts.Measure._fields))

    def __enter__(self) -> _Load:
        return self

    def __exit__(self, failed, *_exc) -> None:
        if failed is None:
            self.flush()
        self.sender.close()   # every chunk written (or, after a failure, the thread ended) before going on

    def flush(self) -> None:
        """Every table's rows so far, parents before children (the foreign keys are checked per row)."""
        for writer in (self.tickets, self.messages, self.tags, self.calls, self.orders, self.search, self.figures):
            writer.flush()

    def finish(self) -> None:
        """PostgreSQL: the search documents into their table; SQLite: its search index merged into one segment
        (what a search reads), and merged as it goes again from here on (FTS5's default)."""
        if self.search_text is not None:
            self.search_text.finish(self.conn)
        else:
            self.conn.exec_driver_sql("INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')")
            # bandit B608: FTS_AUTOMERGE is this module's integer constant, no input.
            self.conn.exec_driver_sql(f"INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('automerge', {FTS_AUTOMERGE})")  # nosec B608

    def _id(self, name: str) -> int:
        value = self.next[name]
        self.next[name] = value + 1
        return value

    def shop(self, rng: random.Random, shop_id: int, n: int) -> None:
        """n tickets over the last YEARS years (ids growing with time), the newest waiting for a reply or on
        the customer, the rest solved; calls and order lines over the same years."""
        now, cal, pg = self.now, self.calendars[shop_id], self.pg
        tz = cal.tz
        agent_ids = self.agents[shop_id]
        customers = max(50, n // 8)   # many customers ask more than once
        span = timedelta(days=365 * YEARS)
        origin = now - span
        open_count, pending_count = max(1, n * 15 // 1000), max(1, n * 4 // 100)
        order_base = 10_000_000 + rng.randrange(10**6) * 100
        tickets, messages, tags, search_rows, orders = (self.tickets, self.messages, self.tags, self.search,
                                                        self.orders)
        figures, counter = self.figures, self.counter
        email, reply_kind, note, customer_kind = (Channel.EMAIL.value, MessageKind.REPLY.value,
                                                  MessageKind.NOTE.value, MessageKind.CUSTOMER.value)
        channels = [email] * 6 + [Channel.WEBFORM.value, Channel.PHONE.value]
        measures = self.measures.pop(shop_id)
        if counter:
            for measure in measures:   # the questions from before the load
                figures.add(service_counts.row_of(measure))
        for i in range(n):
            ticket_id = self._id("ticket")
            category, language, formal, _upset, subject, body = rng.choice(QUESTIONS)
            c = rng.randrange(customers)
            first, _last, gender = (CUSTOMERS_NL if language == "nl" else CUSTOMERS_EN)[c % (16 if language == "nl" else 8)]
            last = SURNAMES[(c // 16) % len(SURNAMES)]
            customer = f"{first} {last}"
            address = f"{first}.{last}.{c}".lower().replace(" ", "").replace("'", "") + "@example.com"
            product = rng.choice(PRODUCTS)
            order = str(order_base + i)
            if i >= n - open_count:
                status = Status.OPEN.value
                received = now - timedelta(minutes=rng.randrange(5, 60 * 24 * 4))
            elif i >= n - open_count - pending_count:
                status = Status.PENDING.value
                received = now - timedelta(minutes=rng.randrange(60 * 6, 60 * 24 * 14))
            else:
                status = Status.SOLVED.value
                # Older tickets first, so ids grow with time as they would in a real shop; arrivals mostly in
                # office hours, on the shop's clock.
                day = (origin + span * (i / n)).astimezone(tz)
                received = day.replace(hour=rng.choice(HOURS), minute=rng.randrange(60), second=rng.randrange(60),
                                       microsecond=0).astimezone(timezone.utc)
                received = min(received, now - timedelta(days=15))
            values = dict(product=product, order=order, customer=customer, first=first,
                          day=WEEKDAYS[received.weekday() % 5],
                          title_name=("mevrouw " if gender == "f" else "meneer ") + last, agent="Anna Bakker")
            forwarded = received + timedelta(hours=rng.uniform(1, 20)) if rng.random() < 0.06 else None
            if forwarded and forwarded > now:
                forwarded = None
            channel = Channel.MARKETPLACE.value if forwarded else rng.choice(channels)
            clock_start = forwarded or received
            due = cal.add_business_hours(clock_start, sla.SLA_HOURS).astimezone(timezone.utc)
            question = _fill(body, values)
            title = _fill(subject, values)[:300]
            thread = [(customer_kind, question, received, None, None, None)]
            assignee = rng.choice(agent_ids) if agent_ids and rng.random() < 0.75 else None
            waiting_since = due_at = first_reply_at = first_reply_due_at = margin = solved_at = None
            if status == Status.OPEN.value:
                waiting_since, due_at, first_reply_due_at = clock_start, due, due
                if rng.random() < 0.25:
                    thread.append((note, rng.choice(NOTES), min(now, received + timedelta(minutes=30)),
                                   assignee or (agent_ids[0] if agent_ids else None), None, None))
            else:
                # The reply, a number of business hours after the clock started: mostly within the 8.
                hours = rng.uniform(0.2, 7.9) if rng.random() < 0.88 else rng.uniform(8.1, 20)
                reply_at = cal.add_business_hours(clock_start, hours).astimezone(timezone.utc)
                if reply_at >= now:
                    hours, reply_at = None, now - timedelta(minutes=1)
                margin = round((sla.SLA_HOURS - hours) * 3600) if hours is not None \
                    else cal.business_seconds_between(reply_at, due)
                reply_text = REPLIES.get((category, language, formal if language == "nl" else None)) \
                    or REPLIES.get((category, language, True if language == "nl" else None)) or "Dank u voor uw bericht."
                author = assignee or (rng.choice(agent_ids) if agent_ids else None)
                thread.append((reply_kind, _fill(reply_text, values), reply_at, author, due, margin))
                first_reply_at, first_reply_due_at, assignee = reply_at, due, author
                roll = rng.random()
                later = min(now, reply_at + timedelta(hours=rng.uniform(1, 48)))
                if roll < 0.6:
                    follow = rng.choice(THANKS[language] if status == Status.SOLVED.value else FOLLOW_UPS[language])
                    thread.append((customer_kind, f"{follow}\n\n{first}", later, None, None, None))
                elif roll < 0.85:
                    thread.append((note, rng.choice(NOTES), later, author, None, None))
                if status == Status.SOLVED.value:
                    solved_at = later
            texts = []
            for kind, text, at, author, sla_due, sla_margin in thread:
                messages.add((self._id("message"), ticket_id, shop_id, kind, author, text, at, sla_due, sla_margin))
                texts.append(text)
            public = [m for m in thread if m[0] != note]
            # The figures as service_counts.measures reads them back: the public thread in time order, its first
            # customer message at the clock's start.
            timeline = sorted(((m[0], m[2]) for m in public), key=_at)
            if timeline[0][0] == customer_kind:
                timeline[0] = (customer_kind, clock_start)
            measure = service_counts.measure_of(metrics.TicketFacts(
                ticket_id, assignee, channel, clock_start, status, solved_at, timeline), shop_id, cal)
            measures.append(measure)
            if counter:
                figures.add(service_counts.row_of(measure))
            order_number = order if "{order}" in body + subject else None
            tickets.add((ticket_id, shop_id, title, customer, address, language, channel, category, status,
                         assignee, order_number, product, received, forwarded, waiting_since, due_at,
                         first_reply_at, first_reply_due_at, margin, margin, solved_at, public[-1][2],
                         _snippet(public[-1][1]), len(thread), received, thread[-1][2]))
            for tag in TAGS_BY_CATEGORY.get(category, ()):
                tags.add((ticket_id, tag))
            # The search document, as the triggers would have written it (search.py).
            head = f"{title} {customer} {address} {order_number or ''}"
            search_rows.add((ticket_id, shop_id, head, " ".join(texts)) if pg else (ticket_id, head, " ".join(texts)))
            # The order behind the question, and one that went without a question.
            ordered = received - timedelta(days=rng.uniform(1, 10))
            orders.add((self._id("order"), shop_id, order, ordered, product, 1, "csv"))
            orders.add((self._id("order"), shop_id, f"9{order}", ordered + timedelta(hours=rng.uniform(0, 20)),
                        rng.choice(PRODUCTS), rng.choice((1, 1, 1, 2)), "csv"))
            if len(messages.rows) >= CHUNK:
                self.flush()
                if counter:   # summed in the counter's process while the next ones are drawn
                    counter.put(shop_id, measures)
                    measures = []
        self._calls(rng, shop_id, int(n * CALLS_PER_TICKET), origin, now, tz)
        # The shop's service counts from the figures computed above (reading millions of threads back cost more
        # than computing them as the rows are drawn): on PostgreSQL by the counter's process while the next
        # shops' rows are drawn and written (the figures' rows go with the rows).
        if counter:
            counter.put(shop_id, measures, last=True)
        else:
            self.flush()
            self.sender.put(lambda: service_counts.rebuild(self.conn, shop_id, measures))

    def _calls(self, rng: random.Random, shop_id: int, count: int, origin: datetime, now: datetime, tz) -> None:
        """Calls over the same years, in office hours, oldest first; one in six missed."""
        span = now - timedelta(hours=1) - origin
        for k in range(count):
            day = (origin + span * (k / max(1, count))).astimezone(tz)
            at = day.replace(hour=rng.randrange(9, 17), minute=rng.randrange(60), second=rng.randrange(60),
                             microsecond=0).astimezone(timezone.utc)
            answered = rng.random() > 1 / 6
            self.calls.add((self._id("call"), shop_id, min(at, now), rng.choice(("in", "in", "in", "out")), answered,
                            rng.randrange(30, 900) if answered else 0, f"+316{k:08d}", "csv"))
            if len(self.calls.rows) >= CHUNK:
                self.flush()
