"""Command payloads carried on `task-commands`: the REST bodies plus the ids (user in the `userid` extension)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from events.models import Contract, Priority, Status

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Frequency = Literal["daily", "weekly", "monthly", "yearly", "custom"]


class RecurrenceInput(Contract):
    frequency: Frequency
    interval: int = Field(default=1, ge=1)
    day_of_week: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(default=None, min_length=1)
    day_of_month: list[Annotated[int, Field(ge=1, le=31)]] | None = Field(default=None, min_length=1)
    month_of_year: list[Annotated[int, Field(ge=1, le=12)]] | None = Field(default=None, min_length=1)
    start_date: date
    end_date: date | None = None
    count: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end_date is not None and self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class _TaskFields(Contract):
    @model_validator(mode="after")
    def _reminder_before_due(self) -> Self:
        due, reminder = getattr(self, "due_date", None), getattr(self, "reminder_at", None)
        if due is not None and reminder is not None and reminder >= due:
            raise ValueError("reminder_at must be before due_date")
        return self


class TaskInput(_TaskFields):
    """A new task's fields (the body of POST /tasks, less the optional id)."""

    title: Title
    description: str | None = Field(default=None, max_length=10_000)
    status: Status = "pending"
    priority: Priority = "none"
    due_date: AwareDatetime | None = None
    reminder_at: AwareDatetime | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    recurrence: RecurrenceInput | None = None


class CreateTask(TaskInput):
    task_id: UUID


class TaskChanges(_TaskFields):
    """A partial update (the body of PATCH /tasks/{id}): only the fields present change; `recurrence: null` cancels
    the series."""

    title: Title | None = None
    description: str | None = Field(default=None, max_length=10_000)
    status: Status | None = None
    priority: Priority | None = None
    due_date: AwareDatetime | None = None
    reminder_at: AwareDatetime | None = None
    tags: list[TagName] | None = Field(default=None, max_length=50)
    recurrence: RecurrenceInput | None = None

    @model_validator(mode="after")
    def _not_null_where_required(self) -> Self:
        for name in ("title", "status", "priority", "tags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class UpdateTask(TaskChanges):
    task_id: UUID


class CompleteTask(Contract):
    task_id: UUID


class DeleteTask(Contract):
    task_id: UUID
