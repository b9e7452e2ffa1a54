"""Benchmark: one page's SQL statements, each timed, in the app's own process at the data sets of bench/scale.py,
100,000 against 1,000,000: the median time of every statement the page runs (with the rows it returned), and on
PostgreSQL the plan of each with its buffers and any JIT compilation (EXPLAIN ANALYZE, run in the transaction the
page ran it in, after the page's own SET LOCALs). For finding which statement of a figure page grows, and why.

    .venv/bin/python bench/page_statements.py --db pg "/reports?start=2025-12-05&end=2026-12-04"
    .venv/bin/python bench/page_statements.py --db pg --explain 3 /reports   # the plan of statement 3 too

The plans' execution times and buffers are load-independent enough to compare while the machine is busy (the
statements' times beside them are not: run it twice to see the noise). On SQLite a statement's time is only that of
its first row (the rest is read as the app fetches it) and there are no plans: measure its pages with
bench/every_page.py.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

from harness import PASSWORD  # bench/, beside this file
from scale import url_for as dataset_url  # bench/, beside this file


def capture(url: str, path: str, requests: int, generic: bool = False, settings: tuple = ()) -> tuple[list[tuple[str, object, float, int]], list[list[float]]]:
    """The statements of the page's last request (text, parameters, ms, rows) and each statement's times over
    the requests (a page that runs a different number of statements each time is timed by position)."""
    import sqlalchemy as sa

    from inbox import create_app
    from inbox.extensions import db

    os.environ.setdefault("INBOX_SECRET_KEY", "bench-only")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    run: list = []

    # SQLAlchemy's documented recipe for timing statements: the start on the connection's info.
    def before(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info.setdefault("page_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, _context, _many):
        ms = (time.perf_counter() - conn.info["page_started"].pop()) * 1000
        run.append((statement, parameters, ms, cursor.rowcount))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
    client.get(path)   # warm
    times: list[list[float]] = []
    last: list = []
    for _ in range(requests):
        run.clear()
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        for i, (_s, _p, ms, _n) in enumerate(run):
            if i == len(times):
                times.append([])
            times[i].append(ms)
        last = list(run)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        explain(app, last, generic, list(settings))
    return last, times


PLANS: dict[int, list[str]] = {}


def explain(app, statements, generic: bool, settings: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of the page, in one transaction that repeats the page's SETs first;
    `generic`: the plan PostgreSQL caches for a prepared statement (psycopg prepares a statement a connection runs
    a fifth time, and after five executions the server may keep one plan for any parameters)."""
    import psycopg

    from inbox.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for setting in settings:
                name, _, value = setting.partition("=")
                cursor.execute("SELECT set_config(%s, %s, true)", (name.strip(), value.strip()))
            if generic:
                cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            for i, (statement, parameters, _ms, _n) in enumerate(statements):
                if statement.lstrip().upper().startswith(("SET ", "SELECT SET_CONFIG(")):
                    cursor.execute(statement, parameters)
                elif statement.lstrip().upper().startswith(("SELECT", "WITH")) and not generic:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    PLANS[i] = [row[0] for row in cursor.fetchall()]
                elif statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    names: list[str] = []

                    def numbered(match, names=names):
                        if match[1] not in names:
                            names.append(match[1])
                        return f"${names.index(match[1]) + 1}"
                    text = re.sub(r"%[(](\w+)[)]s", numbered, statement).replace("%%", "%")
                    cursor.execute(f"PREPARE page_statement AS {text}")
                    # The arguments as literals (psycopg's client-side binding): EXECUTE's own parameters have no type.
                    literal = psycopg.ClientCursor(raw.driver_connection)
                    literal.execute(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE page_statement({', '.join(['%s'] * len(names))})",
                                    [parameters[name] for name in names])
                    PLANS[i] = [row[0] for row in literal.fetchall()]
                    cursor.execute("DEALLOCATE page_statement")
            raw.rollback()
        finally:
            raw.close()


def summary(plan: list[str]) -> str:
    """The plan's execution time, JIT and the buffers of its top node."""
    found = [line.strip() for line in plan if line.strip().startswith(("Execution Time", "Planning Time", "JIT:"))]
    buffers = next((line.strip() for line in plan if "Buffers:" in line), "")
    jit = next((line.strip() for line in plan if line.strip().startswith("Timing:")), "")
    return "; ".join(found + ([buffers] if buffers else []) + ([f"JIT {jit}"] if jit else []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--db", default="pg", choices=("sqlite", "pg"))
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--explain", type=int, action="append", default=[], help="print this statement's plan")
    parser.add_argument("--generic", action="store_true", help="the generic plans of prepared statements")
    parser.add_argument("--setting", action="append", default=[],
                        help="NAME=VALUE for the EXPLAINs' transaction (jit_above_cost=0: what JIT would cost)")
    parser.add_argument("--width", type=int, default=110, help="characters of each statement shown")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        PLANS.clear()
        statements, times = capture(dataset_url(args.db, size), args.path, args.requests, args.generic, args.setting)
        total = sum(statistics.median(t) for t in times)
        print(f"\n{args.db} {size}: {args.path}: {len(statements)} statements, {total:.1f} ms in all "
              f"(medians of {args.requests})")
        for i, (statement, _p, _ms, rows) in enumerate(statements):
            text = " ".join(statement.split())[:args.width]
            print(f"{i:3d} {statistics.median(times[i]):7.2f} ms {rows:6d} rows  {text}")
            if i in PLANS:
                print(f"{'':22s}{summary(PLANS[i])}")
            if i in args.explain and i in PLANS:
                print("\n".join(f"{'':22s}{line}" for line in PLANS[i]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
