"""Queries on notification preferences (a user without a row has the defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, select
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import notification_preferences as prefs

WRITABLE = frozenset({"in_app_enabled", "email_enabled", "reminder_lead_time", "quiet_hours_start", "quiet_hours_end"})


def get_preferences(conn: Connection, user_id: UUID) -> RowMapping | None:
    """The user's stored preferences, or None when they never set any."""
    return conn.execute(select(prefs).where(prefs.c.user_id == user_id)).mappings().first()


def put_preferences(conn: Connection, user_id: UUID, values: Mapping[str, Any]) -> RowMapping:
    """Create or replace the given preference fields for the user; returns the stored row."""
    unknown = set(values) - WRITABLE
    if unknown:
        raise ValueError(f"not writable preference columns: {sorted(unknown)}")
    stmt = insert(prefs).values(user_id=user_id, **values)
    if values:
        stmt = stmt.on_conflict_do_update(index_elements=[prefs.c.user_id], set_=dict(values))
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=[prefs.c.user_id])
    conn.execute(stmt)
    stored = get_preferences(conn, user_id)
    assert stored is not None
    return stored
