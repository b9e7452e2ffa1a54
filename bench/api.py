"""Benchmark: listing tickets through the API with 100,000 tickets, served by gunicorn.

    .venv/bin/python bench/api.py            # SQLite file in instance/bench-inbox.sqlite (shared with bench/inbox.py)
    .venv/bin/python bench/api.py --pg       # PostgreSQL (INBOX_BENCH_PG_URL, default .../inbox_bench)
    options: --tickets 100000 --clients 8 --seconds 20 --workers 2 --reseed

The data set is bench/inbox.py's (`seed.py --tickets N`). A read-scoped token is made for the Demo Shop. The
requests cycle through list calls an integration makes: the first page, a view, a status filter newest first,
a tag, "changed since yesterday", and pages deep in the history (by cursor). First one client measures one
request at a time ("server p50" is the app's own time, from its Server-Timing header), then --clients clients
measure throughput. The per-token rate limit is off for the run (INBOX_API_RATE_LIMIT=0).
"""
from __future__ import annotations

import http.client
import statistics
import sys
from datetime import timedelta
from urllib.parse import urlencode

from harness import ROOT, database_url, one_at_a_time, options, prepare, server_env, server_ms  # bench/
from load import gunicorn, pct, run_load  # bench/, beside this file

RAW_TOKEN = "inb_bench-api-read-token"


def token_and_paths(url: str) -> list[str]:
    import sqlalchemy as sa

    from inbox import clock, create_app
    from inbox.api.tickets import encode_cursor
    from inbox.extensions import db
    from inbox.models import ApiToken, Shop, Ticket, TicketTag, User
    from inbox.tokens import hash_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context():
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Demo Shop"))
        owner = db.session.scalar(sa.select(User).where(User.shop_id == shop.id, User.role == "owner"))
        if not db.session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == hash_token(RAW_TOKEN))):
            db.session.add(ApiToken(shop_id=shop.id, name="bench", token_hash=hash_token(RAW_TOKEN),
                                    prefix=RAW_TOKEN[:10], created_by=owner.id, scope="read"))
            db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.shop_id == shop.id))
        deep = []
        for share in (0.1, 0.3, 0.5, 0.7, 0.9):
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.shop_id == shop.id)
                                       .order_by(Ticket.updated_at, Ticket.id).offset(int(total * share)).limit(1))
            deep.append(encode_cursor(ticket))
        tag = db.session.scalar(sa.select(TicketTag.name).join(Ticket, Ticket.id == TicketTag.ticket_id)
                                .where(Ticket.shop_id == shop.id).limit(1))
        since = (clock.now() - timedelta(days=1)).isoformat()
    base = "/api/v1/tickets"
    return ([base, f"{base}?view=needs_reply", f"{base}?status=solved&order=-updated",
             f"{base}?{urlencode({'tag': tag or 'retour'})}", f"{base}?{urlencode({'updated_since': since})}"]
            + [f"{base}?{urlencode({'cursor': c})}" for c in deep])


class Client:
    """One integration: a keep-alive connection with the bearer token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.server_ms = float("nan")

    def get(self, path, headers=None):
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {RAW_TOKEN}", **(headers or {})})
        resp = self.conn.getresponse()
        body = resp.read()
        self.server_ms = server_ms(resp.headers)
        return resp.status, body


def main() -> int:
    args = options(__doc__).parse_args()
    url = database_url(args)
    prepare(url, args.tickets, args.reseed)
    paths = token_and_paths(url)
    env = server_env(url, INBOX_API_RATE_LIMIT="0")
    with gunicorn(sys.executable, "inbox:create_app()", args.workers, env, cwd=ROOT) as port:
        probe = Client(port)
        for p in paths * 2:  # warm both workers
            status, body = probe.get(p)
            if status != 200:
                raise SystemExit(f"{p}: {status} {body[:200]!r}")
        app_ms, single = one_at_a_time(probe, paths, 80)
        lat = run_load([Client(port) for _ in range(args.clients)], paths, args.seconds)
        rps = len(lat) / args.seconds
        print(f"\n{'db':10s} {'server p50':>11s} {'1 client p50':>13s} {f'{args.clients} clients p50':>14s} "
              f"{'p95':>8s} {'req/s':>8s}   (GET /api/v1/tickets, 50 a page, {len(paths)} kinds of call)")
        print(f"{'postgresql' if args.pg else 'sqlite':10s} {statistics.median(app_ms):8.1f} ms "
              f"{statistics.median(single) * 1000:10.1f} ms {pct(lat, .5) * 1000:11.1f} ms "
              f"{pct(lat, .95) * 1000:6.0f} ms {rps:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
