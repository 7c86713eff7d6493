"""complete-task: POST /tasks/{id}/complete and /tasks/{id}/reopen, and the `dev.taskfn.command.task.complete`
command. Completing a completed task (or reopening an open one) changes nothing and emits nothing."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from events import types as t
from events.commands import CompleteTask
from functions.shared import command_path, outbox, rest, runtime, task_ops
from functions.shared.queries import users
from functions.shared.views import as_json

FUNCTION = "complete-task"
ROUTES = {("POST", "/tasks/{id}/complete"): "completed", ("POST", "/tasks/{id}/reopen"): "pending"}
runtime.configure_logging()
rest.install()


def _from_command(tx: outbox.Transaction, user_id: uuid.UUID, command: CompleteTask, new_id: task_ops.NewId) -> None:
    task_ops.set_status(tx, user_id, command.task_id, "completed", new_id)


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Move the caller's task to completed or back to pending: 200 with the task, 404 when it is not theirs."""
    if command_path.is_command(request):
        return command_path.run(request, FUNCTION, {t.COMMAND_COMPLETE_TASK: _from_command})
    status, params = rest.route(request, ROUTES)
    caller = rest.caller(request)
    with outbox.transaction(t.source(FUNCTION), rest.correlation_id(request)) as tx:
        users.provision(tx.conn, caller.user_id, caller.email, caller.name)
        view = task_ops.set_status(tx, caller.user_id, uuid.UUID(params["id"]), status, lambda _: uuid.uuid4())
    return rest.json_response(as_json(view))
