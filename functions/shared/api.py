"""The REST contract's models: request bodies come from events.commands; these are the answers and query strings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal, Self
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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


Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TagName
    color: Color | None = None


class TagPatch(BaseModel):
    """PATCH /tags/{id}: rename and/or recolor (`color: null` removes the color)."""

    model_config = ConfigDict(extra="forbid")

    name: TagName | None = None
    color: Color | None = None


class TagOut(BaseModel):
    id: UUID
    name: str
    color: str | None
    task_count: int
    created_at: datetime


class PreferencesIn(BaseModel):
    """PUT /preferences replaces them all; omitted fields take their defaults."""

    model_config = ConfigDict(extra="forbid")

    in_app_enabled: bool = True
    email_enabled: bool = True
    reminder_lead_time: int = Field(default=60, ge=0, le=10_080, description="minutes before the due date")
    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA timezone name") from None
        return value

    @model_validator(mode="after")
    def _quiet_hours_pair(self) -> Self:
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValueError("quiet_hours_start and quiet_hours_end are set together or not at all")
        return self


class PreferencesOut(PreferencesIn):
    pass


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: UUID | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class AuditEntryOut(BaseModel):
    id: UUID
    entity_type: str
    entity_id: UUID
    action: Literal["created", "updated", "deleted", "completed"]
    old_data: dict[str, Any] | None
    new_data: dict[str, Any] | None
    timestamp: datetime
    correlation_id: UUID | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread: bool = False
    limit: int = Field(default=50, ge=1, le=200)


class NotificationOut(BaseModel):
    id: UUID
    task_id: UUID | None
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationOut]


class TagList(BaseModel):
    items: list[TagOut]


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str


class ErrorOut(BaseModel):
    error: str
    details: list[ErrorDetail] | None = None
