"""Every query module against the real schema: each column type round-trips unchanged."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, exc, func, select, text

from functions.shared import db
from functions.shared.queries import audit, preferences, recurrence_patterns, tags, tasks, users


@pytest.fixture
def user_id(conn: Connection) -> uuid.UUID:
    return users.ensure_user(conn, uuid.uuid4(), "lin@example.com", "Lin")["id"]


def test_users_are_provisioned_once_and_fill_in_missing_details(conn: Connection) -> None:
    uid = uuid.uuid4()
    first = users.ensure_user(conn, uid)
    again = users.ensure_user(conn, uid, "late@example.com", "Late")
    kept = users.ensure_user(conn, uid, "other@example.com", None)

    assert first["email"] is None and first["timezone"] == "UTC"
    assert (again["email"], again["display_name"]) == ("late@example.com", "Late")
    assert kept["email"] == "late@example.com"
    assert users.set_timezone(conn, uid, "Asia/Kolkata")["timezone"] == "Asia/Kolkata"  # type: ignore[index]
    assert users.get_user(conn, uuid.uuid4()) is None


def test_task_columns_round_trip(conn: Connection, user_id: uuid.UUID) -> None:
    pattern = recurrence_patterns.insert_pattern(conn, {"frequency": "daily", "start_date": date(2026, 1, 1)})
    parent = tasks.insert_task(conn, user_id, {"title": "first"})
    due = datetime(2026, 3, 29, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # the day clocks go forward there
    explicit_id = uuid.uuid4()
    values = {
        "id": explicit_id,
        "title": "Ünïcode ✓ title",
        "description": "line one\nline two",
        "status": "in_progress",
        "priority": "high",
        "due_date": due,
        "reminder_at": due - timedelta(minutes=90),
        "recurrence_id": pattern["id"],
        "parent_task_id": parent["id"],
    }

    stored = tasks.insert_task(conn, user_id, values)
    fetched = tasks.get_task(conn, user_id, explicit_id)

    assert fetched == stored
    assert {k: stored[k] for k in values} == values
    assert stored["due_date"].utcoffset() == timedelta(0)  # timestamptz comes back in UTC, same instant
    assert stored["created_at"] == stored["updated_at"]
    assert "search_vector" not in stored


def test_task_update_is_scoped_and_updated_at_moves(conn: Connection, user_id: uuid.UUID) -> None:
    task = tasks.insert_task(conn, user_id, {"title": "draft"})
    conn.execute(text("UPDATE tasks SET updated_at = now() - interval '1 day' WHERE id = :t"), {"t": task["id"]})
    stranger = users.ensure_user(conn, uuid.uuid4())["id"]

    assert tasks.update_task(conn, stranger, task["id"], {"title": "hijack"}) is None
    assert tasks.get_task(conn, stranger, task["id"]) is None
    assert tasks.delete_task(conn, stranger, task["id"]) is None
    updated = tasks.update_task(conn, user_id, task["id"], {"title": "final", "priority": "low"})

    assert updated is not None and (updated["title"], updated["priority"]) == ("final", "low")
    assert updated["updated_at"] == conn.scalar(select(func.now()))
    with pytest.raises(ValueError, match="user_id"):
        tasks.update_task(conn, user_id, task["id"], {"user_id": stranger})


def test_recurrence_pattern_arrays_enums_and_dates_round_trip(conn: Connection) -> None:
    values = {
        "frequency": "yearly",
        "interval": 2,
        "day_of_week": [0, 2, 4],
        "day_of_month": [29],
        "month_of_year": [2],
        "start_date": date(2028, 2, 29),
        "end_date": date(2040, 12, 31),
        "count": 5,
    }
    stored = recurrence_patterns.insert_pattern(conn, values)

    assert {k: stored[k] for k in values} == values
    assert stored["status"] == "active"
    assert recurrence_patterns.set_status(conn, stored["id"], "cancelled")["status"] == "cancelled"  # type: ignore[index]
    assert recurrence_patterns.get_pattern(conn, stored["id"])["status"] == "cancelled"  # type: ignore[index]
    with pytest.raises(exc.DBAPIError) as rejected, conn.begin_nested():
        recurrence_patterns.set_status(conn, stored["id"], "paused")
    assert db.server_error(rejected.value).sqlstate == "22P02"  # type: ignore[union-attr]


def test_tags_are_matched_case_insensitively_and_linked(conn: Connection, user_id: uuid.UUID) -> None:
    work = tags.create_tag(conn, user_id, "Work", "#FF5733")
    task = tasks.insert_task(conn, user_id, {"title": "t"})

    ensured = tags.ensure_tags(conn, user_id, ["work", "Home", "home", "Errands"])
    tags.set_task_tags(conn, task["id"], [t["id"] for t in ensured])

    assert [t["name"] for t in ensured] == ["Work", "Home", "Errands"]
    assert ensured[0]["id"] == work["id"] and ensured[0]["color"] == "#FF5733"
    assert tags.tag_names(conn, [task["id"]]) == {task["id"]: ["Errands", "Home", "Work"]}
    assert [(t["name"], t["task_count"]) for t in tags.list_tags(conn, user_id)] == [
        ("Errands", 1),
        ("Home", 1),
        ("Work", 1),
    ]

    tags.set_task_tags(conn, task["id"], [work["id"]])
    renamed = tags.update_tag(conn, user_id, work["id"], {"name": "Job", "color": None})

    assert tags.tag_names(conn, [task["id"]]) == {task["id"]: ["Job"]}
    assert renamed is not None and renamed["color"] is None
    assert [(t["name"], t["task_count"]) for t in tags.list_tags(conn, user_id)][0] == ("Errands", 0)


def test_audit_jsonb_round_trips_and_reads_newest_first(conn: Connection, user_id: uuid.UUID) -> None:
    task_id, correlation = uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    nested = {"title": "x", "tags": ["a", "b"], "due_date": None, "n": 1.5, "deep": {"ok": True}}
    for i, action in enumerate(["created", "updated", "completed"]):
        audit.insert_entry(
            conn,
            user_id=user_id,
            entity_type="task",
            entity_id=task_id,
            action=action,
            old_data=None if i == 0 else nested,
            new_data=nested,
            timestamp=now + timedelta(minutes=i),
            correlation_id=correlation,
        )

    trail = audit.list_entries(conn, user_id, entity_id=task_id)
    window = audit.list_entries(conn, user_id, since=now + timedelta(minutes=1), until=now + timedelta(minutes=2))

    assert [e["action"] for e in trail] == ["completed", "updated", "created"]
    assert trail[0]["new_data"] == nested and trail[-1]["old_data"] is None
    assert trail[0]["correlation_id"] == correlation
    assert [e["action"] for e in window] == ["updated"]
    assert audit.list_entries(conn, uuid.uuid4()) == []


def test_audit_purge_deletes_only_old_rows_in_batches(conn: Connection, user_id: uuid.UUID) -> None:
    conn.execute(text("DELETE FROM audit_logs"))  # purging is global: start from rows of this test only (rolled back)
    now = conn.scalar(select(func.now()))
    for days in (40, 35, 31, 29, 1):
        audit.insert_entry(
            conn,
            user_id=user_id,
            entity_type="task",
            entity_id=uuid.uuid4(),
            action="created",
            old_data=None,
            new_data={},
            timestamp=now - timedelta(days=days),
            correlation_id=None,
        )
    cutoff = now - timedelta(days=30)

    assert audit.delete_older_than(conn, cutoff, limit=2) == 2
    assert audit.delete_older_than(conn, cutoff, limit=2) == 1
    assert audit.delete_older_than(conn, cutoff, limit=2) == 0
    assert len(audit.list_entries(conn, user_id)) == 2


def test_preferences_default_then_upsert_with_times(conn: Connection, user_id: uuid.UUID) -> None:
    assert preferences.get_preferences(conn, user_id) is None
    defaults = preferences.put_preferences(conn, user_id, {})
    assert (defaults["in_app_enabled"], defaults["email_enabled"], defaults["reminder_lead_time"]) == (True, True, 60)

    stored = preferences.put_preferences(
        conn,
        user_id,
        {"email_enabled": False, "reminder_lead_time": 15, "quiet_hours_start": time(22), "quiet_hours_end": time(7)},
    )

    assert stored["id"] == defaults["id"]
    assert (stored["email_enabled"], stored["reminder_lead_time"]) == (False, 15)
    assert (stored["quiet_hours_start"], stored["quiet_hours_end"]) == (time(22, 0), time(7, 0))
