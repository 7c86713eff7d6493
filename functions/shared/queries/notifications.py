"""Queries on in-app notifications: a user's list (unread first) and marking one read."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select, update

from functions.shared.tables import notifications


def list_notifications(
    conn: Connection, user_id: UUID, *, unread_only: bool = False, limit: int = 50
) -> list[RowMapping]:
    """The user's notifications: unread first, newest first within each group."""
    stmt = select(notifications).where(notifications.c.user_id == user_id)
    if unread_only:
        stmt = stmt.where(notifications.c.read_at.is_(None))
    unread_first = notifications.c.read_at.is_not(None)  # false (unread) sorts before true
    stmt = stmt.order_by(unread_first, notifications.c.created_at.desc(), notifications.c.id).limit(limit)
    return list(conn.execute(stmt).mappings())


def mark_read(conn: Connection, user_id: UUID, notification_id: UUID) -> RowMapping | None:
    """Mark the user's notification read (keeping the first read time); None when it is not theirs."""
    stmt = (
        update(notifications)
        .where(notifications.c.id == notification_id, notifications.c.user_id == user_id)
        .values(read_at=func.coalesce(notifications.c.read_at, func.now()))
        .returning(*notifications.c)
    )
    return conn.execute(stmt).mappings().first()
