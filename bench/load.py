"""The load driver both benchmarks share (bench/inbox.py and bench/peer_helpdesk.py), so ours and the peer's
figures come from the same clients: stdlib only, as the peer runs in its own virtualenv."""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from contextlib import contextmanager


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


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]
