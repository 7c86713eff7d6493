"""Queries on the outbox: append an event, claim publishable heads, record the outcome, prune."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, RowMapping, delete, exists, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import outbox

# a failed row waits 10 s, 20 s, 40 s, ... up to 15 minutes before the relay tries it again
_BACKOFF: ColumnElement[Any] = literal_column(
    "least(interval '10 seconds' * power(2, outbox.attempts), interval '15 minutes')"
)


def insert_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[UUID]:
    """Append events (event_id, topic, partition_key, ce_type, ce_source, ce_subject, ce_time or None for now,
    extensions, data) in order, in one statement; ids already in the outbox are skipped. Returns the new ids."""
    if not rows:
        return []
    values = [{**row, "ce_time": row["ce_time"] if row["ce_time"] is not None else func.now()} for row in rows]
    stmt = insert(outbox).values(values).on_conflict_do_nothing(index_elements=[outbox.c.event_id])
    return list(conn.scalars(stmt.returning(outbox.c.event_id)))


def claim_heads(
    conn: Connection, *, limit: int, event_ids: Collection[UUID] | None = None, due_only: bool = True
) -> list[RowMapping]:
    """Lock pending rows that are the oldest pending row of their (topic, partition key), oldest first.

    Rows another publisher holds are skipped (SKIP LOCKED), and a row whose key has an older pending row is never
    returned, so events of one key leave in the order they were written. `due_only` honours each row's backoff.
    """
    older = outbox.alias("older")
    has_older_pending = exists().where(
        older.c.topic == outbox.c.topic,
        older.c.partition_key == outbox.c.partition_key,
        older.c.published_at.is_(None),
        older.c.id < outbox.c.id,
    )
    stmt = select(outbox).where(outbox.c.published_at.is_(None), ~has_older_pending)
    if event_ids is not None:
        stmt = stmt.where(outbox.c.event_id.in_(list(event_ids)))
    if due_only:
        stmt = stmt.where(outbox.c.next_attempt_at <= func.now())
    stmt = stmt.order_by(outbox.c.id).limit(limit).with_for_update(of=outbox, skip_locked=True)
    return list(conn.execute(stmt).mappings())


def mark_published(conn: Connection, row_ids: Sequence[int]) -> None:
    if row_ids:
        stmt = update(outbox).where(outbox.c.id.in_(row_ids)).values(published_at=func.now(), last_error=None)
        conn.execute(stmt)


def mark_failed(conn: Connection, row_id: int, error: str) -> None:
    """Count a failed attempt, keep its reason and push the next attempt back (exponential, capped)."""
    stmt = (
        update(outbox)
        .where(outbox.c.id == row_id)
        .values(attempts=outbox.c.attempts + 1, last_error=error[:2000], next_attempt_at=func.now() + _BACKOFF)
    )
    conn.execute(stmt)


def delete_published_before(conn: Connection, age: timedelta, limit: int) -> int:
    """Delete at most `limit` rows published more than `age` ago; returns how many went."""
    doomed = (
        select(outbox.c.id)
        .where(outbox.c.published_at < func.now() - age)
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return conn.execute(delete(outbox).where(outbox.c.id.in_(doomed))).rowcount


def pending(conn: Connection) -> list[RowMapping]:
    """Every unpublished row, oldest first (for tools and tests)."""
    return list(conn.execute(select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id)).mappings())
