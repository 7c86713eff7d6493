"""Queries for reminders: claim the tasks whose reminder time has come, once per task and remind time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select, union_all
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import notification_preferences, reminder_deliveries, tasks, users

DEFAULT_LEAD_MINUTES = 60  # notification_preferences.reminder_lead_time's default, for users who never set any
MAX_LEAD = timedelta(days=7)  # due-date reminders are looked for this far ahead (the preferences' upper bound)


def due_statement(limit: int) -> Any:
    """Open tasks whose remind time (reminder_at, else due_date minus the user's lead time) has come and that have
    no delivery row for that time yet, oldest remind time first, locked (SKIP LOCKED) for this transaction."""
    minutes = func.coalesce(notification_preferences.c.reminder_lead_time, DEFAULT_LEAD_MINUTES)
    lead = func.make_interval(0, 0, 0, 0, 0, minutes)  # years, months, weeks, days, hours, mins
    explicit = select(tasks.c.id, tasks.c.reminder_at.label("remind_at")).where(
        tasks.c.reminder_at.is_not(None), tasks.c.status != "completed", tasks.c.reminder_at <= func.now()
    )
    from_due = (
        select(tasks.c.id, (tasks.c.due_date - lead).label("remind_at"))
        .select_from(tasks.outerjoin(notification_preferences, notification_preferences.c.user_id == tasks.c.user_id))
        .where(
            tasks.c.reminder_at.is_(None),
            tasks.c.due_date.is_not(None),
            tasks.c.status != "completed",
            tasks.c.due_date <= func.now() + MAX_LEAD,
            tasks.c.due_date - lead <= func.now(),
        )
    )
    candidates = union_all(explicit, from_due).subquery("candidates")
    delivered = select(reminder_deliveries.c.task_id).where(
        reminder_deliveries.c.task_id == candidates.c.id, reminder_deliveries.c.remind_at == candidates.c.remind_at
    )
    return (
        select(tasks, candidates.c.remind_at, users.c.email, notification_preferences.c.in_app_enabled,
               notification_preferences.c.email_enabled)
        .join(candidates, candidates.c.id == tasks.c.id)
        .join(users, users.c.id == tasks.c.user_id)
        .outerjoin(notification_preferences, notification_preferences.c.user_id == tasks.c.user_id)
        .where(~delivered.exists())
        .order_by(candidates.c.remind_at, tasks.c.id)
        .limit(limit)
        .with_for_update(of=tasks, skip_locked=True)
    )  # fmt: skip


def claim_due(conn: Connection, limit: int) -> list[RowMapping]:
    return list(conn.execute(due_statement(limit)).mappings())


def record_claim(conn: Connection, task_id: UUID, remind_at: Any, event_id: UUID, user_id: UUID) -> bool:
    """The delivery row that makes a reminder fire once; False when one already exists."""
    stmt = insert(reminder_deliveries).values(task_id=task_id, remind_at=remind_at, event_id=event_id, user_id=user_id)
    return conn.execute(stmt.on_conflict_do_nothing()).rowcount == 1
