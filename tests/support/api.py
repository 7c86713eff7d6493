"""Drive the task API's functions through functions-framework's real HTTP path, as the gateway routes them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from flask.testing import FlaskClient
from functions_framework import create_app
from werkzeug.test import TestResponse

from functions.shared.config import REPO_ROOT

SECRET = "test-secret-that-is-long-enough-for-hs256"

# (method, path prefix/pattern) -> the function module serving it, as the Service manifests declare
ROUTES: list[tuple[str, str, str]] = [
    ("POST", r"/tasks", "create_task"),
    ("GET", r"/tasks", "query_tasks"),
    ("GET", r"/tasks/", "query_tasks"),
    ("PATCH", r"/tasks/", "update_task"),
    ("POST", r"/tasks/", "complete_task"),
    ("DELETE", r"/tasks/", "delete_task"),
    ("GET", r"/tags", "manage_tags"),
    ("POST", r"/tags", "manage_tags"),
    ("PATCH", r"/tags/", "manage_tags"),
    ("DELETE", r"/tags/", "manage_tags"),
    ("GET", r"/preferences", "preferences"),
    ("PUT", r"/preferences", "preferences"),
    ("GET", r"/audit", "query_audit"),
    ("GET", r"/notifications", "notifications"),
    ("POST", r"/notifications/", "notifications"),
]

_clients: dict[str, FlaskClient] = {}


def client(module: str) -> FlaskClient:
    """One app per function module (FF's registry is keyed by name, so each is loaded through create_app)."""
    if module not in _clients:
        app = create_app(target="handle", source=str(REPO_ROOT / "functions" / f"{module}.py"), signature_type="http")
        _clients[module] = app.test_client()
    return _clients[module]


def token(user_id: uuid.UUID | str, email: str | None = None, secret: str = SECRET, **claims: Any) -> str:
    payload = {"sub": str(user_id), "exp": int(time.time()) + 3600, **claims}
    if email:
        payload["email"] = email
    return jwt.encode(payload, secret, algorithm="HS256")


class User:
    def __init__(self, email: str | None = None) -> None:
        self.id = uuid.uuid4()
        self.token = token(self.id, email)

    def call(self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None,
             **kwargs: Any) -> TestResponse:  # fmt: skip
        module = next(m for verb, prefix, m in ROUTES if verb == method and _matches(path, prefix))
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return client(module).open(path, method=method, json=json, headers=all_headers, **kwargs)


def _matches(path: str, prefix: str) -> bool:
    bare = path.split("?")[0]
    return bare == prefix if not prefix.endswith("/") else bare.startswith(prefix)
