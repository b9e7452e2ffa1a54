"""How much does the planner's horizon cost? Median render time of GET /planning with the coming weeks set to 8
(the old horizon) and to planning.AHEAD_WEEKS (half a year), measured in turns on the same data.

    .venv/bin/python bench/planning.py                     # SQLite, 20,000 tickets
    .venv/bin/python bench/planning.py --tickets 100000 --reuse

The data set is bench/reports.py's (the demo seed plus inbox/demo/bulk.py), in instance/bench-planning.sqlite.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from reports import ROOT, measure, prepare  # bench/, beside this file

sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="reuse a data set that already holds enough tickets")
    parser.add_argument("--sqlite-path", default=str(ROOT / "instance" / "bench-planning.sqlite"))
    args = parser.parse_args(argv)
    Path(args.sqlite_path).parent.mkdir(parents=True, exist_ok=True)

    from inbox import planning
    app = prepare(f"sqlite:///{args.sqlite_path}", args.tickets, args.reuse)
    ahead_now = planning.AHEAD_WEEKS
    times: dict[int, list[float]] = {8: [], ahead_now: []}
    started = time.perf_counter()
    for _ in range(args.rounds):   # in turns, so a busy moment on the machine hits both alike
        for ahead in (8, ahead_now, ahead_now, 8):
            planning.AHEAD_WEEKS = ahead   # the view reads it on every request
            times[ahead] += measure(app, args.requests, "/planning")
    planning.AHEAD_WEEKS = ahead_now
    for ahead, values in times.items():
        print(f"GET /planning, {ahead:2d} weeks ahead: median {statistics.median(values):6.1f} ms, "
              f"p90 {statistics.quantiles(values, n=10)[-1]:6.1f} ms over {len(values)} requests")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
