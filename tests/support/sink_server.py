"""A real HTTP server standing in for a sink (a KafkaSink, a function): records what it receives, answers as told."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float  # time.monotonic() on arrival


Answer = Callable[["Received"], tuple[int, bytes]]


class SinkServer:
    """Answers `status` (default 202, as a KafkaSink) after `delay` seconds, or whatever `answer(request)` returns."""

    def __init__(self, status: int = 202, delay: float = 0.0, answer: Answer | None = None) -> None:
        self.status = status
        self.delay = delay
        self.answer = answer
        self.requests: list[Received] = []
        self.max_concurrency = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def received(self) -> list[Received]:
        """The requests it accepted (2xx), in arrival order."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def ids(self, path: str | None = None) -> list[str]:
        """The ce-id of every accepted event, in arrival order (optionally of one path)."""
        return [r.headers["ce-id"] for r in self.received if path is None or r.path == path]

    def wait_for(self, count: int, timeout: float = 30.0, accepted_only: bool = True) -> list[Received]:
        """Block until `count` requests (accepted ones by default) arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                seen = [r for r in self.requests if not accepted_only or 200 <= r.status < 300]
                if len(seen) >= count or time.monotonic() >= deadline:
                    return seen
                self._arrived.wait(max(deadline - time.monotonic(), 0.01))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with sink._lock:
                    sink._in_flight += 1
                    sink.max_concurrency = max(sink.max_concurrency, sink._in_flight)
                try:
                    if sink.delay:
                        time.sleep(sink.delay)
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    request = Received(self.path, headers, body, sink.status, arrived)
                    status, reply = sink.answer(request) if sink.answer else (sink.status, b"")
                finally:
                    with sink._lock:
                        sink._in_flight -= 1
                with sink._arrived:
                    sink.requests.append(Received(self.path, headers, body, status, arrived))
                    sink._arrived.notify_all()
                self.send_response(status)
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> SinkServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
