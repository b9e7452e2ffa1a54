"""Benchmark: what a live inbox costs the server, htmx polling against server-sent events (SSE), with 8 agents
and 100,000 tickets; and the inbox's misses banner, counted afresh against kept while nothing moved.

    .venv/bin/python bench/live.py                 # SQLite file in instance/bench-inbox.sqlite (bench/inbox.py's)
    .venv/bin/python bench/live.py --pg            # PostgreSQL (INBOX_BENCH_PG_URL, default .../inbox_bench)
    options: --agents 8 --seconds 30 --interval 1 --workers 2 --tickets 100000 --reseed

Each agent keeps the inbox open for --seconds and learns what is new every --interval seconds (1 s here, so that
a short run holds many updates; the app polls every LIVE_POLL_SECONDS = 20 s):
- polling: GET /tickets/live (views/live.py) from each agent, served by gunicorn with --workers sync workers,
  as the app is run;
- SSE: one long GET per agent to bench/live_sse.py, which renders the same answer every interval inside the
  stream. With sync workers a stream holds a worker for as long as the inbox is open, so it is measured twice:
  with the same sync workers (how many agents get a stream at all) and with threaded workers (gthread, one
  thread per agent), which SSE needs.
The server's CPU time (user + system of the gunicorn master and its workers, from /proc) is read before and after
each run; an idle run of the same length gives the baseline that is subtracted. CPU per update is what one poll
or one pushed event costs; per agent-minute is that at the app's 20-second rhythm (3 updates a minute).
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from harness import ROOT, Session, database_url, prepare, server_env  # bench/, beside this file
from load import serve  # bench/, beside this file

IN_USE_INTERVAL = 20   # LIVE_POLL_SECONDS
HX = {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/tickets"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


@contextmanager
def served(app: str, workers: int, env: dict, extra=()):
    """gunicorn serving `app` from this checkout: yields (port, pid of the master)."""
    with serve(sys.executable, app, workers, env, cwd=ROOT, extra=extra) as server:
        yield server


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the gunicorn workers)."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime, stime
    return total


def poll_run(sessions, path: str, seconds: float, interval: float) -> tuple[int, list[float], list[int]]:
    """Each session asks `path` every `interval` s, staggered; answers (polls, server ms, statuses)."""
    server_ms, statuses, lock = [], [], threading.Lock()
    stop = time.perf_counter() + seconds

    def agent(session, offset):
        next_at = time.perf_counter() + offset
        mine, codes = [], []
        while True:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            if time.perf_counter() >= stop:
                break
            status, _ = session.get(path, HX)
            mine.append(session.server_ms)
            codes.append(status)
            next_at += interval
        with lock:
            server_ms.extend(mine)
            statuses.extend(codes)

    threads = [threading.Thread(target=agent, args=(s, i * interval / len(sessions))) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(statuses), server_ms, statuses


def sse_run(port: int, cookies: list[str], path: str, seconds: float, interval: float,
            first_within: float) -> tuple[int, int]:
    """Each agent opens one stream of seconds/interval events; answers (events received, agents whose first event
    came within `first_within` s)."""
    ticks = max(1, int(seconds / interval))
    counts, early, lock = [], [], threading.Lock()

    def agent(cookie):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds + 60)
        started = time.perf_counter()
        conn.request("GET", f"{path}&interval={interval}&ticks={ticks}", headers={"Cookie": cookie})
        resp = conn.getresponse()
        n, first = 0, None
        while True:
            line = resp.fp.readline()
            if not line:
                break
            if line.startswith(b"event:"):
                n += 1
                first = first or time.perf_counter() - started
        conn.close()
        with lock:
            counts.append(n)
            early.append(first is not None and first <= first_within)

    threads = [threading.Thread(target=agent, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts), sum(early)


def idle_cpu(pid: int, seconds: float) -> float:
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return cpu_seconds(pid) - before


def row(label: str, updates: int, cpu: float, idle: float, agents: int, seconds: float, extra: str = "") -> None:
    used = max(0.0, cpu - idle)
    per_update = used / updates * 1000 if updates else float("nan")
    per_agent_minute = per_update * (60 / IN_USE_INTERVAL)
    print(f"{label:34s} {updates:7d} {cpu:8.2f} s {idle:6.2f} s {per_update:9.2f} ms {per_agent_minute:12.1f} ms"
          f"  {extra}")


def misses(url: str) -> None:
    """The banner's count: counted afresh (norms.miss_count) against banner_miss_count while nothing moved."""
    import sqlalchemy as sa

    from inbox import clock, create_app
    from inbox.extensions import db
    from inbox.models import Shop
    from inbox.services import norms

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        now = clock.now()
        for name, fn in (("counted afresh (miss_count)", norms.miss_count),
                         ("kept while nothing moved (banner_miss_count)", norms.banner_miss_count)):
            fn(shop, now)
            times = []
            for _ in range(200):
                t = time.perf_counter()
                n = fn(shop, now)
                times.append((time.perf_counter() - t) * 1000)
                db.session.commit()
            print(f"misses banner, {name:46s} {statistics.median(times):7.3f} ms per page (count {n})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    url = database_url(args)
    prepare(url, args.tickets, args.reseed)
    misses(url)

    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        after = conn.scalar(sa.text("SELECT max(id) FROM ticket")) - 20
    engine.dispose()
    env = server_env(url)
    poll_path = f"/tickets/live?after={after}"
    sse_path = f"/bench/live-stream?after={after}"
    n, s, i = args.agents, args.seconds, args.interval
    print(f"\n{n} agents, {s:g} s, an update every {i:g} s; per agent-minute at the app's {IN_USE_INTERVAL} s rhythm")
    print(f"{'':34s} {'updates':>7s} {'server CPU':>10s} {'idle':>8s} {'CPU/update':>12s} {'CPU/agent-min':>15s}")

    with served("inbox:create_app()", args.workers, env) as (port, pid):
        sessions = [Session(port, "owner@example.com") for _ in range(n)]
        for session in sessions:
            session.get(poll_path, HX)
        idle = idle_cpu(pid, s)
        before = cpu_seconds(pid)
        polls, server_ms, statuses = poll_run(sessions, poll_path, s, i)
        cpu = cpu_seconds(pid) - before
        bad = sum(1 for x in statuses if x != 200)
        row(f"polling, {args.workers} sync workers", polls, cpu, idle, n, s,
            f"server p50 {statistics.median(server_ms):.2f} ms{f', {bad} errors' if bad else ''}")
        cookies = [sess.cookie for sess in sessions]

    app = "bench.live_sse:create_sse_app()"
    with served(app, args.workers, env, ("-k", "gthread", "--threads", str(n))) as (port, pid):
        sessions = [Session(port, "owner@example.com") for _ in range(n)]
        cookies = [sess.cookie for sess in sessions]
        sse_run(port, cookies[:args.workers], sse_path, 2 * i, i, 5)   # warm both workers
        idle = idle_cpu(pid, s)
        before = cpu_seconds(pid)
        events, early = sse_run(port, cookies, sse_path, s, i, 5)
        cpu = cpu_seconds(pid) - before
        row(f"SSE, {args.workers} gthread workers x {n} threads", events, cpu, idle, n, s,
            f"{early} of {n} streams open within 5 s; holds {n} threads and {n} open connections")

    with served(app, args.workers, env) as (port, pid):
        sessions = [Session(port, "owner@example.com") for _ in range(n)]
        cookies = [sess.cookie for sess in sessions]
        events, early = sse_run(port, cookies, sse_path, min(s, 10), i, 5)
        print(f"{f'SSE, {args.workers} sync workers':34s} {events:7d}   {early} of {n} agents got a stream within "
              f"5 s: each stream holds a sync worker until it ends, and the rest wait (as do all other pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
