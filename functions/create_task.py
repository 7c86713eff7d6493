"""create-task: POST /tasks (201 with the task; 200 when the same create is repeated with its id; 409 when the id
belongs to a different task), and the `dev.taskfn.command.task.create` command from task-commands."""

from __future__ import annotations

import uuid

import flask
import functions_framework

from events import types as t
from events.commands import CreateTask
from functions.shared import command_path, outbox, rest, runtime, task_ops
from functions.shared.api import NewTask
from functions.shared.queries import users
from functions.shared.views import as_json

FUNCTION = "create-task"
runtime.configure_logging()
rest.install()


def _from_command(tx: outbox.Transaction, user_id: uuid.UUID, command: CreateTask, new_id: task_ops.NewId) -> None:
    task_ops.create(tx, user_id, command, new_id)


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Create a task for the caller; the change and its events commit together."""
    if command_path.is_command(request):
        return command_path.run(request, FUNCTION, {t.COMMAND_CREATE_TASK: _from_command})
    rest.route(request, {("POST", "/tasks"): "create"})
    caller = rest.caller(request)
    body = rest.json_body(request, NewTask)
    command = CreateTask.model_validate({**body.model_dump(exclude={"id"}), "task_id": body.id or uuid.uuid4()})
    with outbox.transaction(t.source(FUNCTION), rest.correlation_id(request)) as tx:
        users.provision(tx.conn, caller.user_id, caller.email, caller.name)
        created, view = task_ops.create(tx, caller.user_id, command, lambda _: uuid.uuid4())
    return rest.json_response(as_json(view), 201 if created else 200, {"Location": f"/tasks/{view.id}"})
