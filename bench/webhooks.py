"""Benchmark: webhook delivery throughput, from the queue to a receiver on 127.0.0.1, through real workers.

    .venv/bin/python bench/webhooks.py                 # SQLite file instance/bench-webhooks.sqlite, 1 worker
    .venv/bin/python bench/webhooks.py --pg --workers 2   # PostgreSQL (INBOX_BENCH_PG_URL), two workers at once
    options: --events 2000 --workers 1 --receiver-ms 0

A shop with one endpoint gets --events ticket.created events queued in one transaction (the queueing rate is
printed too). Then --workers `flask --app inbox worker --only webhooks` processes, started beforehand so their
start-up is not counted, deliver them: each a signed JSON POST over a new connection to a ThreadingHTTPServer
in this process that answers 200 after --receiver-ms. The figure is events delivered per second from the moment
the rows are committed until the last is recorded "delivered"; the receiver counts duplicates (there must be
none) and checks every signature.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "whsec_bench"


class Receiver:
    def __init__(self, delay: float):
        from inbox.services.webhooks import verify
        self.ids, self.bad = [], 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not verify(SECRET, self.headers["X-Inbox-Signature"], body):
                    receiver.bad += 1
                receiver.ids.append(self.headers["X-Inbox-Event-Id"])
                if delay:
                    time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--receiver-ms", type=float, default=0.0)
    args = parser.parse_args()
    if args.pg:
        url = os.environ.get("INBOX_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/inbox_bench")
    else:
        if args.workers > 1:
            raise SystemExit("SQLite allows one worker; use --pg for several")
        (ROOT / "instance").mkdir(exist_ok=True)
        url = f"sqlite:///{ROOT / 'instance' / 'bench-webhooks.sqlite'}"

    import sqlalchemy as sa

    from inbox import create_app
    from inbox.extensions import db
    from inbox.models import Shop, WebhookDelivery, WebhookEndpoint
    from inbox.schema import install_schema
    from inbox.services import webhooks

    receiver = Receiver(args.receiver_ms / 1000)
    # The same key as the workers': it seals the endpoint's secret.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only", "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8"})
    with app.app_context():
        if not sa.inspect(db.engine).has_table("webhook_delivery"):
            install_schema(db.engine)
        shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Webhook Bench"))
        if shop is None:
            shop = Shop(name="Webhook Bench", country="NL", timezone="Europe/Amsterdam")
            db.session.add(shop)
            db.session.flush()
        db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.shop_id == shop.id))
        db.session.execute(sa.delete(WebhookEndpoint).where(WebhookEndpoint.shop_id == shop.id))
        db.session.add(WebhookEndpoint(shop_id=shop.id, url=receiver.url, secret=SECRET, events="ticket.created"))
        db.session.commit()
        shop_id = shop.id

    env = {**os.environ, "INBOX_DATABASE_URL": url, "INBOX_SECRET_KEY": "bench-only",
           "INBOX_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8", "INBOX_WORKER_INTERVALS": "webhooks=0.05"}
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "inbox", "worker", "--only", "webhooks"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(args.workers)]
    try:
        time.sleep(4)   # let them start (not measured)
        with app.app_context():
            started = time.perf_counter()
            for n in range(args.events):
                webhooks.emit(shop_id, "ticket.created", {"ticket_id": n, "subject": f"Vraag {n}"})
            db.session.commit()
            queued_at = time.perf_counter()
            pending = sa.select(sa.func.count(WebhookDelivery.id)).where(WebhookDelivery.shop_id == shop_id,
                                                                         WebhookDelivery.state != "delivered")
            while db.session.scalar(pending):
                db.session.commit()
                time.sleep(0.02)
                if time.perf_counter() - queued_at > 600:
                    raise SystemExit("not delivered within 10 minutes")
            done = time.perf_counter()
            db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.shop_id == shop_id))
            db.session.commit()
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    duplicates = len(receiver.ids) - len(set(receiver.ids))
    print(f"\n{'db':10s} {'workers':>7s} {'events':>7s} {'queued/s':>9s} {'delivered/s':>12s} {'duplicates':>10s} "
          f"{'bad sig':>8s}   (receiver answers after {args.receiver_ms:g} ms)")
    print(f"{'postgresql' if args.pg else 'sqlite':10s} {args.workers:7d} {args.events:7d} "
          f"{args.events / (queued_at - started):9.0f} {args.events / (done - queued_at):12.1f} {duplicates:10d} "
          f"{receiver.bad:8d}")
    return 0 if duplicates == 0 and receiver.bad == 0 and len(receiver.ids) == args.events else 1


if __name__ == "__main__":
    sys.exit(main())
