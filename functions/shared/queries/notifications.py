"""Queries on in-app notifications: a user's list (unread first) and marking one read."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select, update
from sqlalchemy.dialects.postgresql import insert

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


def insert_notification(
    conn: Connection, *, notification_id: UUID, user_id: UUID, task_id: UUID | None, title: str, body: str,
    source_event_id: UUID, kind: str = "reminder",
) -> RowMapping | None:  # fmt: skip
    """Add an in-app notification; None when the source event already produced one."""
    stmt = (
        insert(notifications)
        .values(id=notification_id, user_id=user_id, task_id=task_id, kind=kind, title=title, body=body,
                source_event_id=source_event_id)
        .on_conflict_do_nothing()
        .returning(*notifications.c)
    )  # fmt: skip
    return conn.execute(stmt).mappings().first()
