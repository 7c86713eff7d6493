"""write-audit: one audit_logs row per task event from task-events (KafkaSource), exactly once however often the
event is delivered. created -> new_data; updated/completed -> old_data (the previous state) and new_data;
deleted -> old_data. The row's time is the event's, its correlation id the request's."""

from __future__ import annotations

import uuid

import flask
import functions_framework
from cloudevents.http import CloudEvent

from events import models
from events import types as t
from functions.shared import consumer, runtime
from functions.shared.outbox import Transaction
from functions.shared.queries import audit

FUNCTION = "write-audit"
runtime.configure_logging()


def _record(tx: Transaction, event: models.TaskEvent, _: CloudEvent) -> None:
    previous = getattr(event, "previous_task_data", None)
    data = event.task_data.model_dump(mode="json")
    audit.insert_entry(
        tx.conn,
        entry_id=uuid.uuid5(uuid.NAMESPACE_URL, f"audit|{event.event_id}"),
        user_id=event.user_id,
        entity_type="task",
        entity_id=event.task_id,
        action=event.event_type,
        old_data=data if event.event_type == "deleted" else previous.model_dump(mode="json") if previous else None,
        new_data=None if event.event_type == "deleted" else data,
        timestamp=event.timestamp,
        correlation_id=event.correlation_id,
    )


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Audit a task event: 200 (also for a redelivery or another type), 400 for data that is not a TaskEvent."""
    effects = dict.fromkeys((t.TASK_CREATED, t.TASK_UPDATED, t.TASK_COMPLETED, t.TASK_DELETED), _record)
    return consumer.consume(request, FUNCTION, effects)
