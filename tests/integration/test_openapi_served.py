"""Every route the OpenAPI document lists is served by its function (it asks for a token rather than 404/405)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine

from functions.shared import openapi
from tests.support import api


@pytest.mark.parametrize("op", openapi.OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_documented_route_is_served(engine: Engine, op: openapi.Operation) -> None:
    module = op.function.replace("-", "_")
    path = op.path.replace("{id}", str(uuid.uuid4()))

    response = api.client(module).open(path, method=op.method, json={})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("module", "method", "path"), [("query_tasks", "GET", "/nope"), ("manage_tags", "PUT", "/tags")]
)
def test_undocumented_routes_are_not(engine: Engine, module: str, method: str, path: str) -> None:
    assert api.client(module).open(path, method=method).status_code in (404, 405)
