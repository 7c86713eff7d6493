"""Queries on the audit log: append, read a user's trail, purge past retention."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, delete, func, select, tuple_

from functions.shared.tables import audit_logs


def insert_entry(
    conn: Connection,
    *,
    user_id: UUID,
    entity_type: str,
    entity_id: UUID,
    action: str,
    old_data: dict[str, Any] | None,
    new_data: dict[str, Any] | None,
    timestamp: datetime,
    correlation_id: UUID | None,
    entry_id: UUID | None = None,
) -> RowMapping:
    """Append one audit row and return it."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "old_data": old_data,
        "new_data": new_data,
        "timestamp": timestamp,
        "correlation_id": correlation_id,
    }
    if entry_id is not None:
        values["id"] = entry_id
    return conn.execute(audit_logs.insert().values(**values).returning(*audit_logs.c)).mappings().one()


def list_entries(
    conn: Connection,
    user_id: UUID,
    *,
    entity_id: UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: tuple[datetime, UUID] | None = None,
    limit: int = 50,
) -> list[RowMapping]:
    """The user's audit rows, newest first, optionally for one entity and a [since, until) range, starting after
    the keyset `before` = (timestamp, id) of the previous page's last row."""
    stmt = select(audit_logs).where(audit_logs.c.user_id == user_id)
    if entity_id is not None:
        stmt = stmt.where(audit_logs.c.entity_id == entity_id)
    if since is not None:
        stmt = stmt.where(audit_logs.c.timestamp >= since)
    if until is not None:
        stmt = stmt.where(audit_logs.c.timestamp < until)
    if before is not None:
        stmt = stmt.where(tuple_(audit_logs.c.timestamp, audit_logs.c.id) < tuple_(*before))
    stmt = stmt.order_by(audit_logs.c.timestamp.desc(), audit_logs.c.id.desc()).limit(limit)
    return list(conn.execute(stmt).mappings())


def delete_older_than(conn: Connection, cutoff: datetime, limit: int) -> int:
    """Delete at most `limit` rows older than `cutoff`, oldest first; returns how many went."""
    doomed = (
        select(audit_logs.c.id)
        .where(audit_logs.c.timestamp < cutoff)
        .order_by(audit_logs.c.timestamp)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return conn.execute(delete(audit_logs).where(audit_logs.c.id.in_(doomed))).rowcount


def oldest_day_before(conn: Connection, cutoff: datetime) -> date | None:
    """The UTC day of the oldest entry older than `cutoff`, or None."""
    oldest = conn.scalar(select(func.min(audit_logs.c.timestamp)).where(audit_logs.c.timestamp < cutoff))
    return oldest.astimezone(UTC).date() if oldest is not None else None


def day_entries(conn: Connection, day: date, cutoff: datetime) -> list[RowMapping]:
    """Every entry of one UTC day that is older than `cutoff`, oldest first."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    stmt = (
        select(audit_logs)
        .where(audit_logs.c.timestamp >= start, audit_logs.c.timestamp < start + timedelta(days=1))
        .where(audit_logs.c.timestamp < cutoff)
        .order_by(audit_logs.c.timestamp, audit_logs.c.id)
    )
    return list(conn.execute(stmt).mappings())


def delete_ids(conn: Connection, ids: Sequence[UUID]) -> int:
    """Delete these entries; returns how many went."""
    return conn.execute(delete(audit_logs).where(audit_logs.c.id.in_(list(ids)))).rowcount
