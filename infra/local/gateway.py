"""The public gateway: routes the REST paths the Service manifests declare to their functions, and nothing else.

A Service lists its public routes in the annotation `taskfn.dev/routes`, "METHOD /path" items separated by commas,
where a path segment `{name}` matches any single segment. Unknown paths answer 404, a known path with another
method 405.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler

import urllib3
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from functions.shared.config import REPO_ROOT
from infra.local.http_server import BackgroundServer, QuietHandler
from infra.local.manifests import Manifest

logger = logging.getLogger(__name__)

ROUTES_ANNOTATION = "taskfn.dev/routes"
OPENAPI = REPO_ROOT / "functions" / "openapi.json"  # the committed document (`make schemas`)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}


def routes(service: Manifest) -> list[tuple[str, str]]:
    """(method, path) pairs a service declares public."""
    items = service.annotations.get(ROUTES_ANNOTATION, "").split(",")
    return [(m.upper(), p) for m, p in (item.split() for item in items if item.strip())]


class Gateway:
    def __init__(self, services: Iterable[Manifest], urls: dict[str, str], port: int = 0) -> None:
        rules = []
        for service in services:
            for method, path in routes(service):
                rule_path = re.sub(r"\{(\w+)\}", r"<\1>", path)
                rules.append(Rule(rule_path, methods=[method], endpoint=urls[service.name]))
        self.map = Map(rules, strict_slashes=False, merge_slashes=False)
        self._http = urllib3.PoolManager(maxsize=16, retries=False)
        self._http_server = BackgroundServer(self._handler(), port, name="gateway")

    @property
    def url(self) -> str:
        return self._http_server.url

    def start(self) -> Gateway:
        self._http_server.start_serving()
        return self

    def stop(self) -> None:
        self._http_server.stop_serving()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(QuietHandler):
            def _proxy(self) -> None:
                path = self.path.partition("?")[0]
                body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
                if path == "/openapi.json" and self.command == "GET" and OPENAPI.exists():
                    return self._send(200, OPENAPI.read_bytes(), {"content-type": "application/json"})
                try:
                    upstream, _ = gateway.map.bind("gateway").match(path, method=self.command)
                except NotFound:
                    return self._reply(404, {"error": "not found", "path": path})
                except MethodNotAllowed as e:
                    return self._reply(
                        405, {"error": "method not allowed"}, {"Allow": ", ".join(e.valid_methods or [])}
                    )
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                url = upstream + self.path
                try:
                    response = gateway._http.request(self.command, url, headers=headers, body=body, redirect=False)
                except urllib3.exceptions.HTTPError as e:
                    logger.warning("gateway: %s %s: %s", self.command, url, e)
                    return self._reply(502, {"error": "upstream unavailable"})
                self.send_response(response.status)
                for name, value in response.headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(response.data)))
                self.end_headers()
                self.wfile.write(response.data)

            def _reply(self, status: int, payload: dict[str, str], headers: dict[str, str] | None = None) -> None:
                self._send(
                    status, json.dumps(payload).encode(), {"content-type": "application/json", **(headers or {})}
                )

            def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _proxy

        return Handler
