"""Benchmark: does each page cost what it shows, or what the shop's history holds? The same pages at 100,000 and
at 1,000,000 tickets in one shop, on SQLite and PostgreSQL, served by gunicorn: the median server time at both
sizes and the growth.

    .venv/bin/python bench/scale.py                        # both sizes, both databases
    .venv/bin/python bench/scale.py --db sqlite --sizes 100k --only search --only planner
    .venv/bin/python bench/scale.py --seed-only            # build (or upgrade) the data sets, measure nothing
    options: --requests 20 (per page and size) --workers 2 --reseed --list (the pages)

The data sets (`inbox.demo.bulk`, as `seed.py --tickets N`): the demo shops plus N tickets (~3 messages each,
spread over years, with calls and order lines) in the Demo Shop; on SQLite a second shop holds N/5 more, on
PostgreSQL 200 other shops hold another N between them. They are built once with the migrations (`flask db
upgrade`, then the bulk load) and reused while DATASET_VERSION and the generator stay the same; on reuse the
migrations run again, so a new migration's backfill is applied to them as to a production database.

    SQLite:      instance/scale-100k.sqlite, instance/scale-1m.sqlite
    PostgreSQL:  databases scale_100k, scale_1m on INBOX_BENCH_PG_SERVER (postgresql+psycopg://postgres@127.0.0.1:5432);
                 with INBOX_BENCH_PG_SUFFIX=_x, scale_100k_x and scale_1m_x (copies made with `createdb -T`, for a
                 branch whose migrations must not touch the shared ones)

Each page is asked --requests times by one signed-in owner (after two warm-up rounds, so both workers have their
caches), at every size in turn, the sizes' servers running side by side (a change of the machine's load during the
run then weighs on both sizes, not on the growth), and the median of the app's own time (its Server-Timing header) is printed, with the median
CPU time of the request's thread beside it (on a busy machine the wall time is mostly waiting for a core). The load average
is printed too: the figures are only comparable between runs on a quiet machine.

To add a page, add a Page to PAGES: a name and a function from the data set's facts (see facts()) to the paths
to ask (cycled through).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

from harness import ROOT, Session, server_env  # bench/, beside this file
from load import gunicorn  # bench/, beside this file

# Bump when the generator's output changes in a way the pages would see: the data sets are then built again.
DATASET_VERSION = 3
SIZES = "100k,1m"
PG_SERVER = os.environ.get("INBOX_BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
# A branch with a new migration measures copies (`createdb -T scale_1m scale_1m_mine`), never the shared data sets.
PG_SUFFIX = os.environ.get("INBOX_BENCH_PG_SUFFIX", "")
OTHER_SHOPS_PG = 200
MARKERS = ROOT / "instance" / "scale-datasets.json"


@dataclass(frozen=True)
class Page:
    name: str
    paths: Callable[[dict], list[str]]   # facts -> the paths to ask, in turn
    owner: str = ""                      # who measures what ("" = lists and search; "aggregates" = figures)


def _q(path: str, **args) -> str:
    return f"{path}?{urlencode(args)}"


PAGES = [
    Page("inbox, needs reply", lambda f: ["/tickets"]),
    Page("inbox, all, deep page", lambda f: [f["deep_all"]]),
    Page('search "levering"', lambda f: [_q("/tickets", view="all", q="levering")]),
    Page('search "kapot vlek"', lambda f: [_q("/tickets", view="all", q="kapot vlek")]),
    Page("ticket page", lambda f: [f"/tickets/{i}" for i in f["ticket_ids"]]),
    Page("ticket page, from page 500 of All", lambda f: [f["deep_ticket"]]),
    Page("call log, deep page", lambda f: [f["deep_calls"]]),
    Page("order lines, deep page", lambda f: [f["deep_orders"]]),
    Page("performance page", lambda f: ["/reports"], "aggregates"),
    Page("planner", lambda f: ["/planning"], "aggregates"),
    Page("service measures, a year", lambda f: [_q("/reports", start=f["year_ago"], end=f["today"])], "aggregates"),
    Page("service measures, any range", lambda f: [_q("/reports", start=a, end=b) for a, b in f["ranges"]],
         "aggregates"),
    Page("CSV export (service, a year)", lambda f: [_q("/reports/service.csv", start=f["year_ago"], end=f["today"])],
         "aggregates"),
]


def tickets_in(size: str) -> int:
    """ "100k" -> 100,000; "1m" -> 1,000,000 (any number with k or m, for a quick try: "2k")."""
    return int(float(size[:-1]) * {"k": 1_000, "m": 1_000_000}[size[-1].lower()]) if size[-1].isalpha() else int(size)


def url_for(db: str, size: str) -> str:
    if db == "pg":
        return f"{PG_SERVER}/scale_{size}{PG_SUFFIX}"
    (ROOT / "instance").mkdir(exist_ok=True)
    return f"sqlite:///{ROOT / 'instance' / f'scale-{size}.sqlite'}"


def _markers() -> dict:
    try:
        return json.loads(MARKERS.read_text())
    except (OSError, ValueError):
        return {}


def _exists(url: str) -> bool:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).exists()
    engine = sa.create_engine(f"{PG_SERVER}/postgres")
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                    {"n": url.rsplit("/", 1)[1]}))
    finally:
        engine.dispose()


def _drop(url: str) -> None:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()


def dataset(db: str, size: str, reseed: bool) -> str:
    """The data set's URL: built with the migrations and the bulk load unless an up-to-date one is there; an
    existing one is upgraded (new migrations and their backfills)."""
    from flask_migrate import upgrade

    from inbox import create_app
    from inbox.extensions import db as sqla
    from inbox.schema import EXTRAS

    url, tickets = url_for(db, size), tickets_in(size)
    markers = _markers()
    build = reseed or markers.get(url) != DATASET_VERSION or not _exists(url)
    if build:
        _drop(url)
        markers.pop(url, None)
        MARKERS.parent.mkdir(exist_ok=True)
        MARKERS.write_text(json.dumps(markers, indent=1))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        for extra in EXTRAS:
            # bandit B610: EXTRAS are the app's own schema functions, no user input.
            extra(sqla.engine)  # nosec B610
        if build:
            import seed
            from inbox.demo.bulk import generate

            rng = random.Random(7)
            seed.seed_demo(rng)
            demo = time.perf_counter()
            others = (OTHER_SHOPS_PG, tickets) if db == "pg" else (1, tickets // 5)
            generate(rng, "Demo Shop", tickets, other_shops=others[0], other_tickets=others[1])
            print(f"{db} {size}: data set built in {time.perf_counter() - started:.0f} s (demo shops "
                  f"{demo - started:.0f} s, bulk {time.perf_counter() - demo:.0f} s)", flush=True)
            markers[url] = DATASET_VERSION
            MARKERS.write_text(json.dumps(markers, indent=1))
        else:
            print(f"{db} {size}: reusing {url} (upgraded in {time.perf_counter() - started:.1f} s)", flush=True)
        sqla.engine.dispose()
    return url


def _deep(conn, model, when, shop_id: int, path: str) -> str:
    """The page that starts in the middle of the shop's rows of `model` (newest first), as its pager links to it:
    after a row, named by its id and time, with the position (services/keyset.py)."""
    import sqlalchemy as sa

    from inbox.services.keyset import key_text

    total = conn.scalar(sa.select(sa.func.count()).select_from(model).where(model.shop_id == shop_id))
    row = conn.execute(sa.select(model.id, when).where(model.shop_id == shop_id).order_by(when.desc(), model.id.desc())
                       .offset(max(0, total // 2)).limit(1)).first()
    return _q(path, before=f"{row.id}.{key_text(row[1])}", start=total // 2 + 2) if row else path


def _deep_inbox(conn, shop_id: int, page: int) -> tuple[str, str]:
    """Page `page` of the inbox's All view as the pager links to it: after the last ticket of the page before
    (a keyset cursor, ticket_list.cursor_of); and the page of its first ticket as that row links to it (with its
    place in the list: Previous, Next and the way back are read from there)."""
    import sqlalchemy as sa

    from inbox.models import Ticket
    from inbox.services.keyset import key_text
    from inbox.services.ticket_list import PAGE_SIZE

    total = conn.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.shop_id == shop_id))
    page = max(2, min(page, total // PAGE_SIZE))
    row, first = conn.execute(sa.select(Ticket.id, Ticket.received_at).where(Ticket.shop_id == shop_id)
                              .order_by(Ticket.received_at.desc(), Ticket.id.desc())
                              .offset((page - 1) * PAGE_SIZE - 1).limit(2)).all()
    return (_q("/tickets", view="all", page=page, after_row=f"{row.id}.{key_text(row.received_at)}"),
            _q(f"/tickets/{first.id}", pos=(page - 1) * PAGE_SIZE, key=key_text(first.received_at), view="all"))


def facts(url: str) -> dict:
    """What the pages' paths need from the data set: ticket ids to open, where the deep pages start, dates."""
    import sqlalchemy as sa

    from inbox import clock
    from inbox.models import Call, Order, Ticket

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            shop_id = conn.scalar(sa.text("SELECT id FROM shop WHERE name = 'Demo Shop'"))
            counts = dict(conn.execute(sa.text("SELECT status, count(*) FROM ticket WHERE shop_id = :s "
                                               "GROUP BY status"), {"s": shop_id}).all())
            others = conn.scalar(sa.text("SELECT count(*) FROM ticket WHERE shop_id != :s"), {"s": shop_id})
            rng = random.Random(3)
            top = conn.scalar(sa.text("SELECT max(id) FROM ticket WHERE shop_id = :s"), {"s": shop_id})
            low = conn.scalar(sa.text("SELECT min(id) FROM ticket WHERE shop_id = :s"), {"s": shop_id})
            ticket_ids = []
            while len(ticket_ids) < 30:
                found = conn.scalar(sa.text("SELECT min(id) FROM ticket WHERE shop_id = :s AND id >= :i"),
                                    {"s": shop_id, "i": rng.randint(low, top)})
                ticket_ids.append(found)
            deep_all, deep_ticket = _deep_inbox(conn, shop_id, 500)
            first = clock.as_utc(conn.scalar(sa.select(sa.func.min(Ticket.received_at))
                                             .where(Ticket.shop_id == shop_id))).date()
            facts = {
                "shop_id": shop_id, "tickets": sum(counts.values()), "statuses": counts, "others": others,
                "ticket_ids": ticket_ids, "deep_all": deep_all, "deep_ticket": deep_ticket,
                "deep_calls": _deep(conn, Call, Call.at, shop_id, "/reports/calls"),
                "deep_orders": _deep(conn, Order, Order.ordered_at, shop_id, "/reports/orders"),
            }
    finally:
        engine.dispose()
    today = clock.now().date()
    facts.update(today=today.isoformat(), year_ago=(today - timedelta(days=364)).isoformat(),
                 ranges=_ranges(rng, first, today))
    return facts


def _ranges(rng: random.Random, first, today) -> list[tuple[str, str]]:
    """Periods of the service measures besides the last year: the first year of the history, and periods of 1 to
    367 days (the page's longest) anywhere in it, not aligned to weeks or months."""
    ranges = [(first, first + timedelta(days=366))]
    while len(ranges) < 8:
        length = rng.randint(1, 367)
        start = first + timedelta(days=rng.randint(0, max(0, (today - first).days - length)))
        ranges.append((start, min(today, start + timedelta(days=length - 1))))
    return [(a.isoformat(), b.isoformat()) for a, b in ranges]


def measure(urls: dict[str, str], pages: list[Page], requests: int,
            workers: int) -> dict[str, dict[str, tuple[float, float, str]]]:
    """Each size's median server time and median server CPU time (ms) of each page, and a note of any non-200
    answers. The sizes are served side by side and asked in turn, request by request, so that a change in the
    machine's load while measuring (other work starting or ending) weighs on every size alike, not on the growth."""
    found = {}
    for size, url in urls.items():
        found[size] = facts(url)
        print(f"  {size}: Demo Shop: {found[size]['tickets']:,} tickets {found[size]['statuses']}; other shops: "
              f"{found[size]['others']:,}", flush=True)
    results: dict[str, dict] = {size: {} for size in urls}
    with contextlib.ExitStack() as stack:
        clients = {}
        for size, url in urls.items():
            port = stack.enter_context(gunicorn(sys.executable, "inbox:create_app()", workers, server_env(url),
                                                cwd=ROOT))
            clients[size] = Session(port, "owner@example.com", timeout=300)
        for page in pages:
            paths = {size: page.paths(found[size]) for size in urls}
            for size, client in clients.items():
                for path in paths[size][:4] * 2:   # warm both workers
                    client.get(path)
            times, cpu, bad = ({size: [] for size in urls} for _ in range(3))
            for i in range(requests):
                for size, client in clients.items():
                    status, _ = client.get(paths[size][i % len(paths[size])])
                    times[size].append(client.server_ms)
                    cpu[size].append(client.server_cpu_ms)
                    if status != 200:
                        bad[size].append(status)
            for size in urls:
                results[size][page.name] = (statistics.median(times[size]), statistics.median(cpu[size]),
                                            f"{len(bad[size])} answers {sorted(set(bad[size]))}" if bad[size] else "")
    return results


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (comma-separated)")
    parser.add_argument("--sizes", default=SIZES, help="tickets in the shop, comma-separated (100k, 1m, 2k ...)")
    parser.add_argument("--only", action="append", default=[], help="pages whose name contains this (repeatable)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true", help="build the data sets again")
    parser.add_argument("--seed-only", action="store_true", help="build or upgrade the data sets, measure nothing")
    parser.add_argument("--list", action="store_true", help="list the pages")
    args = parser.parse_args()
    if args.list:
        for page in PAGES:
            print(page.name)
        return 0
    dbs, sizes = args.db.split(","), args.sizes.split(",")
    pages = [p for p in PAGES if not args.only or any(o.lower() in p.name.lower() for o in args.only)]
    figures: dict[tuple[str, str], dict] = {}
    for db in dbs:
        urls = {size: dataset(db, size, args.reseed) for size in sizes}
        if args.seed_only:
            continue
        print(f"{db} {', '.join(sizes)}: measuring {len(pages)} pages side by side, load average {load_average()}",
              flush=True)
        for size, found in measure(urls, pages, args.requests, args.workers).items():
            figures[db, size] = found
    if args.seed_only:
        return 0
    print(f"\nmedian server time (Server-Timing) of {args.requests} sequential requests, gunicorn "
          f"{args.workers} workers, and in brackets the median CPU time of the request's thread (SQLite's work "
          f"included, a PostgreSQL server's not); load average now {load_average()}")
    head = "".join(f"{s:>20s}" for s in sizes) + ("   growth (cpu)" if len(sizes) > 1 else "")
    for db in dbs:
        print(f"\n{'sqlite' if db == 'sqlite' else 'postgresql':30s}{head}")
        for page in pages:
            values = [figures[db, s][page.name][0] for s in sizes]
            cpu = [figures[db, s][page.name][1] for s in sizes]
            notes = "; ".join(figures[db, s][page.name][2] for s in sizes if figures[db, s][page.name][2])
            growth = (f"{values[-1] / values[0]:6.2f}x ({cpu[-1] / cpu[0]:.2f}x)"
                      if len(values) > 1 and values[0] and cpu[0] else "")
            print(f"{page.name:30s}" + "".join(f"{v:7.1f} ({c:6.1f}) ms" for v, c in zip(values, cpu)) + f" {growth}"
                  + (f"  ({notes})" if notes else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
