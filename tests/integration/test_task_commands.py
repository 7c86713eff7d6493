"""Write functions accept their operation as a task-commands CloudEvent: replays change nothing, bad ones are 400."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from events import commands, envelope
from events import types as t
from tests.support import api
from tests.support.sink_server import SinkServer


@pytest.fixture
def sink(event_sink: SinkServer) -> SinkServer:
    return event_sink


def _encoded(payload: BaseModel, user: uuid.UUID | None, event_id: str | None = None) -> tuple[dict[str, str], bytes]:
    extensions = {t.USER_ID: str(user)} if user else {}
    event_id = event_id or str(uuid.uuid4())
    return envelope.to_http(
        envelope.to_cloudevent(payload, source="/clients/mobile", id=event_id, extensions=extensions)
    )


def _send(module: str, payload: BaseModel, user: uuid.UUID | None, event_id: str | None = None) -> TestResponse:
    headers, body = _encoded(payload, user, event_id)
    return api.client(module).post("/", headers=headers, data=body)


def _tasks(engine: Engine, user: uuid.UUID) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT title FROM tasks WHERE user_id = :u ORDER BY title"), {"u": user}))


def test_create_command_replayed_with_the_same_id_changes_nothing(engine: Engine, sink: SinkServer) -> None:
    user, task_id, command_id = uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())
    create = commands.CreateTask(task_id=task_id, title="From the phone", tags=["mobile"])

    first = _send("create_task", create, user, command_id)
    replay = _send("create_task", create, user, command_id)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert _tasks(engine, user) == ["From the phone"]
    assert [r.headers["ce-type"] for r in sink.received if r.path == "/task-events"] == [t.TASK_CREATED]


def test_the_same_command_under_a_new_id_is_still_idempotent_by_task_id(engine: Engine, sink: SinkServer) -> None:
    user, task_id = uuid.uuid4(), uuid.uuid4()
    create = commands.CreateTask(task_id=task_id, title="Twice")

    assert _send("create_task", create, user).status_code == 200
    assert _send("create_task", create, user).status_code == 200
    assert _tasks(engine, user) == ["Twice"]


def test_update_complete_and_delete_commands(engine: Engine, sink: SinkServer) -> None:
    user, task_id = uuid.uuid4(), uuid.uuid4()
    _send("create_task", commands.CreateTask(task_id=task_id, title="Draft"), user)

    assert _send("update_task", commands.UpdateTask(task_id=task_id, title="Final"), user).status_code == 200
    assert _send("complete_task", commands.CompleteTask(task_id=task_id), user).status_code == 200
    with engine.connect() as conn:
        row = conn.execute(text("SELECT title, status FROM tasks WHERE id = :i"), {"i": task_id}).one()
    assert tuple(row) == ("Final", "completed")
    assert _send("delete_task", commands.DeleteTask(task_id=task_id), user).status_code == 200
    assert _tasks(engine, user) == []
    kinds = [r.headers["ce-type"] for r in sink.received if r.path == "/task-events"]
    assert kinds == [t.TASK_CREATED, t.TASK_UPDATED, t.TASK_COMPLETED, t.TASK_DELETED]


def test_invalid_commands_are_400_with_the_reason_and_change_nothing(engine: Engine, sink: SinkServer) -> None:
    user = uuid.uuid4()
    headers, _ = _encoded(commands.CreateTask(task_id=uuid.uuid4(), title="ok"), user)

    bad_data = api.client("create_task").post("/", headers=headers, data=json.dumps({"task_id": "x", "title": ""}))
    no_user = _send("create_task", commands.CreateTask(task_id=uuid.uuid4(), title="ok"), None)
    unknown_task = _send("update_task", commands.UpdateTask(task_id=uuid.uuid4(), title="x"), user)

    assert bad_data.status_code == 400 and bad_data.get_json()["details"][0]["loc"][0] == "data"
    assert no_user.status_code == 400 and "userid" in no_user.get_json()["error"]
    assert unknown_task.status_code == 400 and unknown_task.get_json()["error"] == "task not found"
    assert _tasks(engine, user) == [] and sink.received == []


def test_a_type_the_function_does_not_handle_is_acknowledged(engine: Engine, sink: SinkServer) -> None:
    response = _send("create_task", commands.DeleteTask(task_id=uuid.uuid4()), uuid.uuid4())

    assert response.status_code == 200


def test_a_command_sent_to_a_public_route_is_not_a_way_around_authentication(engine: Engine, sink: SinkServer) -> None:
    user = uuid.uuid4()
    headers, body = _encoded(commands.CreateTask(task_id=uuid.uuid4(), title="sneaky"), user)

    response = api.client("create_task").post("/tasks", headers=headers, data=body)

    assert response.status_code == 401
    assert _tasks(engine, user) == []
