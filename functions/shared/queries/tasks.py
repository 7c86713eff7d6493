"""Queries on tasks: insert, get, update, delete, list (filters, sorts, keyset pages), search; owner-scoped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    and_,
    case,
    delete,
    func,
    not_,
    or_,
    select,
    update,
)

from functions.shared.tables import tags, task_tags, tasks

# every column a caller may read; search_vector is the database's business
COLUMNS = [c for c in tasks.c if c.name != "search_vector"]
WRITABLE = frozenset(
    {"title", "description", "status", "priority", "due_date", "reminder_at", "recurrence_id", "parent_task_id"}
)


def _check_writable(values: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not writable task columns: {sorted(unknown)}")


def insert_task(conn: Connection, user_id: UUID, values: Mapping[str, Any]) -> RowMapping:
    """Insert a task for `user_id` (an explicit `id` may be given) and return it."""
    _check_writable(values, WRITABLE | {"id"})
    stmt = tasks.insert().values(user_id=user_id, **values).returning(*COLUMNS)
    return conn.execute(stmt).mappings().one()


def get_task(conn: Connection, user_id: UUID, task_id: UUID, *, for_update: bool = False) -> RowMapping | None:
    """The user's task, or None when it does not exist or belongs to someone else."""
    stmt = select(*COLUMNS).where(tasks.c.id == task_id, tasks.c.user_id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def update_task(conn: Connection, user_id: UUID, task_id: UUID, changes: Mapping[str, Any]) -> RowMapping | None:
    """Apply `changes` to the user's task; returns the new row, or None when there is no such task."""
    _check_writable(changes, WRITABLE)
    if not changes:
        return get_task(conn, user_id, task_id)
    stmt = update(tasks).where(tasks.c.id == task_id, tasks.c.user_id == user_id).values(**changes).returning(*COLUMNS)
    return conn.execute(stmt).mappings().first()


def delete_task(conn: Connection, user_id: UUID, task_id: UUID) -> RowMapping | None:
    """Delete the user's task (its tag links go with it); returns the deleted row, or None."""
    stmt = delete(tasks).where(tasks.c.id == task_id, tasks.c.user_id == user_id).returning(*COLUMNS)
    return conn.execute(stmt).mappings().first()


PRIORITY_RANK = case({"none": 0, "low": 1, "medium": 2, "high": 3}, value=tasks.c.priority)


@dataclass(frozen=True)
class TaskFilter:
    """What GET /tasks may filter on; empty sequences and None mean "any"."""

    statuses: Sequence[str] = ()
    priorities: Sequence[str] = ()
    tags: Sequence[str] = ()
    all_tags: bool = False
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue: bool | None = None
    has_reminder: bool | None = None
    recurring: bool | None = None
    query: str | None = None


def _sort_expression(sort: str, tsquery: ColumnElement[Any] | None) -> ColumnElement[Any]:
    if sort == "relevance":
        if tsquery is None:
            raise ValueError("relevance sorting needs a search query")
        return func.ts_rank(tasks.c.search_vector, tsquery)
    expressions: dict[str, ColumnElement[Any]] = {
        "due_date": tasks.c.due_date,
        "priority": PRIORITY_RANK,
        "created_at": tasks.c.created_at,
        "updated_at": tasks.c.updated_at,
        "title": func.lower(tasks.c.title),
    }
    return expressions[sort]


def _conditions(user_id: UUID, f: TaskFilter, tsquery: ColumnElement[Any] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [tasks.c.user_id == user_id]
    if f.statuses:
        where.append(tasks.c.status.in_(f.statuses))
    if f.priorities:
        where.append(tasks.c.priority.in_(f.priorities))
    if f.tags:
        names = sorted({t.lower() for t in f.tags})
        matching = (
            select(func.count(func.distinct(func.lower(tags.c.name))))
            .select_from(task_tags.join(tags, tags.c.id == task_tags.c.tag_id))
            .where(task_tags.c.task_id == tasks.c.id, func.lower(tags.c.name).in_(names))
            .scalar_subquery()
        )
        where.append(matching == len(names) if f.all_tags else matching > 0)
    if f.due_before is not None:
        where.append(tasks.c.due_date < f.due_before)
    if f.due_after is not None:
        where.append(tasks.c.due_date > f.due_after)
    if f.overdue is not None:
        late = and_(tasks.c.due_date < func.now(), tasks.c.status != "completed")
        where.append(late if f.overdue else not_(func.coalesce(late, False)))
    if f.has_reminder is not None:
        where.append(tasks.c.reminder_at.is_not(None) if f.has_reminder else tasks.c.reminder_at.is_(None))
    if f.recurring is not None:
        where.append(tasks.c.recurrence_id.is_not(None) if f.recurring else tasks.c.recurrence_id.is_(None))
    if tsquery is not None:
        where.append(tasks.c.search_vector.op("@@")(tsquery))
    return where


def list_statement(
    user_id: UUID,
    f: TaskFilter,
    *,
    sort: str,
    descending: bool,
    after: tuple[Any, UUID] | None,
    limit: int,
) -> Select[Any]:
    """The user's tasks matching `f`, ordered by `sort` (nulls last either way, then id), starting after the keyset
    `after` = (sort value, id) of the previous page's last row. Rows carry `sort_value`, and with a search query
    `rank` and a highlighted `snippet`."""
    tsquery = func.websearch_to_tsquery("english", f.query) if f.query else None
    key = _sort_expression(sort, tsquery)
    where = _conditions(user_id, f, tsquery)
    if after is not None:
        value, last_id = after
        if value is None:
            where.append(and_(key.is_(None), tasks.c.id > last_id))
        else:
            beyond = key < value if descending else key > value
            where.append(or_(beyond, and_(key == value, tasks.c.id > last_id), key.is_(None)))
    columns: list[Any] = [*COLUMNS, key.label("sort_value")]
    if tsquery is not None:
        columns.append(func.ts_rank(tasks.c.search_vector, tsquery).label("rank"))
    direction = key.desc() if descending else key.asc()
    page = select(*columns).where(*where).order_by(direction.nulls_last(), tasks.c.id).limit(limit)
    if tsquery is None:
        return page
    inner = page.subquery()
    text_of = func.coalesce(inner.c.title, "") + " " + func.coalesce(inner.c.description, "")
    snippet = func.ts_headline("english", text_of, tsquery, "StartSel=<mark>, StopSel=</mark>, MaxWords=25, MinWords=8")
    inner_direction = inner.c.sort_value.desc() if descending else inner.c.sort_value.asc()
    return select(inner, snippet.label("snippet")).order_by(inner_direction.nulls_last(), inner.c.id)


def list_tasks(conn: Connection, user_id: UUID, f: TaskFilter, **page: Any) -> list[RowMapping]:
    """Run `list_statement`."""
    return list(conn.execute(list_statement(user_id, f, **page)).mappings())


def owner_of(conn: Connection, task_id: UUID) -> UUID | None:
    """Who owns the task id, whoever that is (for idempotent creates); None when the id is free."""
    return conn.scalar(select(tasks.c.user_id).where(tasks.c.id == task_id))
