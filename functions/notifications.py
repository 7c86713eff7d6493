"""notifications: GET /notifications (unread first, then newest; `unread=true` for unread only) and
POST /notifications/{id}/read."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from functions.shared import db, rest, runtime
from functions.shared.api import NotificationOut, NotificationQuery
from functions.shared.queries import notifications

ROUTES = {("GET", "/notifications"): "list", ("POST", "/notifications/{id}/read"): "read"}
runtime.configure_logging()
rest.install()


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """The caller's in-app notifications; marking another user's notification read is 404."""
    action, params = rest.route(request, ROUTES)
    caller = rest.caller(request)
    with db.transaction() as conn:
        if action == "read":
            row = notifications.mark_read(conn, caller.user_id, uuid.UUID(params["id"]))
            if row is None:
                raise rest.not_found("notification")
            return rest.json_response(NotificationOut.model_validate(dict(row)).model_dump(mode="json"))
        query = rest.query_model(request, NotificationQuery)
        rows = notifications.list_notifications(conn, caller.user_id, unread_only=query.unread, limit=query.limit)
    items = [NotificationOut.model_validate(dict(r)).model_dump(mode="json") for r in rows]
    return rest.json_response({"items": items})
