"""Queries for reminders: claim the tasks whose reminder time has come, once per task and remind time; the
delivery state send-reminder keeps per reminder; the deliveries quiet hours deferred."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import TIMESTAMP, Connection, RowMapping, Uuid, func, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert

from functions.shared.tables import notification_preferences, reminder_deliveries, tasks, users

DEFAULT_LEAD_MINUTES = 60  # notification_preferences.reminder_lead_time's default, for users who never set any
MAX_LEAD = timedelta(days=7)  # due-date reminders are looked for this far ahead (the preferences' upper bound)


def due_statement(limit: int) -> Any:
    """Open tasks whose remind time (reminder_at, else due_date minus the user's lead time) has come and that have
    no delivery row for that time yet, oldest remind time first, locked (SKIP LOCKED) for this transaction."""
    lead = _lead()
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


def _lead() -> Any:
    """The user's reminder lead time as an interval (the default for users without preferences)."""
    minutes = func.coalesce(notification_preferences.c.reminder_lead_time, DEFAULT_LEAD_MINUTES)
    return func.make_interval(0, 0, 0, 0, 0, minutes)  # years, months, weeks, days, hours, mins


def ensure_delivery(conn: Connection, task_id: UUID, remind_at: Any, event_id: UUID) -> None:
    """The delivery row for a reminder that did not come from schedule-reminders (e.g. replayed after its row was
    gone); nothing when the row exists or the task does not."""
    rows = select(
        tasks.c.id, literal(remind_at, TIMESTAMP(timezone=True)), literal(event_id, Uuid), tasks.c.user_id
    ).where(tasks.c.id == task_id)
    stmt = insert(reminder_deliveries).from_select(["task_id", "remind_at", "event_id", "user_id"], rows)
    conn.execute(stmt.on_conflict_do_nothing())


def lock_delivery(conn: Connection, task_id: UUID, remind_at: Any) -> RowMapping | None:
    """The delivery row with its task, its user and their preferences, locked for this transaction; None when the
    task is gone (deleting a task deletes its deliveries)."""
    d, p = reminder_deliveries, notification_preferences
    current = func.coalesce(tasks.c.reminder_at, tasks.c.due_date - _lead())
    stmt = (
        select(
            d, current.label("current_remind_at"), tasks.c.status.label("task_status"), tasks.c.title,
            tasks.c.due_date, users.c.email, users.c.timezone,
            func.coalesce(p.c.email_enabled, True).label("email_enabled"),
            func.coalesce(p.c.in_app_enabled, True).label("in_app_enabled"),
            p.c.quiet_hours_start, p.c.quiet_hours_end,
        )
        .join(tasks, tasks.c.id == d.c.task_id)
        .join(users, users.c.id == tasks.c.user_id)
        .outerjoin(p, p.c.user_id == tasks.c.user_id)
        .where(d.c.task_id == task_id, d.c.remind_at == remind_at)
        .with_for_update(of=d)
    )  # fmt: skip
    return conn.execute(stmt).mappings().first()


def update_delivery(conn: Connection, task_id: UUID, remind_at: Any, **values: Any) -> None:
    """Set columns of one delivery row."""
    stmt = update(reminder_deliveries).where(
        reminder_deliveries.c.task_id == task_id, reminder_deliveries.c.remind_at == remind_at
    )
    conn.execute(stmt.values(**values))


def finish_email(conn: Connection, task_id: UUID, remind_at: Any, **values: Any) -> bool:
    """Record how the e-mail this delivery was sending ended (sent, failed, or back to pending); False when the row
    is no longer `sending` (another delivery already recorded it)."""
    stmt = update(reminder_deliveries).where(
        reminder_deliveries.c.task_id == task_id,
        reminder_deliveries.c.remind_at == remind_at,
        reminder_deliveries.c.email_status == "sending",
    )
    return conn.execute(stmt.values(**values)).rowcount == 1


def claim_deferred(conn: Connection, limit: int) -> list[RowMapping]:
    """Deliveries deferred by quiet hours whose window has ended, with their task and preferences, oldest first,
    locked (SKIP LOCKED) and cleared so they are re-emitted once."""
    d, p = reminder_deliveries, notification_preferences
    due = (
        select(d.c.task_id, d.c.remind_at, d.c.deferred_until)
        .where(d.c.deferred_until.is_not(None), d.c.deferred_until <= func.now())
        .order_by(d.c.deferred_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    cleared = (
        update(d)
        .where(d.c.task_id == due.c.task_id, d.c.remind_at == due.c.remind_at)
        .values(deferred_until=None)
        .returning(d.c.task_id, d.c.remind_at, d.c.event_id)
        .cte("cleared")
    )
    stmt = (  # RETURNING gives the new deferred_until (NULL): the old one comes from `due`
        select(
            cleared.c.task_id, cleared.c.remind_at, cleared.c.event_id, due.c.deferred_until, tasks.c.user_id,
            tasks.c.title,
            tasks.c.due_date, func.coalesce(p.c.email_enabled, True).label("email_enabled"),
            func.coalesce(p.c.in_app_enabled, True).label("in_app_enabled"),
        )
        .join(due, (due.c.task_id == cleared.c.task_id) & (due.c.remind_at == cleared.c.remind_at))
        .join(tasks, tasks.c.id == cleared.c.task_id)
        .outerjoin(p, p.c.user_id == tasks.c.user_id)
        .order_by(cleared.c.remind_at, cleared.c.task_id)
    )  # fmt: skip
    return list(conn.execute(stmt).mappings())
