"""query-tasks: GET /tasks (filters, full-text search, sorts, keyset pages) and GET /tasks/{id}."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from functions.shared import db, pagination, rest, runtime
from functions.shared.api import TaskQuery
from functions.shared.queries import tasks
from functions.shared.views import as_json, page_json, task_view, task_views

ROUTES = {("GET", "/tasks"): "list", ("GET", "/tasks/{id}"): "get"}
runtime.configure_logging()
rest.install()


def _filter(query: TaskQuery) -> tasks.TaskFilter:
    return tasks.TaskFilter(
        statuses=query.status,
        priorities=query.priority,
        tags=query.tag,
        all_tags=query.tags_mode == "all",
        due_before=query.due_before,
        due_after=query.due_after,
        overdue=query.overdue,
        has_reminder=query.has_reminder,
        recurring=query.recurring,
        query=query.q,
    )


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """The caller's task (404 if not theirs), or a page `{"items", "next_cursor"}` of their tasks."""
    name, params = rest.route(request, ROUTES)
    caller = rest.caller(request)
    if name == "get":
        with db.transaction() as conn:
            row = tasks.get_task(conn, caller.user_id, uuid.UUID(params["id"]))
            if row is None:
                raise rest.not_found()
            return rest.json_response(as_json(task_view(conn, row)))
    query = rest.query_model(request, TaskQuery, multi=frozenset({"status", "priority", "tag"}))
    sort = query.sort or ("relevance" if query.q else "created_at")
    if sort == "relevance" and not query.q:
        raise rest.ApiError(422, "invalid query", [{"loc": ["query", "sort"], "msg": "relevance needs q"}])
    bound = query.model_dump(mode="json", exclude={"cursor", "limit"}) | {"sort": sort}
    after = pagination.decode(query.cursor, bound) if query.cursor else None
    with db.transaction() as conn:
        descending = sort == "relevance" or query.order == "desc"  # search results come best first
        rows = tasks.list_tasks(
            conn, caller.user_id, _filter(query), sort=sort, descending=descending, after=after, limit=query.limit + 1
        )
        page = rows[: query.limit]
        views = task_views(conn, page)
    more = len(rows) > query.limit
    next_cursor = pagination.encode(page[-1]["sort_value"], page[-1]["id"], bound) if more else None
    return flask.Response(page_json(views, next_cursor), mimetype="application/json")
