"""expand-recurrence on a real PostgreSQL: the next instance of a completed recurring task, for a table of patterns."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from events import envelope, models
from events import types as t
from tests.support import api
from tests.support.api import User
from tests.support.recurrence_cases import CASES
from tests.support.sink_server import SinkServer

pytestmark = pytest.mark.usefixtures("event_sink", "api_auth")


def _start(user: User, zone: str, due: str, recurrence: dict[str, Any], **extra: Any) -> dict[str, Any]:
    user.call("PUT", "/preferences", json={"timezone": zone})
    created = user.call(
        "POST", "/tasks", json={"title": "Water plants", "due_date": due, "recurrence": recurrence, **extra}
    )
    assert created.status_code == 201, created.get_json()
    return dict(created.get_json())


def _complete(user: User, task: dict[str, Any], at: str, event_id: uuid.UUID | None = None,
              correlation: uuid.UUID | None = None) -> TestResponse:  # fmt: skip
    data = models.TaskData.model_validate(
        {k: task[k] for k in ("title", "description", "status", "priority", "due_date", "tags", "reminder_at")}
        | {"status": "completed", "recurrence_id": task["recurrence"]["id"]}
    )
    event = models.TaskCompleted(event_id=event_id or uuid.uuid4(), task_id=task["id"], user_id=user.id, task_data=data,
                                 timestamp=datetime.fromisoformat(at),
                                 correlation_id=correlation or uuid.uuid4())  # fmt: skip
    headers, body = envelope.to_http(envelope.to_cloudevent(event, source=t.source("complete-task")))
    return api.client("expand_recurrence").post("/", headers=headers, data=body)


def _series(engine: Engine, task: dict[str, Any]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, title, due_date, reminder_at, parent_task_id, priority FROM tasks "
                 "WHERE recurrence_id = :r AND id <> :t ORDER BY due_date"),
            {"r": task["recurrence"]["id"], "t": task["id"]},
        )  # fmt: skip
        return [dict(r._mapping) for r in rows]


def _pattern_status(engine: Engine, task: dict[str, Any]) -> str:
    with engine.connect() as conn:
        return str(
            conn.scalar(text("SELECT status FROM recurrence_patterns WHERE id = :r"), {"r": task["recurrence"]["id"]})
        )


@pytest.mark.parametrize(
    ("case", "zone", "due", "recurrence", "completed", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_the_next_instance(engine: Engine, case: str, zone: str, due: str, recurrence: dict[str, Any], completed: str,
                           expected: str) -> None:  # fmt: skip
    user = User()
    first = _start(user, zone, due, recurrence)

    assert _complete(user, first, completed).status_code == 200

    [following] = _series(engine, first)
    assert following["due_date"] == datetime.fromisoformat(expected)
    assert following["due_date"].astimezone(ZoneInfo(zone)).isoformat() == expected
    assert following["parent_task_id"] == uuid.UUID(first["id"])


@pytest.mark.parametrize(
    "recurrence",
    [
        {"frequency": "daily", "start_date": "2027-01-01", "count": 2},
        {"frequency": "daily", "start_date": "2027-01-01", "end_date": "2027-01-02"},
    ],
)
def test_an_exhausted_pattern_completes_and_creates_nothing(engine: Engine, recurrence: dict[str, Any]) -> None:
    user = User()
    last = _start(user, "UTC", "2027-01-02T09:00:00Z", recurrence)

    assert _complete(user, last, "2027-01-02T10:00:00Z").status_code == 200

    assert _series(engine, last) == []
    assert _pattern_status(engine, last) == "completed"


def test_copies_the_task_and_its_reminder_offset(engine: Engine) -> None:
    user = User()
    first = _start(user, "UTC", "2027-01-01T09:00:00Z", {"frequency": "daily", "start_date": "2027-01-01"},
                   reminder_at="2027-01-01T08:30:00Z", tags=["home"], priority="high")  # fmt: skip

    _complete(user, first, "2027-01-01T09:05:00Z")

    [following] = _series(engine, first)
    assert (following["title"], following["priority"]) == ("Water plants", "high")
    assert following["reminder_at"] == datetime.fromisoformat("2027-01-02T08:30:00+00:00")
    assert user.call("GET", f"/tasks/{following['id']}").get_json()["tags"] == ["home"]


def test_the_next_instance_carries_the_completions_correlation_id(engine: Engine, event_sink: SinkServer) -> None:
    user = User()
    first = _start(user, "UTC", "2027-01-01T09:00:00Z", {"frequency": "daily", "start_date": "2027-01-01"})
    correlation = uuid.uuid4()

    _complete(user, first, "2027-01-01T10:00:00Z", correlation=correlation)

    [following] = _series(engine, first)
    [created] = [r for r in event_sink.received if r.headers.get("ce-subject") == str(following["id"])
                 and r.headers["ce-type"] == t.TASK_CREATED]  # fmt: skip
    assert created.headers["ce-correlationid"] == str(correlation)
    assert json.loads(created.body)["correlation_id"] == str(correlation)


def test_redelivery_and_completing_again_never_create_a_second_instance(engine: Engine) -> None:
    user = User()
    first = _start(user, "UTC", "2027-01-01T09:00:00Z", {"frequency": "daily", "start_date": "2027-01-01"})
    event_id = uuid.uuid4()

    for response in (
        _complete(user, first, "2027-01-01T10:00:00Z", event_id),
        _complete(user, first, "2027-01-01T10:00:00Z", event_id),  # the same event again
        _complete(user, first, "2027-01-03T10:00:00Z"),  # reopened and completed again, later
    ):
        assert response.status_code == 200

    assert len(_series(engine, first)) == 1


def test_a_cancelled_series_creates_nothing(engine: Engine) -> None:
    user = User()
    first = _start(user, "UTC", "2027-01-01T09:00:00Z", {"frequency": "daily", "start_date": "2027-01-01"})
    user.call("PATCH", f"/tasks/{first['id']}", json={"recurrence": None})

    assert _complete(user, first, "2027-01-01T10:00:00Z").status_code == 200
    assert _series(engine, first) == []


def _ended_series(zone: str, end: date) -> dict[str, Any]:
    start = end - timedelta(days=10)
    recurrence = {"frequency": "daily", "start_date": start.isoformat(), "end_date": end.isoformat()}
    return _start(User(), zone, f"{end.isoformat()}T09:00:00Z", recurrence)


def test_the_hourly_tick_completes_patterns_whose_end_date_has_passed_in_their_users_timezone(engine: Engine) -> None:
    # UTC+14 and UTC-11: when one is already on tomorrow, the other is still on yesterday
    east, west = "Pacific/Kiritimati", "Pacific/Pago_Pago"
    east_today, west_today = (datetime.now(ZoneInfo(z)).date() for z in (east, west))
    ended_east, ended_west = (
        _ended_series(east, east_today - timedelta(days=1)),
        _ended_series(west, west_today - timedelta(days=1)),
    )
    ends_today_east, ends_today_west = _ended_series(east, east_today), _ended_series(west, west_today)
    cancelled = _ended_series("UTC", date(2020, 1, 1) + timedelta(days=10))
    with engine.begin() as conn:
        conn.execute(text("UPDATE recurrence_patterns SET status = 'cancelled' WHERE id = :r"),
                     {"r": cancelled["recurrence"]["id"]})  # fmt: skip

    tick = api.client("expand_recurrence").post("/", headers={"ce-type": "dev.knative.sources.ping", "ce-id": "p1"})

    assert tick.status_code == 200 and tick.get_json()["completed"] >= 2
    statuses = [
        _pattern_status(engine, s) for s in (ended_east, ended_west, ends_today_east, ends_today_west, cancelled)
    ]
    assert statuses == ["completed", "completed", "active", "active", "cancelled"]
    assert _series(engine, ended_east) == []  # completing a pattern creates no instance
