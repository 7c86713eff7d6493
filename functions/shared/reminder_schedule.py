"""The reminder schedule: claim due reminders in bounded batches and emit one ReminderDue each through the outbox."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from events import models
from events import types as t
from functions.shared import outbox
from functions.shared.queries import reminders

SOURCE = t.source("schedule-reminders")
BATCH = 500


@dataclass
class Scheduled:
    scheduled: int = 0
    batches: int = 0


def run(budget_seconds: float = 50.0) -> Scheduled:
    result = Scheduled()
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        with outbox.transaction(SOURCE) as tx:
            due = reminders.claim_due(tx.conn, BATCH)
            for row in due:
                event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"reminder|{row['id']}|{row['remind_at'].isoformat()}")
                if not reminders.record_claim(tx.conn, row["id"], row["remind_at"], event_id, row["user_id"]):
                    continue
                channels = models.NotificationChannels(
                    in_app=row["in_app_enabled"] is not False, email=row["email_enabled"] is not False
                )
                tx.emit(
                    models.ReminderDue(
                        event_id=event_id,
                        task_id=row["id"],
                        user_id=row["user_id"],
                        title=row["title"],
                        due_at=row["due_date"],
                        remind_at=row["remind_at"],
                        notification_preferences=channels,
                        timestamp=row["remind_at"],
                    )  # fmt: skip
                )
                result.scheduled += 1
        result.batches += 1
        if len(due) < BATCH:
            break
    return result
