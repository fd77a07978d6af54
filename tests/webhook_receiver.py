"""A real webhook receiver for tests: an HTTP server on loopback, in a thread.

It records every request (headers, body, when) and answers what `respond` says. `stop()` closes
the socket, so the worker meets a refused connection, as with a receiver that is down; `start()`
listens again on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def event(self) -> dict:
        return json.loads(self.body)


# (status, headers, body) for a request.
Answer = tuple[int, dict[str, str], bytes]


class Receiver:
    def __init__(self):
        self.received: list[Received] = []
        self.respond: Callable[[Received], Answer] = lambda request: (200, {}, b"ok")
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cms"

    def start(self) -> Receiver:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answers(self, *answers: Answer, then: Answer = (200, {}, b"ok")) -> None:
        """Answer the next requests with these, in order, then always with `then`."""
        queue = list(answers)

        def respond(request):
            with self._lock:
                return queue.pop(0) if queue else then

        self.respond = respond

    def ids(self) -> list[str]:
        with self._lock:
            return [request.webhook_id for request in self.received]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                request = Received(
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                with receiver._lock:
                    receiver.received.append(request)
                    receiver.in_flight += 1
                    receiver.max_in_flight = max(receiver.max_in_flight, receiver.in_flight)
                try:
                    status, headers, body = receiver.respond(request)
                finally:
                    with receiver._lock:
                        receiver.in_flight -= 1
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the worker went away (killed) while we answered

            def log_message(self, format, *args):
                pass

        return Handler
