"""write-audit on a real PostgreSQL: one audit row per task event, whatever the redeliveries; bad events are 400."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from events import envelope, models
from events import types as t
from tests.support import api

DATA = models.TaskData(title="Audit me", description=None, status="pending", priority="low", due_date=None, tags=["x"])


def _deliver(event: models.TaskEvent | models.TaskSynced) -> TestResponse:
    headers, body = envelope.to_http(envelope.to_cloudevent(event, source=t.source("create-task")))
    headers.update({"ce-knativekafkapartition": "0", "ce-knativekafkaoffset": "7"})  # as the dispatcher adds them
    return api.client("write_audit").post("/", headers=headers, data=body)


def _rows(engine: Engine, task_id: uuid.UUID) -> list[dict[str, object]]:
    with engine.connect() as conn:
        result = conn.execute(
            text("SELECT action, old_data, new_data, timestamp, correlation_id FROM audit_logs "
                 "WHERE entity_id = :t ORDER BY timestamp"),
            {"t": task_id},
        )  # fmt: skip
        return [dict(r._mapping) for r in result]


def test_each_task_event_becomes_exactly_one_audit_row(engine: Engine) -> None:
    task_id, user_id, correlation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    base = {"task_id": task_id, "user_id": user_id, "correlation_id": correlation}
    created = models.TaskCreated(
        event_id=uuid.uuid4(), task_data=DATA, timestamp=datetime(2026, 12, 1, tzinfo=UTC), **base
    )
    changed = DATA.model_copy(update={"priority": "high"})
    updated = models.TaskUpdated(event_id=uuid.uuid4(), task_data=changed, previous_task_data=DATA,
                                 timestamp=datetime(2026, 12, 2, tzinfo=UTC), **base)  # fmt: skip
    deleted = models.TaskDeleted(
        event_id=uuid.uuid4(), task_data=changed, timestamp=datetime(2026, 12, 3, tzinfo=UTC), **base
    )

    statuses = [_deliver(e).status_code for e in (created, created, updated, deleted, updated)]

    assert statuses == [200] * 5
    rows = _rows(engine, task_id)
    assert [r["action"] for r in rows] == ["created", "updated", "deleted"]
    assert rows[0]["old_data"] is None and rows[0]["new_data"]["title"] == "Audit me"  # type: ignore[index]
    assert rows[1]["old_data"]["priority"] == "low" and rows[1]["new_data"]["priority"] == "high"  # type: ignore[index]
    assert rows[2]["old_data"]["priority"] == "high" and rows[2]["new_data"] is None  # type: ignore[index]
    assert rows[0]["timestamp"] == datetime(2026, 12, 1, tzinfo=UTC)
    assert {r["correlation_id"] for r in rows} == {correlation}


def test_a_poison_event_is_400_with_the_reason_and_writes_nothing(engine: Engine) -> None:
    task_id = uuid.uuid4()
    event = models.TaskCreated(event_id=uuid.uuid4(), task_id=task_id, user_id=uuid.uuid4(), task_data=DATA,
                               timestamp=datetime.now(UTC), correlation_id=uuid.uuid4())  # fmt: skip
    headers, _ = envelope.to_http(envelope.to_cloudevent(event, source="/x"))

    response = api.client("write_audit").post("/", headers=headers, data=json.dumps({"task_id": str(task_id)}))

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid event data"
    assert _rows(engine, task_id) == []


def test_other_event_types_are_acknowledged_and_ignored(engine: Engine) -> None:
    sync = models.TaskSynced(event_id=uuid.uuid4(), task_id=uuid.uuid4(), user_id=uuid.uuid4(), changes={},
                             timestamp=datetime.now(UTC))  # fmt: skip

    assert _deliver(sync).status_code == 200
    assert api.client("write_audit").post("/", data=b"not an event").status_code == 400
