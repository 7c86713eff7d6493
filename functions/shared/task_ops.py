"""The task write operations, shared by the REST path and the command path of each write function.

Each runs inside an outbox transaction, changes the rows, and emits the TaskEvent (task-events) and the
TaskUpdateEvent (task-updates) of the change. They raise rest.ApiError for a problem the caller must fix.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select

from events import models
from events.commands import CreateTask, RecurrenceInput, TaskChanges
from functions.shared.api import TaskOut
from functions.shared.outbox import Transaction
from functions.shared.queries import recurrence_patterns, tags, tasks
from functions.shared.recurrence import ImpossiblePattern, Pattern, validate
from functions.shared.rest import ApiError, not_found
from functions.shared.views import as_json, build, task_data, task_view

NewId = Callable[[str], UUID]  # a fresh (REST) or deterministic (command) event id for a named effect
_SCALARS = ("title", "description", "status", "priority", "due_date", "reminder_at")


def _now(conn: Connection) -> datetime:
    now: datetime = conn.execute(select(func.now())).scalar_one()
    return now


def _emit(
    tx: Transaction,
    new_id: NewId,
    event_type: type[models.TaskEvent],
    user_id: UUID,
    after: TaskOut,
    changes: dict[str, Any],
    at: datetime,
    before: TaskOut | None = None,
) -> None:
    """The change's TaskEvent (with the previous state where the type carries it) and its TaskSynced, stamped `at`
    (the database time of the change)."""
    now = at
    fields: dict[str, Any] = {
        "event_id": new_id("task-event"),
        "task_id": after.id,
        "user_id": user_id,
        "task_data": task_data(after),
        "timestamp": now,
        "correlation_id": tx.correlation_id,
    }
    if before is not None and "previous_task_data" in event_type.model_fields:
        fields["previous_task_data"] = task_data(before)
    tx.emit(event_type.model_validate(fields))
    sync = models.TaskSynced(
        event_id=new_id("task-sync"), task_id=after.id, user_id=user_id, changes=changes, timestamp=now
    )
    tx.emit(sync)


def _checked(recurrence: RecurrenceInput) -> RecurrenceInput:
    """The recurrence if it can ever occur; 422 naming the field otherwise."""
    try:
        validate(Pattern.of(recurrence))
    except ImpossiblePattern as e:
        raise ApiError(422, "invalid request", [{"loc": ["body", "recurrence", e.field], "msg": str(e)}]) from None
    return recurrence


def _pattern(tx: Transaction, recurrence: RecurrenceInput) -> UUID:
    return recurrence_patterns.insert_pattern(tx.conn, _checked(recurrence).model_dump())["id"]  # type: ignore[no-any-return]


def _same_task(command: CreateTask, view: TaskOut) -> bool:
    mine = {name: getattr(command, name) for name in _SCALARS}
    theirs = {name: getattr(view, name) for name in _SCALARS}
    recurrence = view.recurrence.model_dump(exclude={"id", "status"}) if view.recurrence else None
    wanted = command.recurrence.model_dump() if command.recurrence else None
    same_tags = sorted(t.lower() for t in command.tags) == sorted(t.lower() for t in view.tags)
    return mine == theirs and same_tags and recurrence == wanted


def create(
    tx: Transaction,
    user_id: UUID,
    command: CreateTask,
    new_id: NewId,
    series: tuple[UUID, UUID] | None = None,
) -> tuple[bool, TaskOut]:
    """Create the task; (False, existing) when this user already created the same task with this id. 409 when the
    id is taken by a different task. `series` = (recurrence pattern id, first task) places it in an existing series."""
    owner = tasks.owner_of(tx.conn, command.task_id)
    if owner is not None:
        existing = tasks.get_task(tx.conn, user_id, command.task_id) if owner == user_id else None
        if existing is not None and _same_task(command, view := task_view(tx.conn, existing)):
            return False, view
        raise ApiError(409, "a different task already has this id")
    values = {name: getattr(command, name) for name in _SCALARS} | {"id": command.task_id}
    pattern = None
    if series is not None:
        values["recurrence_id"], values["parent_task_id"] = series
        pattern = recurrence_patterns.get_pattern(tx.conn, series[0])
    elif command.recurrence is not None:
        pattern = recurrence_patterns.insert_pattern(tx.conn, _checked(command.recurrence).model_dump())
        values["recurrence_id"] = pattern["id"]
    row = tasks.insert_task(tx.conn, user_id, values)
    own_tags = tags.ensure_tags(tx.conn, user_id, command.tags)
    if own_tags:
        tags.set_task_tags(tx.conn, row["id"], [t["id"] for t in own_tags])
    view = build(row, [t["name"] for t in own_tags], pattern)
    _emit(tx, new_id, models.TaskCreated, user_id, view, as_json(view), at=view.created_at)
    return True, view


def update(tx: Transaction, user_id: UUID, task_id: UUID, changes: TaskChanges, new_id: NewId) -> TaskOut:
    """Apply a partial update; `recurrence: null` cancels the series, a new recurrence replaces it."""
    row = tasks.get_task(tx.conn, user_id, task_id, for_update=True)
    if row is None:
        raise not_found()
    before = task_view(tx.conn, row)
    given = changes.model_fields_set
    values: dict[str, Any] = {
        name: getattr(changes, name)
        for name in _SCALARS
        if name in given and getattr(changes, name) != getattr(before, name)
    }
    due = values.get("due_date", before.due_date)
    reminder = values.get("reminder_at", before.reminder_at)
    if due is not None and reminder is not None and reminder >= due:
        raise ApiError(422, "invalid request", [{"loc": ["body", "reminder_at"], "msg": "must be before due_date"}])
    if "recurrence" in given:
        if before.recurrence is not None:
            recurrence_patterns.set_status(tx.conn, before.recurrence.id, "cancelled")
        if changes.recurrence is not None:
            values["recurrence_id"] = _pattern(tx, changes.recurrence)
    retag = changes.tags is not None and sorted(t.lower() for t in changes.tags) != sorted(
        t.lower() for t in before.tags
    )
    if not values and not retag and "recurrence" not in given:
        return before  # nothing to change: no write, no event
    tasks.update_task(tx.conn, user_id, task_id, values)
    if retag and changes.tags is not None:
        tags.set_task_tags(tx.conn, task_id, [t["id"] for t in tags.ensure_tags(tx.conn, user_id, changes.tags)])
    after = task_view(tx.conn, tasks.get_task(tx.conn, user_id, task_id))  # type: ignore[arg-type]
    diff = {k: v for k, v in as_json(after).items() if as_json(before).get(k) != v}
    if diff:
        completed = after.status == "completed" and before.status != "completed"
        event_type = models.TaskCompleted if completed else models.TaskUpdated
        at = after.updated_at if values else _now(tx.conn)  # updated_at moves only when the row itself changed
        _emit(tx, new_id, event_type, user_id, after, diff, at, before)
    return after


def set_status(tx: Transaction, user_id: UUID, task_id: UUID, status: str, new_id: NewId) -> TaskOut:
    """Complete (status completed) or reopen (status pending) a task; a task already there is left as it is."""
    return update(tx, user_id, task_id, TaskChanges.model_validate({"status": status}), new_id)


def delete(tx: Transaction, user_id: UUID, task_id: UUID, new_id: NewId) -> None:
    row = tasks.get_task(tx.conn, user_id, task_id, for_update=True)
    if row is None:
        raise not_found()
    before = task_view(tx.conn, row)
    tasks.delete_task(tx.conn, user_id, task_id)
    _emit(tx, new_id, models.TaskDeleted, user_id, before, {"deleted": True}, at=_now(tx.conn))
