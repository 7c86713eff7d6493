"""query-audit: GET /audit, the caller's audit trail newest first (all, or one task with `task_id`), within
[since, until), in keyset pages."""

from __future__ import annotations

import flask
import functions_framework

from functions.shared import db, pagination, rest, runtime
from functions.shared.api import AuditEntryOut, AuditQuery
from functions.shared.queries import audit

runtime.configure_logging()
rest.install()


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """A page `{"items", "next_cursor"}` of the caller's audit entries; only their own."""
    rest.route(request, {("GET", "/audit"): "list"})
    caller = rest.caller(request)
    query = rest.query_model(request, AuditQuery)
    bound = query.model_dump(mode="json", exclude={"cursor", "limit"})
    before = pagination.decode(query.cursor, bound) if query.cursor else None
    with db.transaction() as conn:
        rows = audit.list_entries(
            conn,
            caller.user_id,
            entity_id=query.task_id,
            since=query.since,
            until=query.until,
            before=before,
            limit=query.limit + 1,
        )
    page = rows[: query.limit]
    items = [AuditEntryOut.model_validate(dict(r)).model_dump(mode="json") for r in page]
    more = len(rows) > query.limit
    next_cursor = pagination.encode(page[-1]["timestamp"], page[-1]["id"], bound) if more else None
    return rest.json_response({"items": items, "next_cursor": next_cursor})
