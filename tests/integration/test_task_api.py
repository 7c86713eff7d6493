"""The task API through functions-framework on a real PostgreSQL, its events published to a real HTTP sink."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.support import api
from tests.support.api import User
from tests.support.sink_server import SinkServer

pytestmark = pytest.mark.usefixtures("api_auth")


@pytest.fixture
def sink(event_sink: SinkServer) -> SinkServer:
    return event_sink


def _events(sink: SinkServer, topic: str) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    return [(r.headers["ce-type"], json.loads(r.body), r.headers) for r in sink.received if r.path == f"/{topic}"]


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


NEW = {
    "title": "Renew passport",
    "description": "Book the photo first",
    "priority": "high",
    "due_date": "2027-03-01T09:00:00+01:00",
    "reminder_at": "2027-02-28T09:00:00+01:00",
    "tags": ["Admin", "travel"],
    "recurrence": {
        "frequency": "yearly",
        "interval": 10,
        "start_date": "2027-03-01",
        "month_of_year": [3],
        "day_of_month": [1],
    },
}


def test_create_returns_the_task_and_emits_its_events(sink: SinkServer) -> None:
    user = User("ada@example.com")
    correlation = str(uuid.uuid4())

    response = user.call("POST", "/tasks", json=NEW, headers={"X-Correlation-ID": correlation})

    assert response.status_code == 201
    task = response.get_json()
    assert response.headers["Location"] == f"/tasks/{task['id']}"
    assert (task["title"], task["priority"], task["status"]) == ("Renew passport", "high", "pending")
    assert task["due_date"] == "2027-03-01T08:00:00Z"
    assert task["tags"] == ["Admin", "travel"]
    assert task["recurrence"]["frequency"] == "yearly" and task["recurrence"]["status"] == "active"
    [(kind, event, headers)] = _events(sink, "task-events")
    assert kind == "dev.taskfn.task.created"
    assert event["task_id"] == task["id"] and event["user_id"] == str(user.id)
    assert event["correlation_id"] == correlation and headers["ce-correlationid"] == correlation
    assert event["task_data"]["tags"] == ["Admin", "travel"]
    [(kind, sync, _)] = _events(sink, "task-updates")
    assert kind == "dev.taskfn.task.synced" and sync["changes"]["title"] == "Renew passport"
    assert user.call("GET", f"/tasks/{task['id']}").get_json() == task


def test_create_with_a_client_id_is_safe_to_repeat(engine: Engine, sink: SinkServer) -> None:
    user, task_id = User(), str(uuid.uuid4())
    body = {**NEW, "id": task_id}

    first = user.call("POST", "/tasks", json=body)
    again = user.call("POST", "/tasks", json=body)
    other_body = user.call("POST", "/tasks", json={**body, "title": "Something else"})
    someone_else = User().call("POST", "/tasks", json=body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert other_body.status_code == 409 and someone_else.status_code == 409
    assert _count(engine, "SELECT count(*) FROM tasks WHERE id = :i", i=task_id) == 1
    assert len(_events(sink, "task-events")) == 1


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [
        (b"{not json", 400, None),
        ({"title": "   "}, 422, ["body", "title"]),
        ({"title": "x", "priority": "urgent"}, 422, ["body", "priority"]),
        ({"title": "x", "surprise": 1}, 422, ["body", "surprise"]),
        ({"title": "x", "due_date": "2027-01-01T09:00:00Z", "reminder_at": "2027-01-02T09:00:00Z"}, 422, ["body"]),
        ({"title": "x", "due_date": "2027-01-01T09:00:00"}, 422, ["body", "due_date"]),
        (
            {"title": "x", "recurrence": {"frequency": "weekly", "start_date": "2027-01-01", "day_of_week": [9]}},
            422,
            None,
        ),
        (
            {
                "title": "x",
                "recurrence": {
                    "frequency": "yearly",
                    "start_date": "2027-01-01",
                    "month_of_year": [2],
                    "day_of_month": [30],
                },
            },
            422,
            ["body", "recurrence", "day_of_month"],
        ),
        (
            {"title": "x", "recurrence": {"frequency": "yearly", "start_date": "2027-01-01", "day_of_month": [3]}},
            422,
            ["body", "recurrence", "month_of_year"],
        ),
        ({"title": "x" * 70_000}, 413, None),
    ],
)
def test_bad_create_requests_are_refused_and_change_nothing(
    engine: Engine, sink: SinkServer, body: Any, status: int, loc: list[str] | None
) -> None:
    user = User()
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    response = user.call("POST", "/tasks", data=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == status
    assert "error" in response.get_json()
    if loc is not None:
        assert loc in [d["loc"][: len(loc)] for d in response.get_json()["details"]]
    assert _count(engine, "SELECT count(*) FROM tasks WHERE user_id = :u", u=user.id) == 0
    assert sink.received == []


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        f"Bearer {api.token(uuid.uuid4(), secret='another-secret-that-is-long-enough-x')}",
        f"Bearer {api.token(uuid.uuid4(), exp=1_600_000_000)}",
        f"Bearer {api.token(uuid.uuid4(), nbf=4_000_000_000)}",
    ],
)
def test_missing_or_bad_tokens_get_401_with_www_authenticate(engine: Engine, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = api.client("create_task").post("/tasks", json={"title": "x"}, headers=headers)
    listing = api.client("query_tasks").get("/tasks", headers=headers)

    assert response.status_code == 401 and listing.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="taskfn"')


def test_another_users_task_is_a_404_on_every_route(engine: Engine, sink: SinkServer) -> None:
    owner, stranger = User(), User()
    task_id = owner.call("POST", "/tasks", json={"title": "Mine"}).get_json()["id"]

    assert stranger.call("GET", f"/tasks/{task_id}").status_code == 404
    assert stranger.call("PATCH", f"/tasks/{task_id}", json={"title": "Yours"}).status_code == 404
    assert stranger.call("POST", f"/tasks/{task_id}/complete").status_code == 404
    assert stranger.call("DELETE", f"/tasks/{task_id}").status_code == 404
    assert stranger.call("GET", "/tasks").get_json()["items"] == []
    assert owner.call("GET", f"/tasks/{task_id}").get_json()["title"] == "Mine"
    assert owner.call("GET", "/tasks/not-a-uuid").status_code == 404
    assert owner.call("GET", f"/tasks/{uuid.uuid4()}").status_code == 404


def test_wrong_method_is_405(engine: Engine) -> None:
    user = User()

    response = api.client("create_task").put("/tasks", json={}, headers={"Authorization": f"Bearer {user.token}"})

    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_patch_changes_only_given_fields_and_the_event_carries_old_and_new(engine: Engine, sink: SinkServer) -> None:
    user = User()
    task = user.call("POST", "/tasks", json=NEW).get_json()

    patched = user.call("PATCH", f"/tasks/{task['id']}", json={"priority": "low", "tags": ["travel", "family"]})

    assert patched.status_code == 200
    body = patched.get_json()
    assert (body["priority"], body["title"], body["tags"]) == ("low", "Renew passport", ["family", "travel"])
    kind, event, _ = _events(sink, "task-events")[-1]
    assert kind == "dev.taskfn.task.updated"
    assert event["previous_task_data"]["priority"] == "high" and event["task_data"]["priority"] == "low"
    assert _events(sink, "task-updates")[-1][1]["changes"] == {
        "priority": "low",
        "tags": ["family", "travel"],
        "updated_at": body["updated_at"],
    }


def test_patch_rules_and_cancelling_a_series(engine: Engine, sink: SinkServer) -> None:
    user = User()
    task = user.call("POST", "/tasks", json=NEW).get_json()

    too_late = user.call("PATCH", f"/tasks/{task['id']}", json={"reminder_at": "2027-03-02T09:00:00Z"})
    null_title = user.call("PATCH", f"/tasks/{task['id']}", json={"title": None})
    cancelled = user.call("PATCH", f"/tasks/{task['id']}", json={"recurrence": None})

    assert too_late.status_code == 422 and too_late.get_json()["details"][0]["loc"] == ["body", "reminder_at"]
    assert null_title.status_code == 422
    assert cancelled.status_code == 200 and cancelled.get_json()["recurrence"]["status"] == "cancelled"


def test_complete_and_reopen(engine: Engine, sink: SinkServer) -> None:
    user = User()
    task_id = user.call("POST", "/tasks", json={"title": "Water plants"}).get_json()["id"]

    done = user.call("POST", f"/tasks/{task_id}/complete")
    done_again = user.call("POST", f"/tasks/{task_id}/complete")
    reopened = user.call("POST", f"/tasks/{task_id}/reopen")

    assert done.get_json()["status"] == "completed" and done_again.status_code == 200
    assert reopened.get_json()["status"] == "pending"
    kinds = [kind for kind, _, _ in _events(sink, "task-events")]
    assert kinds == ["dev.taskfn.task.created", "dev.taskfn.task.completed", "dev.taskfn.task.updated"]
    assert _events(sink, "task-events")[1][1]["previous_task_data"]["status"] == "pending"


def test_delete(engine: Engine, sink: SinkServer) -> None:
    user = User()
    task_id = user.call("POST", "/tasks", json={"title": "Old", "tags": ["x"]}).get_json()["id"]

    assert user.call("DELETE", f"/tasks/{task_id}").status_code == 204
    assert user.call("GET", f"/tasks/{task_id}").status_code == 404
    assert user.call("DELETE", f"/tasks/{task_id}").status_code == 404
    kind, event, _ = _events(sink, "task-events")[-1]
    assert kind == "dev.taskfn.task.deleted" and event["task_data"]["title"] == "Old"
