"""delete-task: DELETE /tasks/{id} (204; its tag links go, its later recurring instances stay), and the
`dev.taskfn.command.task.delete` command."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from events import types as t
from events.commands import DeleteTask
from functions.shared import command_path, outbox, rest, runtime, task_ops
from functions.shared.queries import users

FUNCTION = "delete-task"
runtime.configure_logging()
rest.install()


def _from_command(tx: outbox.Transaction, user_id: uuid.UUID, command: DeleteTask, new_id: task_ops.NewId) -> None:
    task_ops.delete(tx, user_id, command.task_id, new_id)


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Delete the caller's task: 204, or 404 when it is not theirs."""
    if command_path.is_command(request):
        return command_path.run(request, FUNCTION, {t.COMMAND_DELETE_TASK: _from_command})
    _, params = rest.route(request, {("DELETE", "/tasks/{id}"): "delete"})
    caller = rest.caller(request)
    with outbox.transaction(t.source(FUNCTION), rest.correlation_id(request)) as tx:
        users.provision(tx.conn, caller.user_id, caller.email, caller.name)
        task_ops.delete(tx, caller.user_id, uuid.UUID(params["id"]), lambda _: uuid.uuid4())
    return flask.Response(status=204)
