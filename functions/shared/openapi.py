"""The OpenAPI 3.1 document of the public REST API, built from the same pydantic models the functions use.

`python -m functions.shared.openapi` writes functions/openapi.json (committed; a test fails on drift, and another
checks that the document and the routes the Service manifests expose agree both ways). The gateway serves it at
/openapi.json.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from events.commands import TaskChanges
from functions.shared import api
from functions.shared.config import REPO_ROOT

PATH = REPO_ROOT / "functions" / "openapi.json"
_ERRORS = {
    400: "malformed JSON",
    401: "missing or bad bearer token (see WWW-Authenticate)",
    404: "no such resource for this user",
    405: "method not allowed on this path",
    409: "conflicts with an existing resource",
    413: "body over 64 KiB",
    422: "a field or parameter breaks a rule",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    function: str
    summary: str
    responses: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = field(default=(401,))


OPERATIONS = (
    Operation("POST", "/tasks", "create-task", "Create a task (201), or repeat a create by its id (200)",
              {201: api.TaskOut, 200: api.TaskOut}, body=api.NewTask, errors=(400, 401, 409, 413, 422)),
    Operation("GET", "/tasks", "query-tasks", "List, filter, sort and search tasks",
              {200: api.TaskPage}, query=api.TaskQuery, errors=(401, 422)),
    Operation("GET", "/tasks/{id}", "query-tasks", "Read a task", {200: api.TaskOut}, errors=(401, 404)),
    Operation("PATCH", "/tasks/{id}", "update-task", "Change some fields of a task",
              {200: api.TaskOut}, body=TaskChanges, errors=(400, 401, 404, 413, 422)),
    Operation("POST", "/tasks/{id}/complete", "complete-task", "Complete a task", {200: api.TaskOut},
              errors=(401, 404)),
    Operation("POST", "/tasks/{id}/reopen", "complete-task", "Reopen a task", {200: api.TaskOut}, errors=(401, 404)),
    Operation("DELETE", "/tasks/{id}", "delete-task", "Delete a task", {204: None}, errors=(401, 404)),
    Operation("GET", "/tags", "manage-tags", "List tags with task counts", {200: api.TagList}),
    Operation("POST", "/tags", "manage-tags", "Create a tag", {201: api.TagOut}, body=api.TagIn,
              errors=(400, 401, 409, 413, 422)),
    Operation("PATCH", "/tags/{id}", "manage-tags", "Rename or recolor a tag", {200: api.TagOut},
              body=api.TagPatch, errors=(400, 401, 404, 409, 413, 422)),
    Operation("DELETE", "/tags/{id}", "manage-tags", "Delete a tag (detaches it from tasks)", {204: None},
              errors=(401, 404)),
    Operation("GET", "/preferences", "preferences", "Notification preferences and timezone",
              {200: api.PreferencesOut}),
    Operation("PUT", "/preferences", "preferences", "Replace notification preferences and timezone",
              {200: api.PreferencesOut}, body=api.PreferencesIn, errors=(400, 401, 413, 422)),
    Operation("GET", "/audit", "query-audit", "The audit trail, newest first", {200: api.AuditPage},
              query=api.AuditQuery, errors=(401, 422)),
    Operation("GET", "/notifications", "notifications", "In-app notifications, unread first",
              {200: api.NotificationList}, query=api.NotificationQuery, errors=(401, 422)),
    Operation("POST", "/notifications/{id}/read", "notifications", "Mark a notification read",
              {200: api.NotificationOut}, errors=(401, 404)),
)  # fmt: skip


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    properties = schemas[model.__name__]["properties"]
    return [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in properties.items()]


def document() -> dict[str, Any]:
    models: set[type[BaseModel]] = {api.ErrorOut}
    for op in OPERATIONS:
        models.update(m for m in (op.body, op.query, *op.responses.values()) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, top = models_json_schema(
        [(m, "serialization" if m in _outputs() else "validation") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(sorted(top.get("$defs", {}).items()))
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {
            "operationId": f"{op.method.lower()}{op.path.replace('/', '_').replace('{', '').replace('}', '')}",
            "summary": op.summary,
            "tags": [op.function],
            "responses": {},
        }
        parameters = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]
        entry["parameters"] = parameters if "{id}" in op.path else []
        entry["parameters"].append(
            {"name": "X-Correlation-ID", "in": "header", "required": False, "schema": {"type": "string"}}
        )
        if op.query is not None:
            entry["parameters"] += _query_parameters(op.query, schemas)
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
        for status, model in op.responses.items():
            response: dict[str, Any] = {"description": "OK" if status < 300 else ""}
            if model is not None:
                response["content"] = {"application/json": {"schema": _ref(model)}}
            entry["responses"][str(status)] = response
        for status in op.errors:
            entry["responses"][str(status)] = {
                "description": _ERRORS[status],
                "content": {"application/json": {"schema": _ref(api.ErrorOut)}},
            }
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "taskfn", "version": "1.0.0", "description": "Task management as serverless functions."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _outputs() -> set[type[BaseModel]]:
    return {m for op in OPERATIONS for m in op.responses.values() if m is not None} | {api.ErrorOut}


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if "--check" in argv:
        stale = not PATH.exists() or PATH.read_text() != rendered()
        if stale:
            sys.stderr.write("functions/openapi.json is out of date (run `make schemas`)\n")
        return 1 if stale else 0
    PATH.write_text(rendered())
    return 0


if __name__ == "__main__":
    sys.exit(main())
