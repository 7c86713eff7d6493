"""expand-recurrence: when an instance of a recurring task is completed (task-events, KafkaSource), create the next
one: same title, description, priority, tags and reminder offset, parent = the series' first task, due at the
pattern's next occurrence (recurrence.next_due). An exhausted pattern becomes `completed`; a cancelled one creates
nothing. The next instance's id derives from the completed one, so a redelivery or a reopen-and-complete again never
creates a second.

Its PingSource (hourly) completes the active patterns whose end date has passed in their user's timezone although no
instance was completed, and answers `{"completed", "batches"}`."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import flask
import functions_framework
from cloudevents.http import CloudEvent

from events import models
from events import types as t
from events.commands import CreateTask
from functions.shared import consumer, db, runtime, task_ops
from functions.shared.outbox import Transaction
from functions.shared.queries import recurrence_patterns, tasks, users
from functions.shared.recurrence import Pattern, next_due

FUNCTION = "expand-recurrence"
PING = "dev.knative.sources.ping"
BATCH = 1000
runtime.configure_logging()


def _expand(tx: Transaction, event: models.TaskCompleted, ce: CloudEvent) -> None:
    pattern_id = event.task_data.recurrence_id
    pattern = recurrence_patterns.get_pattern(tx.conn, pattern_id, for_update=True) if pattern_id else None
    task = tasks.get_task(tx.conn, event.user_id, event.task_id)
    next_id = uuid.uuid5(uuid.NAMESPACE_URL, f"next-instance|{event.task_id}")
    if pattern is None or pattern["status"] != "active" or task is None or tasks.owner_of(tx.conn, next_id):
        return
    user = users.get_user(tx.conn, event.user_id)
    zone = ZoneInfo(user["timezone"] if user else "UTC")
    due = next_due(Pattern.of(pattern), task["due_date"], event.timestamp, zone)
    if due is None:
        recurrence_patterns.set_status(tx.conn, pattern["id"], "completed")
        return
    offset = task["due_date"] - task["reminder_at"] if task["due_date"] and task["reminder_at"] else None
    command = CreateTask(
        task_id=next_id,
        title=task["title"],
        description=task["description"],
        priority=task["priority"],
        due_date=due,
        reminder_at=due - offset if offset is not None else None,
        tags=event.task_data.tags,
    )

    def new_id(effect: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{FUNCTION}|{ce['id']}|{effect}")

    task_ops.create(tx, event.user_id, command, new_id, series=(pattern["id"], task["parent_task_id"] or task["id"]))


@dataclass
class Ended:
    completed: int = 0
    batches: int = 0


def _complete_ended(budget_seconds: float = 50.0) -> Ended:
    """Complete the patterns whose end date has passed, in bounded batches (one short transaction each)."""
    result = Ended()

    def batch() -> int:
        with db.transaction() as conn:
            done = len(recurrence_patterns.complete_ended(conn, BATCH))
        result.completed += done
        return done

    result.batches = runtime.drain(batch, BATCH, time.monotonic() + budget_seconds)
    return result


@functions_framework.http
def handle(request: flask.Request) -> flask.Response | tuple[dict[str, int], int] | tuple[str, int]:
    """Expand a completed recurring instance: 200 (also for other types and redeliveries), 400 for bad data. A
    PingSource tick (or a GET by hand) runs the end-date sweep instead."""
    if request.method == "GET" or request.headers.get("ce-type") == PING:
        return runtime.scheduled(request, _complete_ended, "expand-recurrence completed ended patterns")
    return consumer.consume(request, FUNCTION, {t.TASK_COMPLETED: _expand})
