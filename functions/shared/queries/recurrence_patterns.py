"""Queries on recurrence patterns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, select, update

from functions.shared.tables import recurrence_patterns

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
