"""Queries on tasks: insert, get, update, delete and full-text search, always scoped to the owner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, Select, delete, func, select, update

from functions.shared.tables import tasks

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


def search_statement(user_id: UUID, query: str, limit: int = 50) -> Select[Any]:
    """The SELECT behind `search_tasks` (exposed so its plan can be checked)."""
    tsquery = func.websearch_to_tsquery("english", query)
    rank = func.ts_rank(tasks.c.search_vector, tsquery).label("rank")
    return (
        select(*COLUMNS, rank)
        .where(tasks.c.user_id == user_id, tasks.c.search_vector.op("@@")(tsquery))
        .order_by(rank.desc(), tasks.c.id)
        .limit(limit)
    )


def search_tasks(conn: Connection, user_id: UUID, query: str, limit: int = 50) -> list[RowMapping]:
    """The user's tasks matching a web-search style query (stemmed English), best match first."""
    return list(conn.execute(search_statement(user_id, query, limit)).mappings())
