"""How fast is the performance page with a big shop? Median render time of GET /reports over 20 requests.

    .venv/bin/python bench/reports.py                      # SQLite and PostgreSQL, 100,000 tickets
    .venv/bin/python bench/reports.py --only sqlite --tickets 20000
    .venv/bin/python bench/reports.py --reuse              # keep the databases of an earlier run

The data comes from inbox/demo/bulk.py (the same generator as `python seed.py --tickets N`) on top of the demo
seed, which adds 13+ weeks of calls and orders. PostgreSQL: INBOX_BENCH_PG_URL, default a database
`bench_reports` on 127.0.0.1 (created when missing). The target is under 200 ms. The first line per database is
one view with nothing kept yet (settled weeks, service measures): what the first manager sees after a deploy
or a bulk load, until the norm check (cron) has counted them; then the first view once it has.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PG_URL = os.environ.get("INBOX_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports")


def ensure_pg_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("select 1 from pg_database where datname = :n"), {"n": target.database}):
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def prepare(url: str, tickets: int, reuse: bool):
    from inbox import create_app
    from inbox.extensions import db
    from inbox.models import Shop, Ticket
    from inbox.schema import install_schema
    import seed

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "MAIL_OUTBOX_DIR": "/tmp/bench-reports-outbox"})
    with app.app_context():
        have = 0
        if reuse and sa.inspect(db.engine).has_table("ticket"):
            have = db.session.scalar(sa.select(sa.func.count(Ticket.id)).join(Shop, Shop.id == Ticket.shop_id)
                                     .where(Shop.name == "Demo Shop")) or 0
        db.session.commit()  # end the read before any DDL (PostgreSQL would wait on our own lock)
        if have < tickets:
            started = time.perf_counter()
            if url.startswith("postgresql"):
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            else:
                db.metadata.drop_all(db.engine)
            install_schema(db.engine)
            rng = random.Random(7)
            seed.seed_demo(rng)
            from inbox.demo.bulk import generate
            generate(rng, "Demo Shop", tickets)
            print(f"  built {tickets:,} tickets in {time.perf_counter() - started:.0f} s")
        else:
            # The service measures' kept counts may come from an older schema (or none): count them afresh.
            from inbox.models import ServiceCount, ServiceFine, Shop, TicketMeasure
            from inbox.services import service_counts
            for model in (ServiceFine, ServiceCount, TicketMeasure):
                model.__table__.drop(db.engine, checkfirst=True)
            for model in (TicketMeasure, ServiceCount, ServiceFine):
                model.__table__.create(db.engine)
            # create_all skips indexes of tables that already exist: add the ones a newer schema declares.
            for table in db.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(db.engine, checkfirst=True)
            with db.engine.begin() as conn:
                for shop_id in conn.scalars(sa.select(Shop.id)).all():
                    service_counts.rebuild(conn, shop_id)
            print(f"  reusing {have:,} tickets")
    return app


def first_view(app, path: str, after_check: bool = False) -> float:
    """One view with no settled week kept: the first after a deploy or a bulk load; with after_check, the first
    once `flask norms check` has run since. (The service measures' counts are kept with every change, not on
    reading: they stay.)"""
    from inbox import clock
    from inbox.extensions import db
    from inbox.models import NormWeek
    from inbox.services import norms
    client = app.test_client()
    with app.app_context():
        assert client.post("/login", data={"email": "manager@example.com", "password": "inbox-demo"}).status_code == 302
        client.get("/tickets")   # templates compiled, connections open
        db.session.execute(sa.delete(NormWeek))
        db.session.commit()
        if after_check:
            norms.run_checks(clock.now())
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        return (time.perf_counter() - started) * 1000


def measure(app, requests: int, path: str) -> list[float]:
    client = app.test_client()
    with app.app_context():
        response = client.post("/login", data={"email": "manager@example.com", "password": "inbox-demo"})
        assert response.status_code == 302, "login failed"
        for _ in range(3):  # warm up: templates compiled, calendar days cached, connections open
            assert client.get(path).status_code == 200
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--reuse", action="store_true", help="reuse databases that already hold enough tickets")
    parser.add_argument("--sqlite-path", default=str(ROOT / "instance" / "bench-reports.sqlite"))
    args = parser.parse_args(argv)

    targets = []
    if args.only in (None, "sqlite"):
        Path(args.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        targets.append(("SQLite", f"sqlite:///{args.sqlite_path}"))
    if args.only in (None, "postgresql"):
        ensure_pg_database(PG_URL)
        targets.append(("PostgreSQL", PG_URL))
    for name, url in targets:
        print(f"{name}: {url}")
        app = prepare(url, args.tickets, args.reuse)
        print(f"  GET /reports   first view with nothing kept {first_view(app, '/reports'):6.1f} ms, "
              f"after the norm check {first_view(app, '/reports', after_check=True):6.1f} ms")
        for path in ("/reports", "/tickets"):
            times = measure(app, args.requests, path)
            print(f"  GET {path:9} median {statistics.median(times):6.1f} ms, "
                  f"min {min(times):6.1f}, max {max(times):6.1f} over {len(times)} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
