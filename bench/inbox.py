"""Benchmark: the inbox list, a search and a ticket page with 100,000 tickets, served by gunicorn.

    .venv/bin/python bench/inbox.py                       # SQLite file in instance/bench-inbox.sqlite
    .venv/bin/python bench/inbox.py --pg                  # PostgreSQL (INBOX_BENCH_PG_URL, default
                                                          #   postgresql+psycopg://postgres@127.0.0.1:5432/inbox_bench)
    options: --tickets 100000 --clients 8 --seconds 20 --workers 2 --reseed --only ticket (repeatable)
             --peer: also measure django-helpdesk here (bench/peer_helpdesk.py) and print the ratios against it
             --against REF: also serve git revision REF (e.g. main) and measure both in turns, in this one run
                   (before, after, after, before for each page), printing after/before: for a change's cost

The data set is `python seed.py --tickets N`: the demo shops plus N tickets (~3 messages each) in the Demo Shop
and N/5 in a second shop. It is built once and reused (pass --reseed to rebuild). The app runs under gunicorn
on 127.0.0.1 with 2 workers; 8 client threads (stdlib http.client, one signed-in session each) hit one page
at a time for --seconds each. First a single client measures the latency of one request at a time (the
server time plus a loopback round trip; "server p50" is the app's own time from its Server-Timing header), then
the 8 clients measure throughput under load, and the server's CPU time per request over that run (gunicorn's
master and workers, from /proc): unlike req/s, it hardly depends on what else the machine is doing.

The reference is the issue's figure for django-helpdesk 2.6.1 on the same kind of machine and load:
ticket list ~8 req/s (p50 ~0.9 s), ticket page ~28 req/s (p50 ~0.3 s). With --peer, django-helpdesk itself is run
on this machine after our measurement, with the same ticket count, clients and workers (its figures in
instance/peer/results.json are reused for a day), and the ratios of req/s and of CPU time per request are printed
side by side against those.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

from harness import ROOT, Session, database_url, one_at_a_time, options, prepare, server_env  # bench/
from load import gunicorn, pct, run_load, run_load_cpu, serve  # bench/, beside this file


DJANGO_HELPDESK = {"list": 8.0, "ticket": 28.0}
SEARCHES = ["bestelling", "pakket kapot", "refund", "Jansen", "retour label", "damaged", "factuur btw", "Emily Clarke"]


def warm(port: int, pages: dict) -> Session:
    probe = Session(port, "owner@example.com")
    for paths in pages.values():  # warm both workers' caches
        for p in paths * 2:
            probe.get(p)
    return probe


def measure(probe: Session, port: int, paths: list[str], args) -> tuple[list, list, list]:
    """The app's own times and one client's latencies over 40 requests, then every latency of the load."""
    app_ms, single = one_at_a_time(probe, paths, 40)
    return app_ms, single, run_load(clients(port, args), paths, args.seconds)


def clients(port: int, args) -> list[Session]:
    return [Session(port, "owner@example.com") for _ in range(args.clients)]


def checkout(ref: str) -> Path:
    """Revision `ref` of this repository, exported beside the data set (instance/against-<commit>/), sharing its
    instance folder and so the data set."""
    import subprocess

    commit = subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "--short", ref], text=True).strip()
    tree = ROOT / "instance" / f"against-{commit}"
    if not (tree / "inbox").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        (tree / "node_modules").symlink_to(ROOT / "node_modules")
    (tree / "instance").unlink(missing_ok=True)
    (tree / "instance").symlink_to(ROOT / "instance")
    print(f"before: {ref} ({commit}) from {tree}; after: this checkout")
    return tree


def compare(args, env: dict, pages: dict, before: Path) -> int:
    """Both revisions served at once (each with args.workers workers) and measured in turns."""
    with gunicorn(sys.executable, "inbox:create_app()", args.workers, env, cwd=before) as old, \
            gunicorn(sys.executable, "inbox:create_app()", args.workers, env, cwd=ROOT) as new:
        probes = {old: warm(old, pages), new: warm(new, pages)}
        print(f"\n{'page':7s} {'':7s} {'server p50':>11s} {'1 client p50':>13s} {'req/s':>8s}")
        for name, paths in pages.items():
            runs = {old: [], new: []}
            for port in (old, new, new, old):
                runs[port].append(measure(probes[port], port, paths, args))
            rates = {}
            for label, port in (("before", old), ("after", new)):
                app_ms = [x for run in runs[port] for x in run[0]]
                single = [x for run in runs[port] for x in run[1]]
                rates[label] = sum(len(run[2]) for run in runs[port]) / (args.seconds * len(runs[port]))
                print(f"{name:7s} {label:7s} {statistics.median(app_ms):8.2f} ms "
                      f"{statistics.median(single) * 1000:10.2f} ms {rates[label]:8.1f}")
            print(f"{name:7s} after/before throughput {rates['after'] / rates['before']:.3f}")
    return 0


def main() -> int:
    parser = options(__doc__)
    parser.add_argument("--peer", action="store_true", help="ratios against django-helpdesk measured here")
    parser.add_argument("--against", metavar="REF", help="git revision to measure in turns with this checkout")
    parser.add_argument("--only", choices=["list", "search", "ticket"], action="append",
                        help="measure only this page (repeatable); --peer needs list and ticket")
    args = parser.parse_args()

    url = database_url(args)
    data = prepare(url, args.tickets, args.reseed)
    env = server_env(url)
    searches = SEARCHES + data["orders"][:4]
    pages = {
        "list": ["/tickets"],
        "search": ["/tickets?" + urlencode({"view": "all", "q": q}) for q in searches],
        "ticket": [f"/tickets/{i}" for i in data["open_ids"] + data["any_ids"]],
    }
    if args.only:
        pages = {name: paths for name, paths in pages.items() if name in args.only}
    if args.against:
        return compare(args, env, pages, checkout(args.against))
    with serve(sys.executable, "inbox:create_app()", args.workers, env, cwd=ROOT) as (port, pid):
        probe = warm(port, pages)
        print(f"\n{'db':10s} {'page':7s} {'server p50':>11s} {'1 client p50':>13s} {'8 clients p50':>14s} {'p95':>8s} "
              f"{'req/s':>8s} {'CPU/req':>8s}  vs django-helpdesk{' (below)' if args.peer else ''}")
        ours = {}
        for name, paths in pages.items():
            app_ms, single = one_at_a_time(probe, paths, 40)
            lat, cpu_ms = run_load_cpu(pid, clients(port, args), paths, args.seconds)
            rps = len(lat) / args.seconds
            ours[name] = {"rps": rps, "cpu_ms": cpu_ms}
            ref = None if args.peer else DJANGO_HELPDESK.get(name)
            ratio = f"{rps / ref:5.1f}x ({ref:g} req/s)" if ref else "—"
            print(f"{'postgresql' if args.pg else 'sqlite':10s} {name:7s} {statistics.median(app_ms):8.1f} ms "
                  f"{statistics.median(single) * 1000:10.1f} ms "
                  f"{pct(lat, .5) * 1000:11.1f} ms {pct(lat, .95) * 1000:6.0f} ms {rps:8.1f} {cpu_ms:5.1f} ms  {ratio}")
    if args.peer:
        import peer_helpdesk  # bench/, beside this file

        peer = peer_helpdesk.results(args.tickets, args.clients, args.seconds, args.workers)
        # req/s depends on what else the machine does while each side is measured; the server's CPU time per
        # request does not, so its ratio is the one to compare across runs and machines.
        print(f"\n{'page':7s} {'ours req/s':>10s} {'theirs':>8s} {'ratio':>6s}   {'ours CPU/req':>12s} {'theirs':>9s} "
              f"{'ratio':>6s}")
        for name in ("list", "ticket"):
            if name not in ours:
                continue
            a, b = ours[name], peer[name]
            print(f"{name:7s} {a['rps']:10.1f} {b['rps']:8.1f} {a['rps'] / b['rps']:5.1f}x   {a['cpu_ms']:9.1f} ms "
                  f"{b['cpu_ms']:6.1f} ms {b['cpu_ms'] / a['cpu_ms']:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
