"""preferences: GET /preferences (the defaults until the user sets any) and PUT /preferences (replaces them all,
with the user's IANA timezone). Lead time >= 0 minutes; quiet hours are set both or neither and may cross midnight."""

from __future__ import annotations

import uuid

import flask
import functions_framework
from sqlalchemy import Connection

from functions.shared import db, rest, runtime
from functions.shared.api import PreferencesIn, PreferencesOut
from functions.shared.queries import preferences, users

ROUTES = {("GET", "/preferences"): "get", ("PUT", "/preferences"): "put"}
runtime.configure_logging()
rest.install()


def _current(conn: Connection, caller_id: uuid.UUID) -> PreferencesOut:
    stored = preferences.get_preferences(conn, caller_id)
    user = users.get_user(conn, caller_id)
    values = {k: stored[k] for k in PreferencesIn.model_fields if k != "timezone"} if stored else {}
    return PreferencesOut(**values, timezone=user["timezone"] if user else "UTC")


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """The caller's notification preferences and timezone: 200 with all of them, after a PUT too."""
    action, _ = rest.route(request, ROUTES)
    caller = rest.caller(request)
    with db.transaction() as conn:
        if action == "put":
            body = rest.json_body(request, PreferencesIn)
            users.provision(conn, caller.user_id, caller.email, caller.name)
            users.set_timezone(conn, caller.user_id, body.timezone)
            preferences.put_preferences(conn, caller.user_id, body.model_dump(exclude={"timezone"}))
        return rest.json_response(_current(conn, caller.user_id).model_dump(mode="json"))
