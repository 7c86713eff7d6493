"""Queries on recurrence patterns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Date, RowMapping, cast, func, select, update

from functions.shared.tables import recurrence_patterns, tasks, users

WRITABLE = frozenset(
    {"frequency", "interval", "day_of_week", "day_of_month", "month_of_year", "start_date", "end_date", "count"}
)


def insert_pattern(conn: Connection, values: Mapping[str, Any]) -> RowMapping:
    """Insert a pattern (status starts `active`) and return it."""
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"not writable recurrence columns: {sorted(unknown)}")
    return (
        conn.execute(recurrence_patterns.insert().values(**values).returning(*recurrence_patterns.c)).mappings().one()
    )


def get_pattern(conn: Connection, pattern_id: UUID, *, for_update: bool = False) -> RowMapping | None:
    """The pattern, or None."""
    stmt = select(recurrence_patterns).where(recurrence_patterns.c.id == pattern_id)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).mappings().first()


def set_status(conn: Connection, pattern_id: UUID, status: str) -> RowMapping | None:
    """Move the pattern to `status` (active, completed, cancelled); returns it, or None."""
    stmt = (
        update(recurrence_patterns)
        .where(recurrence_patterns.c.id == pattern_id)
        .values(status=status)
        .returning(*recurrence_patterns.c)
    )
    return conn.execute(stmt).mappings().first()


def get_patterns(conn: Connection, pattern_ids: Iterable[UUID]) -> dict[UUID, RowMapping]:
    """Patterns by id (missing ids are absent)."""
    ids = list({i for i in pattern_ids if i is not None})
    if not ids:
        return {}
    rows = conn.execute(select(recurrence_patterns).where(recurrence_patterns.c.id.in_(ids))).mappings()
    return {r["id"]: r for r in rows}


def complete_ended(conn: Connection, limit: int) -> list[UUID]:
    """Mark `completed` up to `limit` active patterns whose end date lies before today in their user's timezone (the
    timezone of the series' tasks' owner; UTC for a pattern no task uses); their ids."""
    p = recurrence_patterns
    owner_zone = (
        select(users.c.timezone)
        .select_from(tasks.join(users, users.c.id == tasks.c.user_id))
        .where(tasks.c.recurrence_id == p.c.id)
        .limit(1)
        .scalar_subquery()
    )
    today_there = cast(func.timezone(func.coalesce(owner_zone, "UTC"), func.now()), Date)
    # no timezone is more than a day ahead of UTC: this bound lets the partial index pick the candidates
    candidates = (
        select(p.c.id)
        .where(p.c.status == "active", p.c.end_date.is_not(None), p.c.end_date <= cast(func.now(), Date) + 1)
        .where(p.c.end_date < today_there)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = update(p).where(p.c.id.in_(candidates)).values(status="completed").returning(p.c.id)
    return list(conn.execute(stmt).scalars())
