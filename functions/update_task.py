"""update-task: PATCH /tasks/{id} (partial; tags and recurrence too, `recurrence: null` cancels the series), and
the `dev.taskfn.command.task.update` command."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from events import types as t
from events.commands import TaskChanges, UpdateTask
from functions.shared import command_path, outbox, rest, runtime, task_ops
from functions.shared.queries import users
from functions.shared.views import as_json

FUNCTION = "update-task"
runtime.configure_logging()
rest.install()


def _from_command(tx: outbox.Transaction, user_id: uuid.UUID, command: UpdateTask, new_id: task_ops.NewId) -> None:
    changes = TaskChanges.model_validate(command.model_dump(include=command.model_fields_set - {"task_id"}))
    task_ops.update(tx, user_id, command.task_id, changes, new_id)


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Change the caller's task: 200 with the task, 404 when it is not theirs, 422 for a broken rule."""
    if command_path.is_command(request):
        return command_path.run(request, FUNCTION, {t.COMMAND_UPDATE_TASK: _from_command})
    _, params = rest.route(request, {("PATCH", "/tasks/{id}"): "update"})
    caller = rest.caller(request)
    changes = rest.json_body(request, TaskChanges)
    with outbox.transaction(t.source(FUNCTION), rest.correlation_id(request)) as tx:
        users.provision(tx.conn, caller.user_id, caller.email, caller.name)
        view = task_ops.update(tx, caller.user_id, uuid.UUID(params["id"]), changes, lambda _: uuid.uuid4())
    return rest.json_response(as_json(view))
