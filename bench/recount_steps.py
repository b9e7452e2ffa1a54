"""The count in steps after an upgrade (services/recount.step): how long one step holds a shop's writes (each
step's transaction, median and longest) and how long the whole count takes, on a copy of a scale data set.

    .venv/bin/python bench/recount_steps.py --url sqlite:////tmp/scale-100k-copy.sqlite [--size 2000]

The database is upgraded first (`flask db upgrade`), then every shop is put behind (as an upgrade that changes
the counting leaves it) and counted in steps, one transaction each, timing each commit-to-commit step. It writes
to the database it is given: use a copy.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the database (a copy: it is written to)")
    parser.add_argument("--size", type=int, default=None, help="tickets or order numbers per step")
    args = parser.parse_args()

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from inbox import create_app
    from inbox.extensions import db
    from inbox.models import Shop, Ticket
    from inbox.services import count_progress, recount

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench"})
    size = args.size or recount.STEP
    with app.app_context():
        upgrade()
        for shop_id in db.session.scalars(sa.select(Shop.id).order_by(Shop.id)).all():
            tickets = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.shop_id == shop_id))
            recount.again(db.session.connection(), shop_id)
            db.session.commit()
            times, phases = [], {}
            started = time.perf_counter()
            while True:
                before = count_progress.read(db.session.connection(), shop_id)
                db.session.commit()
                phase = ("forget" if before.ticket is None else "tickets" if before.ticket != count_progress.ALL_TICKETS
                         else "orders")
                t0 = time.perf_counter()
                progress = recount.step(db.session.connection(), shop_id, size)
                db.session.commit()
                times.append(time.perf_counter() - t0)
                phases.setdefault(phase, []).append(times[-1])
                if progress.done:
                    break
            total = time.perf_counter() - started
            t1 = time.perf_counter()
            recount.analyze(db.session.connection())
            db.session.commit()
            print(f"shop {shop_id}: {tickets} tickets, {len(times)} steps of {size}: step median "
                  f"{statistics.median(times) * 1000:.0f} ms, longest {max(times) * 1000:.0f} ms; "
                  + "; ".join(f"{name} {len(ts)} steps, median {statistics.median(ts) * 1000:.0f} ms, longest "
                              f"{max(ts) * 1000:.0f} ms" for name, ts in phases.items())
                  + f"; all {total:.1f} s; then ANALYZE {time.perf_counter() - t1:.1f} s", flush=True)


if __name__ == "__main__":
    main()
