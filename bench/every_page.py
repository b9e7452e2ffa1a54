"""Benchmark: every page a signed-in owner can GET, in the app's own process, at the data sets of bench/scale.py:
the median CPU and wall time of each at 100,000 and 1,000,000 tickets, and the growth, dearest first. It finds the
page that still reads the shop's history (the ticket page's referring questions and the team page's open counts
were found this way, 0.4 s and 1.2 s at 1,000,000); bench/scale.py then measures the pages that matter through
gunicorn.

    .venv/bin/python bench/every_page.py                      # SQLite, 100k and 1m (built by bench/scale.py)
    .venv/bin/python bench/every_page.py --db pg --top 15 --requests 5

A route is asked with its URL arguments taken from the data set's Demo Shop (its newest ticket, message, user,
template, help article); routes with other arguments are left out, as are sign-out and the static files.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from harness import PASSWORD  # bench/, beside this file
from scale import url_for as dataset_url  # bench/, beside this file

SKIPPED = {"static", "assets.vendor", "auth.logout"}
# URL argument -> the Demo Shop's row it names (the newest), as SQL.
ARGUMENTS = {
    "ticket_id": "SELECT max(id) FROM ticket WHERE shop_id = :shop",
    "message_id": "SELECT max(id) FROM message WHERE shop_id = :shop",
    "user_id": 'SELECT max(id) FROM "user" WHERE shop_id = :shop',
    "template_id": "SELECT max(id) FROM reply_template WHERE shop_id = :shop",
    "article_id": "SELECT max(id) FROM help_article WHERE shop_id = :shop",
    "shop_id": "SELECT :shop",
}


def measure(url: str, requests: int) -> dict[str, tuple[float, float, int]]:
    """path -> (median CPU ms, median wall ms, last status) of every page the owner can GET."""
    import sqlalchemy as sa
    from flask import url_for

    from inbox import create_app
    from inbox.extensions import db

    os.environ.setdefault("INBOX_SECRET_KEY", "bench-only")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    paths = []
    with app.app_context():
        shop = db.session.scalar(sa.text("SELECT id FROM shop WHERE name = 'Demo Shop'"))
        values = {name: db.session.scalar(sa.text(sql), {"shop": shop}) for name, sql in ARGUMENTS.items()}
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                    continue
                if all(values.get(a) is not None for a in rule.arguments):
                    paths.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    client = app.test_client()
    client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    found = {}
    for path in sorted(set(paths)):
        client.get(path)   # warm
        cpu, wall = [], []
        for _ in range(requests):
            started_cpu, started = time.process_time(), time.perf_counter()
            status = client.get(path).status_code
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        found[path] = (statistics.median(cpu), statistics.median(wall), status)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "pg"))
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    figures = {size: measure(dataset_url(args.db, size), args.requests) for size in sizes}
    last = figures[sizes[-1]]
    print(f"median CPU (wall) ms of {args.requests} requests in the app's process, {args.db}; "
          f"dearest at {sizes[-1]} first")
    print(f"{'page':48s}" + "".join(f"{s:>20s}" for s in sizes) + "   growth (cpu)")
    for path in sorted(last, key=lambda p: -last[p][0])[:args.top]:
        row = [figures[s].get(path, (0.0, 0.0, 0)) for s in sizes]
        growth = f"{row[-1][0] / row[0][0]:8.2f}x" if len(row) > 1 and row[0][0] else ""
        status = "" if row[-1][2] == 200 else f"  ({row[-1][2]})"
        print(f"{path[:48]:48s}" + "".join(f"{c:8.1f} ({w:7.1f})    " for c, w, _ in row) + growth + status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
