"""The load driver both benchmarks share (bench/inbox.py and bench/peer_helpdesk.py), so ours and the peer's
figures come from the same clients: stdlib only, as the peer runs in its own virtualenv."""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(python, app: str, workers: int, env: dict, cwd=None, extra=(), timeout: int = 300):
    """`python -m gunicorn` serving `app` with `workers` workers (sync unless `extra` says otherwise) on a free
    127.0.0.1 port; yields (port, pid of the master) once it accepts connections, and stops it afterwards."""
    port = free_port()
    server = subprocess.Popen([str(python), "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "--timeout", str(timeout), *extra, app], cwd=cwd, env=env)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn exited before serving {app}")
                time.sleep(0.1)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:   # a worker still busy (a long stream, a slow page): no need to wait
            server.kill()
            server.wait(10)


@contextmanager
def gunicorn(python, app: str, workers: int, env: dict, cwd=None, extra=(), timeout: int = 300):
    """serve(), yielding only the port."""
    with serve(python, app, workers, env, cwd, extra, timeout) as (port, _pid):
        yield port


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process `pid` and its live children (gunicorn's
    workers), read from /proc. The difference over a load run, per request, is a page's cost that does not depend on
    what else the machine is doing, unlike req/s: ours and the peer's compare on a busy machine too."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdecimal():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:   # gone meanwhile
            continue
        if int(entry) == pid or int(fields[1]) == pid:   # fields[1]: the parent
            total += int(fields[11]) + int(fields[12])   # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def run_load(connections, paths, seconds: float, headers=None) -> list[float]:
    """Each connection (one signed-in keep-alive client, with .get(path, headers) -> (status, body)) in its own
    thread, cycling through paths for `seconds`; the latencies of every request."""
    latencies, errors, lock, stop = [], [], threading.Lock(), time.perf_counter() + seconds

    def worker(client, offset):
        i, mine = offset, []
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            status, _ = client.get(path, headers)
            mine.append(time.perf_counter() - t)
            if status != 200:
                errors.append((path, status))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(c, n * 7)) for n, c in enumerate(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} errors, e.g. {errors[:3]}")
    return latencies


def run_load_cpu(pid: int, connections, paths, seconds: float, headers=None) -> tuple[list[float], float]:
    """run_load, and the server's CPU milliseconds per request over it (server_cpu of the gunicorn master `pid`)."""
    before = server_cpu(pid)
    latencies = run_load(connections, paths, seconds, headers)
    return latencies, (server_cpu(pid) - before) * 1000 / max(1, len(latencies))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]
