"""Server-Timing: how long the app itself took, apart from the network and the client.

Only when asked for (debug, or INBOX_SERVER_TIMING=1, which the benchmarks set): otherwise it tells anyone how
long each page takes to build, which helps an attacker time guesses."""
from __future__ import annotations

from time import perf_counter, thread_time

from flask import g


def init_app(app) -> None:
    if not (app.debug or app.config.get("SERVER_TIMING")):
        return
    # Registered first, so the start is taken before other hooks and the header is stamped after theirs.
    @app.before_request
    def start_clock():
        g.request_started = perf_counter(), thread_time()

    @app.after_request
    def stamp_server_timing(response):
        started = g.pop("request_started", None)
        if started is not None:
            # The CPU time too: on a busy machine the wall time is mostly waiting for a core, and the CPU time of
            # the request's thread (SQLite's work included, which runs in it; not a database server's) is not.
            wall, cpu = perf_counter() - started[0], thread_time() - started[1]
            response.headers["Server-Timing"] = f"app;dur={wall * 1000:.1f}, cpu;dur={cpu * 1000:.1f}"
        return response
