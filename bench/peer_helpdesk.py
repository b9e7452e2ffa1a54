"""The peer run: django-helpdesk 2.6.1 with the same data size and load as bench/inbox.py, measured here.

    .venv/bin/python bench/peer_helpdesk.py            # options: --tickets 100000 --clients 8 --seconds 20
                                                       #          --workers 2 --reseed

django-helpdesk is installed from PyPI into instance/peer/venv (bench/peer/requirements.txt, exact pins) and hosted
by the small Django project in bench/peer/ on SQLite (instance/peer/helpdesk-<N>.sqlite3, built once by
bench/peer/load_tickets.py and reused; --reseed rebuilds it). gunicorn (in the peer venv) serves it on 127.0.0.1
with 2 workers. A staff user signs in through the helpdesk login form, then, per page, one client sends 40
requests (latency) and 8 client threads with keep-alive connections send requests for --seconds (throughput):

  list    the JSON that the ticket list page's datatable fetches (staff.datatables_ticket_list), with the URL,
          page length and column parameters read from the rendered /tickets/ page, as its script sends them
  ticket  /tickets/<id>/ for 50 open and 50 random tickets

The figures go to instance/peer/results.json; bench/inbox.py --peer reads them (or runs this) for its ratios.
"""
from __future__ import annotations

import html
import http.client
import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

from harness import options  # bench/, beside this file
from load import pct, run_load_cpu, serve as serve_app

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "bench" / "peer"
REQUIREMENTS = PROJECT / "requirements.txt"
INSTANCE = ROOT / "instance" / "peer"
VENV = INSTANCE / "venv"
PYTHON = VENV / "bin" / "python"
RESULTS = INSTANCE / "results.json"
USERNAME, PASSWORD = "admin", "peer-bench"  # made by bench/peer/load_tickets.py


def ensure_venv() -> None:
    """Create instance/peer/venv and install the pinned requirements unless they are already in."""
    marker = VENV / "requirements.installed"
    wanted = REQUIREMENTS.read_text()
    if marker.exists() and marker.read_text() == wanted:
        return
    if not PYTHON.exists():
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    marker.write_text(wanted)


def database(tickets: int) -> Path:
    return INSTANCE / f"helpdesk-{tickets}.sqlite3"


def count_tickets(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    except sqlite3.Error:
        return 0


def prepare(tickets: int, reseed: bool = False) -> dict:
    """Install the peer, build its database unless it is there; answer the ticket ids the load uses."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    ensure_venv()
    db = database(tickets)
    env = {**os.environ, "PEER_DATABASE": str(db)}
    if reseed or count_tickets(db) != tickets:
        started = time.perf_counter()
        db.unlink(missing_ok=True)
        subprocess.run([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=PROJECT, env=env, check=True)
        subprocess.run([str(PYTHON), "load_tickets.py", "--tickets", str(tickets)], cwd=PROJECT, env=env, check=True)
        print(f"peer data set built in {time.perf_counter() - started:.0f} s")
    with sqlite3.connect(db) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM helpdesk_ticket GROUP BY status"))
        followups = conn.execute("SELECT count(*) FROM helpdesk_followup").fetchone()[0]
        open_ids = [r[0] for r in conn.execute(
            "SELECT id FROM helpdesk_ticket WHERE status IN (1, 2) ORDER BY random() LIMIT 50")]
        any_ids = [r[0] for r in conn.execute("SELECT id FROM helpdesk_ticket ORDER BY random() LIMIT 50")]
    names = {1: "open", 2: "reopened", 3: "resolved", 4: "closed", 5: "duplicate"}
    print(f"django-helpdesk: {sum(counts.values()):,} tickets "
          f"{ {names.get(k, k): v for k, v in sorted(counts.items())} }, {followups:,} follow-ups")
    return {"db": db, "tickets": sum(counts.values()), "ticket_ids": open_ids + any_ids}


@contextmanager
def serve(db: Path, workers: int = 2):
    """gunicorn from the peer venv on a free port; yields (port, pid of the master)."""
    env = {**os.environ, "PEER_DATABASE": str(db), "DJANGO_SETTINGS_MODULE": "settings",
           "PEER_SECRET_KEY": secrets.token_hex(32)}
    with serve_app(PYTHON, "wsgi:application", workers, env, extra=("--chdir", str(PROJECT))) as server:
        yield server


class Client:
    """A keep-alive connection with a cookie jar (csrftoken, sessionid), signed in as the staff user."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = dict(cookies or {})
        if cookies is None:
            body = self.get("/login/")[1]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            status, _ = self.request("POST", "/login/", urlencode({
                "csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD, "next": "/tickets/"}),
                {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/"})
            if status != 302 or "sessionid" not in self.cookies:
                raise SystemExit(f"peer sign-in failed: {status}")

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)


AJAX = {"Accept": "application/json, text/javascript, */*; q=0.01", "X-Requested-With": "XMLHttpRequest"}


def list_data_path(client: Client) -> str:
    """The request the ticket list page's DataTable sends on first load, read off the rendered page.

    DataTables (serverSide: true, order: []) GETs ajax.url with draw, columns[i][data|name|searchable|orderable|
    search][value|regex]], start, length (the table's data-page-length) and search[value|regex], serialised like
    jQuery.param (empty arrays left out), plus `_` (cache: false).
    """
    status, page = client.get("/tickets/")
    if status != 200:
        raise SystemExit(f"peer ticket list page: {status}")
    url = html.unescape(re.search(r'ajax:\s*{\s*"url":\s*"([^"]+)"', page).group(1))
    length = re.search(r"data-page-length='(\d+)'", page).group(1)
    block = page[page.index("columns: [", page.index(url)):]
    block = block[:block.index("order: []")]
    params = [("draw", "1")]
    for i, part in enumerate(re.split(r'\bdata:\s*"', block)[1:]):
        orderable = "false" if re.search(r"orderable:\s*false", part) else "true"
        for key, value in (("data", part.split('"', 1)[0]), ("name", ""), ("searchable", "true"),
                           ("orderable", orderable), ("search][value", ""), ("search][regex", "false")):
            params.append((f"columns[{i}][{key}]", value))
    params += [("start", "0"), ("length", length), ("search[value]", ""), ("search[regex]", "false"),
               ("_", str(int(time.time() * 1000)))]
    enc = lambda s: quote(s, safe="-_.!~*'()")  # noqa: E731 - encodeURIComponent
    return url + "?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in params)


def measure(tickets=100_000, clients=8, seconds=20.0, workers=2, reseed=False) -> dict:
    """Build or reuse the data, serve it, measure both pages; write and answer results.json's contents."""
    data = prepare(tickets, reseed)
    results = {}
    with serve(data["db"], workers) as (port, pid):
        probe = Client(port)
        list_path = list_data_path(probe)
        status, body = probe.get(list_path, AJAX)
        rows = json.loads(body) if status == 200 else {}
        if not rows.get("data"):
            raise SystemExit(f"peer list data: {status} {body[:200]}")
        print(f"list data: {len(body):,} bytes JSON, {len(rows['data'])} rows of {rows['recordsFiltered']:,} "
              f"(recordsTotal {rows['recordsTotal']:,})\n  GET {list_path[:100]}...")
        pages = {"list": ([list_path], AJAX), "ticket": ([f"/tickets/{i}/" for i in data["ticket_ids"]], None)}
        for paths, headers in pages.values():  # warm both workers
            for p in paths * 2:
                probe.get(p, headers)
        print(f"\n{'django-helpdesk':15s} {'1 client p50':>13s} {'8 clients p50':>14s} {'p95':>8s} {'req/s':>8s} "
              f"{'CPU/req':>8s}")
        for name, (paths, headers) in pages.items():
            single = []
            for p in (paths * 40)[:40]:
                t = time.perf_counter()
                status, _ = probe.get(p, headers)
                single.append(time.perf_counter() - t)
                if status != 200:
                    raise SystemExit(f"peer {name}: {status} for {p}")
            lat, cpu_ms = run_load_cpu(pid, [Client(port, probe.cookies) for _ in range(clients)], paths, seconds,
                                       headers)
            results[name] = {"rps": round(len(lat) / seconds, 2), "cpu_ms": round(cpu_ms, 2),
                             "p50_ms": round(pct(lat, .5) * 1000, 1),
                             "p95_ms": round(pct(lat, .95) * 1000, 1),
                             "single_p50_ms": round(statistics.median(single) * 1000, 1)}
            r = results[name]
            print(f"{name:15s} {r['single_p50_ms']:10.1f} ms {r['p50_ms']:11.1f} ms {r['p95_ms']:6.0f} ms "
                  f"{r['rps']:8.1f} {r['cpu_ms']:5.1f} ms")
    results.update(tickets=data["tickets"], clients=clients, workers=workers, seconds=seconds,
                   measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return results


def results(tickets=100_000, clients=8, seconds=20.0, workers=2, max_age=86400) -> dict:
    """results.json when it is younger than max_age seconds and of the same load, else a new measure()."""
    try:
        saved = json.loads(RESULTS.read_text())
        age = time.time() - datetime.fromisoformat(saved["measured_at"]).timestamp()
        if (age < max_age and (saved["tickets"], saved["clients"], saved["workers"]) == (tickets, clients, workers)
                and "cpu_ms" in saved["ticket"]):
            print(f"django-helpdesk figures from {RESULTS.relative_to(ROOT)} ({saved['measured_at']})")
            return saved
    except (OSError, ValueError, KeyError):
        pass
    return measure(tickets, clients, seconds, workers)


def main() -> int:
    args = options(__doc__, database=False).parse_args()
    measure(args.tickets, args.clients, args.seconds, args.workers, args.reseed)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
