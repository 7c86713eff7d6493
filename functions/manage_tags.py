"""manage-tags: GET /tags (with task counts), POST /tags, PATCH /tags/{id} (rename, recolor), DELETE /tags/{id}
(detaches it from every task). Names are unique per user whatever their letter case: a clash is 409."""

from __future__ import annotations

import uuid

import flask
import functions_framework
from sqlalchemy import Connection

from functions.shared import db, rest, runtime
from functions.shared.api import TagIn, TagOut, TagPatch
from functions.shared.queries import tags, users

ROUTES = {
    ("GET", "/tags"): "list",
    ("POST", "/tags"): "create",
    ("PATCH", "/tags/{id}"): "update",
    ("DELETE", "/tags/{id}"): "delete",
}
runtime.configure_logging()
rest.install()


def _out(conn: Connection, user_id: uuid.UUID, tag_id: uuid.UUID) -> TagOut:
    return next(TagOut.model_validate(dict(t)) for t in tags.list_tags(conn, user_id) if t["id"] == tag_id)


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """The caller's tags: list 200, create 201, rename/recolor 200, delete 204; another user's tag is 404."""
    action, params = rest.route(request, ROUTES)
    caller = rest.caller(request)
    tag_id = uuid.UUID(params["id"]) if "id" in params else None
    with db.transaction() as conn:
        if action == "list":
            listed = [
                TagOut.model_validate(dict(t)).model_dump(mode="json") for t in tags.list_tags(conn, caller.user_id)
            ]
            return rest.json_response({"items": listed})
        if action == "create":
            body = rest.json_body(request, TagIn)
            users.provision(conn, caller.user_id, caller.email, caller.name)
            created = tags.create_tag(conn, caller.user_id, body.name, body.color)
            return rest.json_response(_out(conn, caller.user_id, created["id"]).model_dump(mode="json"), 201)
        assert tag_id is not None
        if action == "update":
            changes = rest.json_body(request, TagPatch)
            updated = tags.update_tag(conn, caller.user_id, tag_id, changes.model_dump(exclude_unset=True))
            if updated is None:
                raise rest.not_found("tag")
            return rest.json_response(_out(conn, caller.user_id, tag_id).model_dump(mode="json"))
        if tags.delete_tag(conn, caller.user_id, tag_id) is None:
            raise rest.not_found("tag")
        return flask.Response(status=204)
