"""send-reminder: deliver a `dev.taskfn.reminder.due` (reminders, KafkaSource) by the user's current preferences: an
in-app notification (a `notifications` row and `dev.taskfn.notification.created` on task-updates) and an e-mail
through SES from SES_SENDER to the user's address, text and HTML, naming the task and its due time in the user's
timezone. Inside the user's quiet hours nothing is delivered: the delivery is deferred to the window's end and
schedule-reminders emits it again then. The delivery row (one per task and remind time) makes a redelivered reminder
change nothing; see functions/shared/reminder_delivery.py for the states.

Answers: 200 when delivered, deferred, skipped, or SES rejected the e-mail for good (recorded as failed); 400 for an
event that is not a valid reminder (dead-lettered); 503 when SES is throttling, failing or unreachable, or another
delivery of the same reminder is mid-call (retried by the KafkaSource's delivery spec)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import flask
import functions_framework
from cloudevents.http import CloudEvent

from events import models
from events import types as t
from functions.shared import consumer, deps, outbox, reminder_delivery, runtime
from functions.shared.config import settings
from functions.shared.mailer import Mail, MailRejected, MailUnavailable
from functions.shared.outbox import Transaction
from functions.shared.queries import notifications, reminders
from functions.shared.reminder_delivery import Message, Plan, State
from functions.shared.rest import as_correlation_id

FUNCTION = "send-reminder"
SOURCE = t.source(FUNCTION)
logger = logging.getLogger(FUNCTION)
runtime.configure_logging()


def _state(row: Any) -> State:
    return State(
        remind_at=row["remind_at"],
        current_remind_at=row["current_remind_at"],
        task_status=row["task_status"],
        title=row["title"],
        due_at=row["due_date"],
        address=row["email"],
        timezone=row["timezone"],
        email_enabled=row["email_enabled"],
        in_app_enabled=row["in_app_enabled"],
        quiet_start=row["quiet_hours_start"],
        quiet_end=row["quiet_hours_end"],
        email_status=row["email_status"],
        email_attempted_at=row["email_attempted_at"],
        in_app_status=row["in_app_status"],
    )


def _notify(tx: Transaction, reminder: models.ReminderDue, delivery_id: uuid.UUID, message: Message) -> None:
    """The in-app notification and its event; ids derive from the delivery, so there is one per reminder."""
    row = notifications.insert_notification(
        tx.conn,
        notification_id=uuid.uuid5(uuid.NAMESPACE_URL, f"notification|{delivery_id}"),
        user_id=reminder.user_id,
        task_id=reminder.task_id,
        title=message.headline,
        body=message.line,
        source_event_id=delivery_id,
    )
    if row is None:
        return
    changes = {"notification_id": str(row["id"]), "kind": row["kind"], "title": row["title"], "body": row["body"]}
    tx.emit(
        models.NotificationCreated(
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"notification-created|{delivery_id}"),
            task_id=reminder.task_id,
            user_id=reminder.user_id,
            changes=changes,
            timestamp=row["created_at"],
        )
    )


def _apply(reminder: models.ReminderDue, ce: CloudEvent, now: datetime) -> tuple[Plan, Mail | None]:
    """Decide and record, in one short transaction, everything but the SES call; the e-mail to send, if any."""
    correlation = as_correlation_id(str(ce.get(t.CORRELATION_ID) or ce["id"]))
    with outbox.transaction(SOURCE, correlation) as tx:
        reminders.ensure_delivery(tx.conn, reminder.task_id, reminder.remind_at, reminder.event_id)
        row = reminders.lock_delivery(tx.conn, reminder.task_id, reminder.remind_at)
        if row is None:
            return Plan(), None  # the task was deleted: nothing to remind of
        state = _state(row)
        decision = reminder_delivery.plan(state, now)
        if decision.defer_until is not None:
            reminders.update_delivery(
                tx.conn, reminder.task_id, reminder.remind_at, deferred_until=decision.defer_until
            )
            return decision, None
        message = reminder_delivery.compose(state.title, state.due_at, reminder_delivery.zone_of(state.timezone))
        values: dict[str, Any] = {}
        if decision.in_app is not None:
            values["in_app_status"] = decision.in_app
            if decision.in_app == "sent":
                _notify(tx, reminder, row["event_id"], message)
        if decision.email == "send":
            sender = settings().require("ses_sender")  # unset: fail (500, retried) before anything is recorded
            values.update(email_status="sending", email_attempted_at=now, email_error=None)
        elif decision.email in ("skipped", "failed"):
            values.update(email_status=decision.email, email_error=decision.reason)
        if values:
            reminders.update_delivery(tx.conn, reminder.task_id, reminder.remind_at, **values)
    if decision.email != "send":
        return decision, None
    return decision, Mail(sender, str(state.address), message.subject, message.text, message.html)


def _send(reminder: models.ReminderDue, mail: Mail) -> flask.Response | None:
    """Hand the e-mail to SES and record the outcome; the 503 to answer when it should be tried again."""
    key = (reminder.task_id, reminder.remind_at)
    try:
        message_id = deps.get().mailer.send(mail)
    except MailRejected as e:
        with outbox.transaction(SOURCE) as tx:
            reminders.finish_email(tx.conn, *key, email_status="failed", email_error=str(e))
        logger.warning("SES rejected the reminder e-mail: %s", e, extra={"task_id": reminder.task_id})
        return None
    except MailUnavailable as e:
        if not e.maybe_sent:  # it never reached SES: the next delivery sends it
            with outbox.transaction(SOURCE) as tx:
                reminders.finish_email(tx.conn, *key, email_status="pending", email_error=str(e))
        return _retry(f"SES unavailable: {e}")
    with outbox.transaction(SOURCE) as tx:
        reminders.finish_email(tx.conn, *key, email_status="sent", email_message_id=message_id, email_error=None)
    return None


def _retry(reason: str) -> flask.Response:
    logger.warning("reminder not delivered yet: %s", reason, extra={"status": 503})
    return flask.Response(json.dumps({"error": reason}), status=503, mimetype="application/json")


@functions_framework.http
def handle(request: flask.Request) -> flask.Response:
    """Deliver one reminder (see the module docstring for the answers)."""
    accepted = consumer.accept(request, {t.REMINDER_DUE})
    if isinstance(accepted, flask.Response):
        return accepted
    ce, payload = accepted
    assert isinstance(payload, models.ReminderDue)
    log = {"ce_id": ce["id"], "ce_type": ce["type"], "task_id": payload.task_id, "user_id": payload.user_id}
    decision, mail = _apply(payload, ce, datetime.now(UTC))
    if decision.defer_until is not None:
        logger.info("quiet hours: reminder deferred to %s", decision.defer_until.isoformat(), extra=log)
    elif decision.email == "wait":
        return _retry("another delivery of this reminder is sending its e-mail")
    elif mail is not None:
        answer = _send(payload, mail)
        if answer is not None:
            return answer
    logger.info("reminder handled: in-app %s, e-mail %s", decision.in_app, decision.email, extra=log)
    return flask.Response("", status=200)
