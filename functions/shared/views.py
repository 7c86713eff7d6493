"""Task rows -> the API's representation (with tags and recurrence) and the events' TaskData."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping

from events.models import TaskData
from functions.shared.api import RecurrenceOut, TaskOut, TaskPage
from functions.shared.queries import recurrence_patterns, tags

_TASK_FIELDS = [f for f in TaskOut.model_fields if f not in ("tags", "recurrence", "rank", "snippet")]


def task_views(conn: Connection, rows: Sequence[RowMapping]) -> list[TaskOut]:
    """The API view of each row, in order; two queries for the whole page (tags, patterns)."""
    names = tags.tag_names(conn, [r["id"] for r in rows])
    patterns = recurrence_patterns.get_patterns(conn, [r["recurrence_id"] for r in rows])
    return [build(row, names[row["id"]], patterns.get(row["recurrence_id"])) for row in rows]


def build(row: RowMapping, tag_names: Sequence[str], pattern: RowMapping | None) -> TaskOut:
    """The view of a row whose tag names (any order) and recurrence pattern the caller already has.

    Rows come from the database, whose constraints already hold, so the view is constructed without re-validation.
    """
    return TaskOut.model_construct(
        **{name: row[name] for name in _TASK_FIELDS},
        tags=sorted(tag_names, key=str.lower),
        recurrence=RecurrenceOut.model_construct(**pattern) if pattern is not None else None,
        rank=row.get("rank"),
        snippet=row.get("snippet"),
    )


def page_json(views: Sequence[TaskOut], next_cursor: str | None) -> bytes:
    """The JSON of a page of tasks, serialized by pydantic-core in one pass."""
    searched = any(v.rank is not None for v in views)
    exclude = None if searched else {"items": {"__all__": {"rank", "snippet"}}}
    return (
        TaskPage.model_construct(items=list(views), next_cursor=next_cursor).model_dump_json(exclude=exclude).encode()
    )


def task_view(conn: Connection, row: RowMapping) -> TaskOut:
    return task_views(conn, [row])[0]


def task_data(view: TaskOut) -> TaskData:
    """The data model's task_data of a task event."""
    return TaskData(
        title=view.title,
        description=view.description,
        status=view.status,
        priority=view.priority,
        due_date=view.due_date,
        tags=view.tags,
        reminder_at=view.reminder_at,
        recurrence_id=view.recurrence.id if view.recurrence else None,
    )


def as_json(view: TaskOut) -> dict[str, Any]:
    return view.model_dump(mode="json", exclude={"rank", "snippet"} if view.rank is None else set())
