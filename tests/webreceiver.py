"""A real HTTP receiver for webhooks on 127.0.0.1 (ThreadingHTTPServer in a thread): keeps what it is posted and
answers what the test tells it to, optionally holding requests back until the test lets them go."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, delay: float = 0.0):
        self.received, self.answers = [], []
        self.delay = delay                       # seconds before each answer
        self.hold = threading.Event()            # while cleared (see hold_requests), requests wait for it
        self.hold.set()
        self.arrived = threading.Event()         # set when a request came in
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                receiver.arrived.set()
                receiver.hold.wait(30)
                time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass   # the sender is gone (killed mid-delivery)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hold_requests(self) -> None:
        self.hold.clear()

    def event_ids(self) -> list[str]:
        return [json.loads(body)["id"] for _headers, body in self.received]

    def close(self):
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
