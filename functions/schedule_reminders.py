"""schedule-reminders: every minute (PingSource), claim the open tasks whose reminder time has come (reminder_at,
else due_date minus the user's lead time) and emit one `dev.taskfn.reminder.due` per task and remind time through
the outbox, with an id derived from both. Concurrent runs never claim the same reminder (SKIP LOCKED + a delivery row
per task and time); a backlog drains oldest first in bounded batches. Answers 200 with `{"scheduled", "batches"}`."""

from __future__ import annotations

import flask
import functions_framework

from functions.shared import reminder_schedule, runtime

runtime.configure_logging()


@functions_framework.http
def handle(request: flask.Request) -> tuple[dict[str, int], int] | tuple[str, int]:
    """Schedule every reminder whose time has come (GET/POST; other methods 405)."""
    return runtime.scheduled(request, reminder_schedule.run, "schedule-reminders scheduled")
