"""CloudEvent type constants, topics and sources: the names every producer and consumer agrees on."""

from __future__ import annotations

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

TASK_EVENTS = "task-events"
TASK_UPDATES = "task-updates"
REMINDERS = "reminders"
TASK_COMMANDS = "task-commands"
DEAD_LETTERS = "dead-letters"
TOPICS = (TASK_EVENTS, TASK_UPDATES, REMINDERS, TASK_COMMANDS, DEAD_LETTERS)

TASK_CREATED = "dev.taskfn.task.created"
TASK_UPDATED = "dev.taskfn.task.updated"
TASK_COMPLETED = "dev.taskfn.task.completed"
TASK_DELETED = "dev.taskfn.task.deleted"
TASK_SYNCED = "dev.taskfn.task.synced"
NOTIFICATION_CREATED = "dev.taskfn.notification.created"
REMINDER_DUE = "dev.taskfn.reminder.due"
COMMAND_CREATE_TASK = "dev.taskfn.command.task.create"
COMMAND_UPDATE_TASK = "dev.taskfn.command.task.update"
COMMAND_COMPLETE_TASK = "dev.taskfn.command.task.complete"
COMMAND_DELETE_TASK = "dev.taskfn.command.task.delete"

# CloudEvent extension attributes (lower-case alphanumerics, as the spec requires)
PARTITION_KEY = "partitionkey"
CORRELATION_ID = "correlationid"
USER_ID = "userid"


def source(function_name: str) -> str:
    """The CloudEvent `source` of events a function emits, e.g. `/taskfn/create-task`."""
    return f"/taskfn/{function_name}"
