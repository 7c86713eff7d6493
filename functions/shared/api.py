"""The REST contract's models: request bodies come from events.commands; these are the answers and query strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from events.commands import Frequency, TagName, TaskInput
from events.models import Priority, Status


class NewTask(TaskInput):
    """POST /tasks: a client may choose the id, which makes the create safe to repeat."""

    id: UUID | None = None


class RecurrenceOut(BaseModel):
    id: UUID
    frequency: Frequency
    interval: int
    day_of_week: list[int] | None
    day_of_month: list[int] | None
    month_of_year: list[int] | None
    start_date: date
    end_date: date | None
    count: int | None
    status: Literal["active", "completed", "cancelled"]


class TaskOut(BaseModel):
    id: UUID
    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: datetime | None
    reminder_at: datetime | None
    tags: list[str]
    recurrence: RecurrenceOut | None
    parent_task_id: UUID | None
    created_at: datetime
    updated_at: datetime
    rank: float | None = None
    snippet: str | None = None


class TaskPage(BaseModel):
    items: list[TaskOut]
    next_cursor: str | None


SortKey = Literal["due_date", "priority", "created_at", "updated_at", "title", "relevance"]


class TaskQuery(BaseModel):
    """GET /tasks query string; `status`, `priority` and `tag` may repeat or be comma-separated."""

    model_config = ConfigDict(extra="forbid")

    status: list[Status] = Field(default_factory=list)
    priority: list[Priority] = Field(default_factory=list)
    tag: list[TagName] = Field(default_factory=list)
    tags_mode: Literal["any", "all"] = "any"
    due_before: AwareDatetime | None = None
    due_after: AwareDatetime | None = None
    overdue: bool | None = None
    has_reminder: bool | None = None
    recurring: bool | None = None
    q: str | None = Field(default=None, min_length=1, max_length=200)
    sort: SortKey | None = None
    order: Literal["asc", "desc"] = "asc"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None
