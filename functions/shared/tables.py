"""SQLAlchemy Core Table objects mirroring sql/ (the migrations own the schema; nothing here creates it)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, JSONB, TSVECTOR

metadata = MetaData()

TIMESTAMPTZ = DateTime(timezone=True)
DB_DEFAULT = FetchedValue()  # ids come from gen_random_uuid() / an identity column in sql/

TASK_STATUSES = ("pending", "in_progress", "completed")
PRIORITIES = ("none", "low", "medium", "high")
FREQUENCIES = ("daily", "weekly", "monthly", "yearly", "custom")
RECURRENCE_STATUSES = ("active", "completed", "cancelled")
AUDIT_ACTIONS = ("created", "updated", "deleted", "completed")

recurrence_frequency = ENUM(*FREQUENCIES, name="recurrence_frequency", create_type=False)
recurrence_status = ENUM(*RECURRENCE_STATUSES, name="recurrence_status", create_type=False)
audit_action = ENUM(*AUDIT_ACTIONS, name="audit_action", create_type=False)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("email", String(320)),
    Column("display_name", String(255)),
    Column("timezone", Text, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    Column("updated_at", TIMESTAMPTZ, nullable=False),
)

recurrence_patterns = Table(
    "recurrence_patterns",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("frequency", recurrence_frequency, nullable=False),
    Column("interval", Integer, nullable=False),
    Column("day_of_week", ARRAY(Integer)),
    Column("day_of_month", ARRAY(Integer)),
    Column("month_of_year", ARRAY(Integer)),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("count", Integer),
    Column("status", recurrence_status, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("description", Text),
    Column("status", String(20), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("due_date", TIMESTAMPTZ),
    Column("reminder_at", TIMESTAMPTZ),
    Column("recurrence_id", Uuid, ForeignKey("recurrence_patterns.id")),
    Column("parent_task_id", Uuid, ForeignKey("tasks.id", ondelete="SET NULL")),
    Column("search_vector", TSVECTOR),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    Column("updated_at", TIMESTAMPTZ, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(50), nullable=False),
    Column("color", String(7)),
    Column("created_at", TIMESTAMPTZ, nullable=False),
)

task_tags = Table(
    "task_tags",
    metadata,
    Column("task_id", Uuid, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Uuid, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

audit_logs = Table(
    "audit_logs",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("user_id", Uuid, nullable=False),
    Column("entity_type", String(50), nullable=False),
    Column("entity_id", Uuid, nullable=False),
    Column("action", audit_action, nullable=False),
    Column("old_data", JSONB),
    Column("new_data", JSONB),
    Column("timestamp", TIMESTAMPTZ, nullable=False),
    Column("correlation_id", Uuid),
)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("in_app_enabled", Boolean, nullable=False),
    Column("email_enabled", Boolean, nullable=False),
    Column("reminder_lead_time", Integer, nullable=False),
    Column("quiet_hours_start", Time),
    Column("quiet_hours_end", Time),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    Column("updated_at", TIMESTAMPTZ, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True, server_default=DB_DEFAULT),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("partition_key", Text, nullable=False),
    Column("ce_type", Text, nullable=False),
    Column("ce_source", Text, nullable=False),
    Column("ce_subject", Text),
    Column("ce_time", TIMESTAMPTZ, nullable=False),
    Column("extensions", JSONB, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("next_attempt_at", TIMESTAMPTZ, nullable=False),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    Column("published_at", TIMESTAMPTZ),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("processed_at", TIMESTAMPTZ, nullable=False),
)

reminder_deliveries = Table(
    "reminder_deliveries",
    metadata,
    Column("task_id", Uuid, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("remind_at", TIMESTAMPTZ, primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("claimed_at", TIMESTAMPTZ, nullable=False),
    Column("email_status", Text, nullable=False),
    Column("email_message_id", Text),
    Column("email_error", Text),
    Column("in_app_status", Text, nullable=False),
    Column("deferred_until", TIMESTAMPTZ),
    Column("updated_at", TIMESTAMPTZ, nullable=False),
    Column("email_attempted_at", TIMESTAMPTZ),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True, server_default=DB_DEFAULT),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("task_id", Uuid, ForeignKey("tasks.id", ondelete="SET NULL")),
    Column("kind", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("source_event_id", Uuid, unique=True),
    Column("created_at", TIMESTAMPTZ, nullable=False),
    Column("read_at", TIMESTAMPTZ),
)
