"""The REST side of a function: JSON bodies, typed errors -> status codes, the caller, correlation ids, routes.

Status rules: malformed JSON 400; a rule broken 422 `{"error", "details": [{"loc", "msg"}]}`; no or bad token 401
with WWW-Authenticate; unknown id 404 (also for other users' ids); wrong method 405; body over 64 KiB 413.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import flask
import functions_framework
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError

from functions.shared import db
from functions.shared.auth import Caller, Unauthorized, authenticate
from functions.shared.config import settings

logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
M = TypeVar("M", bound=BaseModel)


@dataclass
class ApiError(Exception):
    status: int
    error: str
    details: list[dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def not_found(what: str = "task") -> ApiError:
    return ApiError(404, f"{what} not found")


def problem(status: int, error: str, details: list[dict[str, Any]] | None = None) -> flask.Response:
    body: dict[str, Any] = {"error": error}
    if details is not None:
        body["details"] = details
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")


def validation_details(error: ValidationError, prefix: str = "body") -> list[dict[str, Any]]:
    return [{"loc": [prefix, *e["loc"]], "msg": e["msg"]} for e in error.errors(include_url=False)]


def _api_error(e: ApiError) -> flask.Response:
    response = problem(e.status, e.error, e.details)
    response.headers.update(e.headers)
    return response


def _unauthorized(e: Unauthorized) -> flask.Response:
    response = problem(401, "unauthorized")
    reason = e.reason.replace('"', "'")
    response.headers["WWW-Authenticate"] = f'Bearer realm="taskfn", error="invalid_token", error_description="{reason}"'
    return response


def _database_error(e: DBAPIError) -> flask.Response:
    """The safety net behind validation: a row the database refuses is the client's problem, not a 500."""
    error = db.server_error(e)
    if error is None or not error.sqlstate.startswith(("22", "23")):
        logger.exception("database error", exc_info=e)
        return problem(500, "internal error")
    if error.sqlstate == "23505":
        return problem(409, "already exists", [{"loc": ["body"], "msg": f"conflicts with {error.constraint}"}])
    details = [{"loc": ["body"], "msg": f"violates {error.constraint}" if error.constraint else error.message}]
    return problem(422, "invalid request", details)


def install() -> None:
    """Call at import of an HTTP function: the error -> status mapping."""
    functions_framework.errorhandler(DBAPIError)(_database_error)
    functions_framework.errorhandler(ApiError)(_api_error)
    functions_framework.errorhandler(Unauthorized)(_unauthorized)
    functions_framework.errorhandler(ValidationError)(lambda e: problem(422, "invalid request", validation_details(e)))


def caller(request: flask.Request) -> Caller:
    return authenticate(request.headers.get("Authorization"), settings())


def json_body(request: flask.Request, model: type[M]) -> M:
    """The request body validated as `model` (400 if not JSON, 422 if it breaks a rule, 413 if over 64 KiB).

    The limit is checked here rather than with Flask's MAX_CONTENT_LENGTH: functions-framework drains the body
    again after every request, where Flask's 413 would turn into a 500."""
    if (request.content_length or 0) > MAX_BODY:
        raise ApiError(413, "request body over 64 KiB")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        raise ApiError(413, "request body over 64 KiB")
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise ApiError(400, "malformed JSON body") from None
    return model.model_validate(data)


def query_model(request: flask.Request, model: type[M], multi: frozenset[str] = frozenset()) -> M:
    """Query-string parameters validated as `model`; names in `multi` may repeat (or be comma-separated)."""
    values: dict[str, Any] = {}
    for name in request.args:
        items = request.args.getlist(name)
        if name in multi:
            values[name] = [v for item in items for v in item.split(",") if v]
        else:
            values[name] = items[-1]
    try:
        return model.model_validate(values)
    except ValidationError as e:
        raise ApiError(422, "invalid query", validation_details(e, "query")) from None


def correlation_id(request: flask.Request) -> uuid.UUID:
    """X-Correlation-ID as a UUID (see as_correlation_id); a new one when absent."""
    given = request.headers.get("X-Correlation-ID", "").strip()
    return as_correlation_id(given) if given else uuid.uuid4()


def as_correlation_id(value: str) -> uuid.UUID:
    """A correlation id as the UUID events carry: a UUID stays itself (so it travels end to end unchanged), any
    other value maps to a stable UUID."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, value)


def route(request: flask.Request, routes: Mapping[tuple[str, str], str]) -> tuple[str, dict[str, str]]:
    """Match (method, path pattern) -> name; `{id}` segments must be UUIDs. 404 unknown path, 405 wrong method."""
    path = "/" + request.path.strip("/")
    allowed = []
    for (method, pattern), name in routes.items():
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        match = re.match(regex, path)
        if match is None:
            continue
        if method != request.method:
            allowed.append(method)
            continue
        params = match.groupdict()
        for value in params.values():
            try:
                uuid.UUID(value)
            except ValueError:
                raise not_found("resource") from None
        return name, params
    if allowed:
        raise ApiError(405, "method not allowed", headers={"Allow": ", ".join(sorted(set(allowed)))})
    raise not_found("route")


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> flask.Response:
    response = flask.Response(json.dumps(payload, default=str), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response
