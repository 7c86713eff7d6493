"""The committed OpenAPI document matches the models, and the routes it lists are exactly the public routes."""

from __future__ import annotations

import json

from functions.shared import openapi
from functions.shared.config import REPO_ROOT
from infra.local.gateway import routes
from infra.local.manifests import load, of_kind

SERVICES = of_kind(load([REPO_ROOT / "infra" / "knative"]), "Service")


def test_the_committed_document_is_current() -> None:
    assert openapi.PATH.read_text() == openapi.rendered(), "run `make schemas` and commit the result"


def test_documented_routes_are_exactly_the_routes_the_services_expose() -> None:
    document = json.loads(openapi.PATH.read_text())
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    exposed = {route for service in SERVICES for route in routes(service)}

    assert documented == exposed


def test_each_operation_names_the_function_that_serves_it() -> None:
    served_by = {route: service.name for service in SERVICES for route in routes(service)}

    for op in openapi.OPERATIONS:
        assert served_by[(op.method, op.path)] == op.function


def test_every_operation_documents_its_errors_with_the_error_schema() -> None:
    document = json.loads(openapi.PATH.read_text())

    for ops in document["paths"].values():
        for op in ops.values():
            assert "401" in op["responses"]
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorOut"
                    }
