"""The reminder schedule: claim due reminders in bounded batches and emit one ReminderDue each through the outbox."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from events import models
from events import types as t
from functions.shared import outbox, runtime
from functions.shared.queries import reminders

SOURCE = t.source("schedule-reminders")
BATCH = 500


@dataclass
class Scheduled:
    scheduled: int = 0
    batches: int = 0
    deferred_reemitted: int = 0


def _emit(tx: outbox.Transaction, row: Mapping[Any, Any], event_id: uuid.UUID) -> None:
    channels = models.NotificationChannels(
        in_app=row["in_app_enabled"] is not False, email=row["email_enabled"] is not False
    )
    tx.emit(
        models.ReminderDue(
            event_id=event_id,
            task_id=row["task_id"],
            user_id=row["user_id"],
            title=row["title"],
            due_at=row["due_date"],
            remind_at=row["remind_at"],
            notification_preferences=channels,
            timestamp=row["remind_at"],
        )
    )


def run(budget_seconds: float = 50.0) -> Scheduled:
    """Emit every reminder whose time has come, then every delivery whose quiet-hours deferral has ended, in
    bounded batches (one transaction each) until none is left or the budget is spent."""
    result = Scheduled()
    deadline = time.monotonic() + budget_seconds

    def due() -> int:
        with outbox.transaction(SOURCE) as tx:
            rows = reminders.claim_due(tx.conn, BATCH)
            for row in rows:
                event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"reminder|{row['id']}|{row['remind_at'].isoformat()}")
                if reminders.record_claim(tx.conn, row["id"], row["remind_at"], event_id, row["user_id"]):
                    _emit(tx, {**row, "task_id": row["id"]}, event_id)
                    result.scheduled += 1
        return len(rows)

    def deferred() -> int:
        with outbox.transaction(SOURCE) as tx:
            rows = reminders.claim_deferred(tx.conn, BATCH)
            for row in rows:
                # a new id per deferral: it is a new delivery attempt of the same reminder (same delivery row)
                key = f"reminder|{row['task_id']}|{row['remind_at'].isoformat()}"
                _emit(tx, row, uuid.uuid5(uuid.NAMESPACE_URL, f"{key}|after|{row['deferred_until'].isoformat()}"))
        result.deferred_reemitted += len(rows)
        return len(rows)

    result.batches = runtime.drain(due, BATCH, deadline) + runtime.drain(deferred, BATCH, deadline)
    return result
