"""A real HTTP server standing in for a Knative KafkaSink: records what it receives, answers as a test says."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class SinkServer:
    """`status` is what it answers (KafkaSink: 202); `delay` seconds it waits first (a slow or hung sink)."""

    def __init__(self, status: int = 202, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def ids(self, path: str | None = None) -> list[str]:
        """The ce-id of every accepted event, in arrival order (optionally of one sink path)."""
        with self._lock:
            return [r.headers["ce-id"] for r in self.received if path is None or r.path == path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if sink.delay:
                    time.sleep(sink.delay)
                status = sink.status
                if 200 <= status < 300:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    with sink._lock:
                        sink.received.append(Received(self.path, headers, body))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

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
