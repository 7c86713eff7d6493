"""Deletes cascade as the data model says, and never further."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, func, select, text

from functions.shared.queries import audit, preferences, tags, tasks, users
from functions.shared.tables import audit_logs, notification_preferences, task_tags
from functions.shared.tables import tags as tags_table
from functions.shared.tables import tasks as tasks_table


def _count(conn: Connection, table: object, *where: object) -> int:
    return int(conn.scalar(select(func.count()).select_from(table).where(*where)))  # type: ignore[arg-type]


def _user_with_things(conn: Connection) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    user = users.ensure_user(conn, uuid.uuid4(), "grace@example.com")
    task = tasks.insert_task(conn, user["id"], {"title": "Ship it"})
    tag = tags.create_tag(conn, user["id"], "release")
    tags.set_task_tags(conn, task["id"], [tag["id"]])
    preferences.put_preferences(conn, user["id"], {"email_enabled": False})
    audit.insert_entry(
        conn,
        user_id=user["id"],
        entity_type="task",
        entity_id=task["id"],
        action="created",
        old_data=None,
        new_data={"title": "Ship it"},
        timestamp=conn.scalar(select(func.now())),
        correlation_id=None,
    )
    return user["id"], task["id"], tag["id"]


def test_deleting_a_user_removes_their_tasks_tags_links_and_preferences_but_keeps_the_audit(conn: Connection) -> None:
    user_id, task_id, _ = _user_with_things(conn)

    conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})

    assert _count(conn, tasks_table, tasks_table.c.user_id == user_id) == 0
    assert _count(conn, tags_table, tags_table.c.user_id == user_id) == 0
    assert _count(conn, task_tags, task_tags.c.task_id == task_id) == 0
    assert _count(conn, notification_preferences, notification_preferences.c.user_id == user_id) == 0
    assert _count(conn, audit_logs, audit_logs.c.user_id == user_id) == 1  # the audit log is an immutable record


def test_deleting_a_task_detaches_its_tags_and_keeps_the_tags(conn: Connection) -> None:
    user_id, task_id, tag_id = _user_with_things(conn)

    assert tasks.delete_task(conn, user_id, task_id) is not None

    assert _count(conn, task_tags, task_tags.c.task_id == task_id) == 0
    assert _count(conn, tags_table, tags_table.c.id == tag_id) == 1


def test_deleting_a_tag_detaches_it_and_keeps_the_tasks(conn: Connection) -> None:
    user_id, task_id, tag_id = _user_with_things(conn)

    assert tags.delete_tag(conn, user_id, tag_id) is not None

    assert tags.tag_names(conn, [task_id]) == {task_id: []}
    assert tasks.get_task(conn, user_id, task_id) is not None


def test_deleting_the_first_task_of_a_series_keeps_its_instances(conn: Connection) -> None:
    user_id, first_id, _ = _user_with_things(conn)
    instance = tasks.insert_task(conn, user_id, {"title": "Ship it again", "parent_task_id": first_id})

    tasks.delete_task(conn, user_id, first_id)

    survivor = tasks.get_task(conn, user_id, instance["id"])
    assert survivor is not None and survivor["parent_task_id"] is None
