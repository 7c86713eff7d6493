"""Event and command models: the data model's shapes, strict validation, and CloudEvent round trips."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from events import commands, envelope, models, registry
from events import types as t

DATA = Path(__file__).parents[1] / "data"


def _spec_payload() -> dict[str, Any]:
    return json.loads((DATA / "task_created.json").read_text())


def test_a_payload_written_to_the_data_model_spec_validates() -> None:
    event = models.TaskCreated.model_validate(_spec_payload())

    assert event.task_data.tags == ["admin", "travel"]
    assert event.task_data.due_date == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert event.task_data.reminder_at is None  # our optional extension


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surprise": 1}, "surprise"),
        ({"event_type": "updated"}, "event_type"),
        ({"timestamp": "2026-12-04T10:00:00"}, "timestamp"),  # naive times are refused
        ({"task_id": "not-a-uuid"}, "task_id"),
        ({"correlation_id": None}, "correlation_id"),
    ],
)
def test_task_event_rejects(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as rejected:
        models.TaskCreated.model_validate({**_spec_payload(), **change})

    assert field in {str(loc) for error in rejected.value.errors() for loc in error["loc"]}


@pytest.mark.parametrize(("key", "value"), [("status", "done"), ("priority", "urgent"), ("tags", "admin")])
def test_task_data_rejects(key: str, value: str) -> None:
    payload = _spec_payload()
    payload["task_data"][key] = value

    with pytest.raises(ValidationError):
        models.TaskCreated.model_validate(payload)


def test_events_are_immutable() -> None:
    event = models.TaskCreated.model_validate(_spec_payload())

    with pytest.raises(ValidationError):
        event.task_id = uuid.uuid4()  # type: ignore[misc]


@pytest.mark.parametrize("mode", ["binary", "structured"])
def test_cloudevent_round_trip_over_http_keeps_attributes_and_payload(mode: envelope.Mode) -> None:
    event = models.TaskCreated.model_validate(_spec_payload())

    ce = envelope.to_cloudevent(event, source=t.source("create-task"), extensions={"traceparent": "00-abc-def-01"})
    headers, body = envelope.to_http(ce, mode)
    back = envelope.from_http(headers, body)

    assert back["id"] == str(event.event_id)
    assert back["type"] == t.TASK_CREATED
    assert back["source"] == "/taskfn/create-task"
    assert back["subject"] == str(event.task_id)
    assert back["partitionkey"] == str(event.task_id)
    assert back["correlationid"] == str(event.correlation_id)
    assert back["traceparent"] == "00-abc-def-01"
    assert datetime.fromisoformat(back["time"]) == event.timestamp
    assert envelope.payload_of(back) == event
    if mode == "binary":
        assert headers["ce-partitionkey"] == str(event.task_id) and headers["content-type"] == "application/json"
    else:
        assert headers["content-type"] == "application/cloudevents+json"


def test_task_updates_are_keyed_by_user_and_commands_take_their_id_from_the_producer() -> None:
    now = datetime.now(UTC)
    sync = models.TaskSynced(
        event_id=uuid.uuid4(), task_id=uuid.uuid4(), user_id=uuid.uuid4(), changes={}, timestamp=now
    )
    command = commands.CompleteTask(task_id=uuid.uuid4())

    assert envelope.to_cloudevent(sync, source="/x")["partitionkey"] == str(sync.user_id)
    ce = envelope.to_cloudevent(command, source="/client", id="cmd-1", time=now, extensions={"userid": "u-1"})
    assert (ce["id"], ce["type"], ce["partitionkey"], ce["userid"]) == (
        "cmd-1",
        t.COMMAND_COMPLETE_TASK,
        str(command.task_id),
        "u-1",
    )
    with pytest.raises(ValueError, match="no event_id"):
        envelope.to_cloudevent(command, source="/client")


def test_unknown_types_and_bad_data_are_reported_distinctly() -> None:
    event = models.TaskCreated.model_validate(_spec_payload())
    ce = envelope.to_cloudevent(event, source="/x")

    ce["type"] = "dev.taskfn.task.archived"
    with pytest.raises(registry.UnknownEventType) as unknown:
        envelope.payload_of(ce)
    assert unknown.value.event_type == "dev.taskfn.task.archived"

    headers, _ = envelope.to_http(envelope.to_cloudevent(event, source="/x"))
    with pytest.raises(ValidationError):
        envelope.payload_of(envelope.from_http(headers, b'{"event_id": "x"}'))


def test_registry_maps_every_type_to_one_model_and_topic() -> None:
    assert len({k.model for k in registry.KINDS}) == len(registry.KINDS)
    assert {k.topic for k in registry.KINDS} == set(t.TOPICS) - {t.DEAD_LETTERS}
    for kind in registry.KINDS:
        assert kind.key_field in kind.model.model_fields


def _create(**fields: Any) -> commands.CreateTask:
    return commands.CreateTask.model_validate({"task_id": str(uuid.uuid4()), "title": "t", **fields})


def test_create_command_defaults_and_trims() -> None:
    command = _create(title="  Renew passport  ", tags=[" travel "])

    assert (command.title, command.status, command.priority, command.tags) == (
        "Renew passport",
        "pending",
        "none",
        ["travel"],
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "at least 1 character"),
        ({"title": "x" * 256}, "at most 255"),
        ({"due_date": "2027-01-01T09:00:00Z", "reminder_at": "2027-01-01T09:00:00Z"}, "reminder_at must be before"),
        ({"tags": ["x" * 51]}, "at most 50"),
        ({"recurrence": {"frequency": "hourly", "start_date": "2027-01-01"}}, "frequency"),
        (
            {"recurrence": {"frequency": "weekly", "start_date": "2027-01-01", "day_of_week": [7]}},
            "less than or equal to 6",
        ),
        ({"recurrence": {"frequency": "weekly", "start_date": "2027-01-01", "day_of_week": []}}, "at least 1 item"),
        (
            {"recurrence": {"frequency": "daily", "start_date": "2027-01-01", "interval": 0}},
            "greater than or equal to 1",
        ),
        (
            {"recurrence": {"frequency": "daily", "start_date": "2027-01-02", "end_date": "2027-01-02"}},
            "end_date must be after",
        ),
        ({"recurrence": {"frequency": "daily", "start_date": "2027-01-01", "count": 0}}, "greater than or equal to 1"),
    ],
)
def test_create_command_rejects(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _create(**fields)


def test_update_command_is_partial_and_refuses_nulls_for_required_fields() -> None:
    task_id = str(uuid.uuid4())
    update = commands.UpdateTask.model_validate({"task_id": task_id, "priority": "high", "recurrence": None})

    assert update.model_fields_set == {"task_id", "priority", "recurrence"}
    with pytest.raises(ValidationError, match="title may not be null"):
        commands.UpdateTask.model_validate({"task_id": task_id, "title": None})
    recurrence = commands.RecurrenceInput(frequency="monthly", start_date=date(2027, 1, 31), day_of_month=[31])
    assert recurrence.interval == 1


def test_a_partial_command_carries_only_the_fields_given() -> None:
    update = commands.UpdateTask.model_validate({"task_id": str(uuid.uuid4()), "description": None})

    back = envelope.payload_of(
        envelope.from_http(*envelope.to_http(envelope.to_cloudevent(update, source="/c", id="1")))
    )

    assert back.model_fields_set == {"task_id", "description"}
