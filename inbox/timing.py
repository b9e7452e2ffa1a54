"""Server-Timing: how long the app itself took, apart from the network and the client.

Only when asked for (debug, or INBOX_SERVER_TIMING=1, which the benchmarks set): otherwise it tells anyone how
long each page takes to build, which helps an attacker time guesses."""
from __future__ import annotations

from time import perf_counter

from flask import g


def init_app(app) -> None:
    if not (app.debug or app.config.get("SERVER_TIMING")):
        return
    # Registered first, so the start is taken before other hooks and the header is stamped after theirs.
    @app.before_request
    def start_clock():
        g.request_started = perf_counter()

    @app.after_request
    def stamp_server_timing(response):
        started = g.pop("request_started", None)
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.1f}"
        return response
