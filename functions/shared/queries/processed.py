"""Consumer idempotency: one processed_events row per (consumer, CloudEvent id), written with the effect."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import processed_events


def first_time(conn: Connection, consumer: str, event_id: str) -> bool:
    """Record the event as processed by `consumer`; False when it already was (a redelivery)."""
    stmt = insert(processed_events).values(consumer=consumer, event_id=event_id).on_conflict_do_nothing()
    return conn.execute(stmt).rowcount == 1
