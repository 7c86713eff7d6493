"""Every validation rule of the data model is a database constraint that names itself when it rejects a row."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Connection, exc, text

from functions.shared import db

USER = uuid.UUID("00000000-0000-4000-8000-000000000001")
TASK = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
TAG = uuid.UUID("00000000-0000-4000-8000-0000000000b1")


@pytest.fixture
def seeded(conn: Connection) -> Connection:
    conn.execute(text("INSERT INTO users (id, email) VALUES (:u, 'ada@example.com')"), {"u": USER})
    conn.execute(text("INSERT INTO tasks (id, user_id, title) VALUES (:t, :u, 'write tests')"), {"t": TASK, "u": USER})
    conn.execute(text("INSERT INTO tags (id, user_id, name) VALUES (:g, :u, 'Work')"), {"g": TAG, "u": USER})
    return conn


TASK_INSERT = "INSERT INTO tasks (user_id, title, {col}) VALUES (:u, 'x', {val})"
PATTERN_INSERT = "INSERT INTO recurrence_patterns (frequency, start_date, {col}) VALUES ('weekly', '2026-01-05', {val})"
PREFS_INSERT = "INSERT INTO notification_preferences (user_id, {col}) VALUES (:u, {val})"

REJECTED = [
    ("unknown timezone", "INSERT INTO users (timezone) VALUES ('Mars/Olympus')", "ck_users_timezone"),
    ("email without @", "INSERT INTO users (email) VALUES ('nobody')", "ck_users_email"),
    ("blank title", "INSERT INTO tasks (user_id, title) VALUES (:u, '   ')", "ck_tasks_title_not_blank"),
    ("unknown status", TASK_INSERT.format(col="status", val="'done'"), "ck_tasks_status"),
    ("unknown priority", TASK_INSERT.format(col="priority", val="'urgent'"), "ck_tasks_priority"),
    (
        "reminder after due date",
        "INSERT INTO tasks (user_id, title, due_date, reminder_at) "
        "VALUES (:u, 'x', '2026-03-01T09:00Z', '2026-03-01T10:00Z')",
        "ck_tasks_reminder_before_due",
    ),
    (
        "reminder equal to due date",
        "INSERT INTO tasks (user_id, title, due_date, reminder_at) "
        "VALUES (:u, 'x', '2026-03-01T09:00Z', '2026-03-01T09:00Z')",
        "ck_tasks_reminder_before_due",
    ),
    (
        "task of an unknown user",
        "INSERT INTO tasks (user_id, title) VALUES (gen_random_uuid(), 'x')",
        "tasks_user_id_fkey",
    ),
    ("color not hex", "INSERT INTO tags (user_id, name, color) VALUES (:u, 'a', 'red')", "ck_tags_color_hex"),
    ("color too short", "INSERT INTO tags (user_id, name, color) VALUES (:u, 'a', '#FFF')", "ck_tags_color_hex"),
    ("blank tag name", "INSERT INTO tags (user_id, name) VALUES (:u, '')", "ck_tags_name_not_blank"),
    ("same tag name", "INSERT INTO tags (user_id, name) VALUES (:u, 'Work')", "tags_user_id_name_key"),
    ("tag name in other case", "INSERT INTO tags (user_id, name) VALUES (:u, 'wORK')", "idx_tags_name_ci"),
    ("same tag twice on a task", "INSERT INTO task_tags VALUES (:t, :g), (:t, :g)", "task_tags_pkey"),
    ("interval zero", PATTERN_INSERT.format(col="interval", val="0"), "ck_recurrence_interval"),
    ("day_of_week 7", PATTERN_INSERT.format(col="day_of_week", val="'{1,7}'"), "ck_recurrence_day_of_week"),
    ("day_of_week -1", PATTERN_INSERT.format(col="day_of_week", val="'{-1}'"), "ck_recurrence_day_of_week"),
    ("day_of_week empty", PATTERN_INSERT.format(col="day_of_week", val="'{}'"), "ck_recurrence_day_of_week"),
    ("day_of_week NULL item", PATTERN_INSERT.format(col="day_of_week", val="'{1,NULL}'"), "ck_recurrence_day_of_week"),
    ("day_of_month 0", PATTERN_INSERT.format(col="day_of_month", val="'{0}'"), "ck_recurrence_day_of_month"),
    ("day_of_month 32", PATTERN_INSERT.format(col="day_of_month", val="'{31,32}'"), "ck_recurrence_day_of_month"),
    ("month_of_year 13", PATTERN_INSERT.format(col="month_of_year", val="'{13}'"), "ck_recurrence_month_of_year"),
    ("month_of_year 0", PATTERN_INSERT.format(col="month_of_year", val="'{0}'"), "ck_recurrence_month_of_year"),
    ("end before start", PATTERN_INSERT.format(col="end_date", val="'2026-01-04'"), "ck_recurrence_end_after_start"),
    ("end equal to start", PATTERN_INSERT.format(col="end_date", val="'2026-01-05'"), "ck_recurrence_end_after_start"),
    ("count zero", PATTERN_INSERT.format(col="count", val="0"), "ck_recurrence_count"),
    ("negative lead time", PREFS_INSERT.format(col="reminder_lead_time", val="-1"), "ck_prefs_lead_time"),
    ("quiet start alone", PREFS_INSERT.format(col="quiet_hours_start", val="'22:00'"), "ck_prefs_quiet_hours_pair"),
    ("quiet end alone", PREFS_INSERT.format(col="quiet_hours_end", val="'07:00'"), "ck_prefs_quiet_hours_pair"),
    (
        "second preferences row",
        "INSERT INTO notification_preferences (user_id) VALUES (:u), (:u)",
        "notification_preferences_user_id_key",
    ),
    (
        "audit action outside the enum",
        "INSERT INTO audit_logs (user_id, entity_type, entity_id, action) VALUES (:u, 'task', :t, 'archived')",
        None,  # an enum input error (22P02) names no constraint
    ),
]


@pytest.mark.parametrize(("case", "sql", "constraint"), REJECTED, ids=[c[0] for c in REJECTED])
def test_rule_is_enforced_by_the_database(seeded: Connection, case: str, sql: str, constraint: str | None) -> None:
    with pytest.raises(exc.DBAPIError) as rejected, seeded.begin_nested():
        seeded.execute(text(sql), {"u": USER, "t": TASK, "g": TAG})

    error = db.server_error(rejected.value)
    assert error is not None
    if constraint is None:
        assert error.sqlstate == "22P02"
    else:
        assert error.is_integrity_violation
        assert error.constraint == constraint


ACCEPTED = [
    ("reminder before due", TASK_INSERT.format(col="reminder_at", val="NULL")),
    ("a valid timezone", "INSERT INTO users (timezone) VALUES ('America/New_York')"),
    ("lower-case hex color", "INSERT INTO tags (user_id, name, color) VALUES (:u, 'b', '#ff5733')"),
    ("same name for another user", "INSERT INTO tags (user_id, name) VALUES ((INSERT_OTHER_USER), 'Work')"),
    ("weekday bounds", PATTERN_INSERT.format(col="day_of_week", val="'{0,6}'")),
    ("month day bounds", PATTERN_INSERT.format(col="day_of_month", val="'{1,31}'")),
    (
        "quiet hours crossing midnight",
        PREFS_INSERT.format(col="quiet_hours_start, quiet_hours_end", val="'22:00', '07:00'"),
    ),
    ("zero lead time", PREFS_INSERT.format(col="reminder_lead_time", val="0")),
]


@pytest.mark.parametrize(("case", "sql"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_valid_rows_are_accepted(seeded: Connection, case: str, sql: str) -> None:
    if "INSERT_OTHER_USER" in sql:
        other = seeded.execute(text("INSERT INTO users DEFAULT VALUES RETURNING id")).scalar_one()
        sql = sql.replace("(INSERT_OTHER_USER)", f"'{other}'")
    assert seeded.execute(text(sql), {"u": USER}).rowcount == 1
