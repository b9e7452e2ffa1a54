"""What the served benchmarks share (bench/inbox.py, bench/api.py, bench/peer_helpdesk.py): their options, the
data set (`seed.py --tickets N`, built once in instance/bench-inbox.sqlite or INBOX_BENCH_PG_URL), the server's
environment and the timing of one client. Stdlib only at import, like load.py: the app is imported when used."""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/inbox_bench"
PASSWORD = "inbox-demo"


def options(doc: str, *, database: bool = True) -> argparse.ArgumentParser:
    """The options of a load benchmark: the data set's size, the clients, how long, gunicorn's workers."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if database:
        parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true")
    return parser


def database_url(args) -> str:
    if args.pg:
        return os.environ.get("INBOX_BENCH_PG_URL", PG_URL)
    (ROOT / "instance").mkdir(exist_ok=True)
    return f"sqlite:///{ROOT / 'instance' / 'bench-inbox.sqlite'}"


def server_env(url: str, **extra: str) -> dict:
    """The environment gunicorn serves the app in: the data set, and the app's own time in a Server-Timing header."""
    return {**os.environ, "INBOX_DATABASE_URL": url, "INBOX_SECRET_KEY": "bench-only", "INBOX_SERVER_TIMING": "1",
            **extra}


def server_ms(headers, metric: str = "app") -> float:
    """The app's own time for a response, from its Server-Timing header (NaN without one); metric "cpu": the CPU
    time of the request's thread."""
    for part in headers.get("Server-Timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name == metric and duration:
            return float(duration)
    return float("nan")


class Client:
    """One browser: a keep-alive connection to 127.0.0.1:port and its session cookie. After each request
    .server_ms holds the app's own time (Server-Timing)."""

    def __init__(self, port: int, headers: dict | None = None, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookie, self.server_ms, self.server_cpu_ms, self.headers = "", float("nan"), float("nan"), dict(headers or {})

    def request(self, method, path, body=None, headers=None):
        headers = {**self.headers, **(headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        self.server_ms, self.server_cpu_ms = server_ms(resp.headers), server_ms(resp.headers, "cpu")
        return resp.status, data

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on the page at `path`."""
        body = self.get(path)[1]
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)


class Session(Client):
    """One signed-in agent (password inbox-demo)."""

    def __init__(self, port: int, email: str, timeout: float = 30):
        super().__init__(port, timeout=timeout)
        token = self.csrf_token("/login")
        status, _ = self.request("POST", "/login", urlencode({"email": email, "password": PASSWORD,
                                                               "csrf_token": token}),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            raise SystemExit(f"sign-in failed for {email}: {status}")


def one_at_a_time(client, paths: list[str], requests: int) -> tuple[list[float], list[float]]:
    """`requests` requests by one client (cycling through paths): the app's own times (ms) and the latencies (s).
    The client's .get(path) sets .server_ms."""
    app_ms, latencies = [], []
    for path in (paths * requests)[:requests]:
        started = time.perf_counter()
        client.get(path)
        latencies.append(time.perf_counter() - started)
        app_ms.append(client.server_ms)
    return app_ms, latencies


def _stale(url: str) -> bool:
    """Whether the data set was built for an older schema (a table lacks a column the models have): it is then
    built again, as create_all adds no columns to existing tables."""
    import sqlalchemy as sa

    from inbox import models  # noqa: F401  (the tables)
    from inbox.extensions import db

    engine = sa.create_engine(url)
    try:
        found = sa.inspect(engine)
        return any(found.has_table(table.name)
                   and not {c.name for c in table.columns} <= {c["name"] for c in found.get_columns(table.name)}
                   for table in db.metadata.sorted_tables)
    finally:
        engine.dispose()


def prepare(url: str, tickets: int, reseed: bool) -> dict:
    """Build the data set unless it is there; answer what the load needs (open ticket ids, order numbers)."""
    import sqlalchemy as sa

    from inbox import create_app
    from inbox.extensions import db
    from inbox.models import Message, Shop, Ticket
    from inbox.schema import install_schema

    if url.startswith("postgresql"):
        server, name = url.rsplit("/", 1)
        engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) and _stale(url):
                conn.exec_driver_sql(f'DROP DATABASE "{name}"')
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    elif Path(url.removeprefix("sqlite:///")).exists() and _stale(url):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        install_schema(db.engine)
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        have = shop and db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.shop_id == shop.id))
        if reseed or not have or have < tickets:
            import seed
            from inbox.demo.bulk import generate
            started = time.perf_counter()
            rng = random.Random(7)
            seed.seed_demo(rng)
            generate(rng, "Demo Shop", tickets)
            print(f"data set built in {time.perf_counter() - started:.0f} s")
            shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        counts = dict(db.session.execute(sa.select(Ticket.status, sa.func.count()).where(Ticket.shop_id == shop.id)
                                         .group_by(Ticket.status)).all())
        messages = db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.shop_id == shop.id))
        others = db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.shop_id != shop.id))
        open_ids = list(db.session.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop.id, Ticket.status == "open")
                                           .order_by(Ticket.due_at).limit(50)))
        any_ids = list(db.session.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop.id)
                                          .order_by(sa.func.random()).limit(50)))
        orders = list(db.session.scalars(sa.select(Ticket.order_number).where(
            Ticket.shop_id == shop.id, Ticket.order_number.is_not(None)).order_by(sa.func.random()).limit(10)))
    print(f"Demo Shop: {sum(counts.values()):,} tickets {counts}, {messages:,} messages; other shops: {others:,} tickets")
    return {"open_ids": open_ids, "any_ids": any_ids, "orders": orders}
