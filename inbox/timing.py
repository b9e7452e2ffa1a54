"""Server-Timing on every response: how long the app itself took, apart from the network and the client.

Benchmarks (bench/inbox.py) read it, and so do browsers' developer tools."""
from __future__ import annotations

from time import perf_counter

from flask import g


def init_app(app) -> None:
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
