"""The only map from CloudEvent type to payload model, topic and partition key."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from pydantic import BaseModel

from events import commands, models
from events import types as t


@dataclass(frozen=True)
class EventKind:
    type: str
    model: builtins.type[BaseModel]  # `type` is the CloudEvent type field above
    topic: str
    key_field: str  # the payload field whose value is the Kafka record key (CloudEvent `partitionkey`)
    partial: bool = False  # only the fields given are sent: an absent field means "leave as is", null means null


KINDS = (
    EventKind(t.TASK_CREATED, models.TaskCreated, t.TASK_EVENTS, "task_id"),
    EventKind(t.TASK_UPDATED, models.TaskUpdated, t.TASK_EVENTS, "task_id"),
    EventKind(t.TASK_COMPLETED, models.TaskCompleted, t.TASK_EVENTS, "task_id"),
    EventKind(t.TASK_DELETED, models.TaskDeleted, t.TASK_EVENTS, "task_id"),
    EventKind(t.TASK_SYNCED, models.TaskSynced, t.TASK_UPDATES, "user_id"),
    EventKind(t.NOTIFICATION_CREATED, models.NotificationCreated, t.TASK_UPDATES, "user_id"),
    EventKind(t.REMINDER_DUE, models.ReminderDue, t.REMINDERS, "task_id"),
    EventKind(t.COMMAND_CREATE_TASK, commands.CreateTask, t.TASK_COMMANDS, "task_id"),
    EventKind(t.COMMAND_UPDATE_TASK, commands.UpdateTask, t.TASK_COMMANDS, "task_id", partial=True),
    EventKind(t.COMMAND_COMPLETE_TASK, commands.CompleteTask, t.TASK_COMMANDS, "task_id"),
    EventKind(t.COMMAND_DELETE_TASK, commands.DeleteTask, t.TASK_COMMANDS, "task_id"),
)
BY_TYPE = {kind.type: kind for kind in KINDS}
_BY_MODEL = {kind.model: kind for kind in KINDS}


class UnknownEventType(LookupError):
    """No model is registered for this CloudEvent type."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"no model is registered for CloudEvent type {event_type!r}")
        self.event_type = event_type


def kind_of_type(event_type: str) -> EventKind:
    try:
        return BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def kind_of(payload: BaseModel) -> EventKind:
    return _BY_MODEL[type(payload)]
