"""The event payloads of the data model (TaskEvent, ReminderEvent, TaskUpdateEvent), one model per CloudEvent type.

Extensions to the data model, all optional so a payload written to the bare spec still validates:
TaskData carries `reminder_at` and `recurrence_id`; update events carry `previous_task_data`; ReminderDue's `due_at`
may be null (a reminder on a task without a due date); NotificationCreated reuses the TaskUpdateEvent shape with
`event_type: "notification"`.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict

Status = Literal["pending", "in_progress", "completed"]
Priority = Literal["none", "low", "medium", "high"]


class Contract(BaseModel):
    """Base of every event and command: immutable, and unknown fields are an error."""

    # defer_build: a model's validator is built on first use, not at import (cold starts load every model)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class TaskData(Contract):
    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: AwareDatetime | None
    tags: list[str]
    reminder_at: AwareDatetime | None = None
    recurrence_id: UUID | None = None


class _TaskEvent(Contract):
    event_id: UUID
    task_id: UUID
    user_id: UUID
    task_data: TaskData
    timestamp: AwareDatetime
    correlation_id: UUID


class TaskCreated(_TaskEvent):
    event_type: Literal["created"] = "created"


class TaskUpdated(_TaskEvent):
    event_type: Literal["updated"] = "updated"
    previous_task_data: TaskData | None = None


class TaskCompleted(_TaskEvent):
    event_type: Literal["completed"] = "completed"
    previous_task_data: TaskData | None = None


class TaskDeleted(_TaskEvent):
    event_type: Literal["deleted"] = "deleted"


TaskEvent = TaskCreated | TaskUpdated | TaskCompleted | TaskDeleted


class NotificationChannels(Contract):
    in_app: bool
    email: bool


class ReminderDue(Contract):
    event_id: UUID
    task_id: UUID
    user_id: UUID
    title: str
    due_at: AwareDatetime | None
    remind_at: AwareDatetime
    notification_preferences: NotificationChannels
    timestamp: AwareDatetime


class TaskSynced(Contract):
    event_id: UUID
    event_type: Literal["sync"] = "sync"
    task_id: UUID
    user_id: UUID
    changes: dict[str, Any]
    timestamp: AwareDatetime


class NotificationCreated(Contract):
    event_id: UUID
    event_type: Literal["notification"] = "notification"
    task_id: UUID | None
    user_id: UUID
    changes: dict[str, Any]
    timestamp: AwareDatetime
