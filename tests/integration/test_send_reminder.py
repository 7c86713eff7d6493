"""send-reminder on a real PostgreSQL and a local SES endpoint (moto's server): the reminders schedule-reminders emits
are delivered as e-mail and in-app notifications by the user's preferences, deferred through quiet hours, and never
twice; SES outages are retried and rejections recorded."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import urllib3
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from functions.shared import deps
from functions.shared.config import Settings, settings
from functions.shared.mailer import SesMailer
from infra.local.kafka_broker import free_port
from tests.support import api
from tests.support.sink_server import Received, SinkServer

SENDER = "reminders@taskfn.test"


@pytest.fixture(scope="module")
def ses_endpoint() -> Iterator[str]:
    """moto's server as the local SES endpoint, with SENDER verified."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    ses = boto3.client(
        "sesv2", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s"
    )
    ses.create_email_identity(EmailIdentity=SENDER)
    yield endpoint
    server.stop()


@pytest.fixture(autouse=True)
def wired(event_sink: SinkServer, ses_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Events go to the test sink; e-mail goes to the local SES endpoint from SENDER."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("SES_SENDER", SENDER)
    settings.cache_clear()
    _mail_through(ses_endpoint)
    yield
    settings.cache_clear()


def _mail_through(endpoint: str) -> None:
    mailer = SesMailer(Settings(aws_endpoint_url=endpoint, aws_region="us-east-1"))
    deps.override(dataclasses.replace(deps.get(), mailer=mailer))  # event_sink restores what was there before


def _user(engine: Engine, *, email: str | None = "auto", zone: str = "UTC", **prefs: Any) -> tuple[uuid.UUID, str]:
    address = f"u-{uuid.uuid4().hex[:10]}@example.com" if email == "auto" else email
    with engine.begin() as conn:
        user = conn.execute(text("INSERT INTO users (email, timezone) VALUES (:e, :z) RETURNING id"),
                            {"e": address, "z": zone}).scalar_one()  # fmt: skip
        if prefs:
            columns, values = ", ".join(prefs), ", ".join(f":{c}" for c in prefs)
            statement = f"INSERT INTO notification_preferences (user_id, {columns}) VALUES (:user_id, {values})"
            conn.execute(text(statement), {"user_id": user, **prefs})
    return uuid.UUID(str(user)), str(address)


def _task(engine: Engine, user: uuid.UUID, title: str, due: datetime | None = None) -> uuid.UUID:
    with engine.begin() as conn:
        task = conn.execute(
            text("INSERT INTO tasks (user_id, title, reminder_at, due_date) "
                 "VALUES (:u, :t, now() - interval '1 minute', :d) RETURNING id"),
            {"u": user, "t": title, "d": due},
        ).scalar_one()  # fmt: skip
    return uuid.UUID(str(task))


def _schedule(sink: SinkServer, *users: uuid.UUID) -> list[Received]:
    """Run schedule-reminders; the reminder events it published since the last call for these users (other tests'
    tasks share the database)."""
    seen = len([r for r in sink.received if r.path == "/reminders"])
    ping = {"ce-type": "dev.knative.sources.ping"}
    assert api.client("schedule_reminders").post("/", headers=ping).status_code == 200
    new = [r for r in sink.received if r.path == "/reminders"][seen:]
    return [r for r in new if json.loads(r.body)["user_id"] in {str(u) for u in users}]


def _deliver(reminder: Received) -> TestResponse:
    """POST the reminder to send-reminder exactly as the KafkaSource dispatcher would (binary mode)."""
    return api.client("send_reminder").post("/", headers=reminder.headers, data=reminder.body)


def _inbox(endpoint: str, address: str) -> list[dict[str, Any]]:
    """The messages the local SES endpoint accepted for `address`."""
    models = json.loads(urllib3.request("GET", f"{endpoint}/moto-api/data.json").data)
    return [m for m in models["ses"]["Message"] if address in m["destinations"].get("ToAddresses", [])]


def _delivery(engine: Engine, task: uuid.UUID) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM reminder_deliveries WHERE task_id = :t"), {"t": task}).mappings().one()
    return dict(row)


def _notifications(engine: Engine, user: uuid.UUID) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM notifications WHERE user_id = :u"), {"u": user}).mappings()
        return [dict(r) for r in rows]


def test_a_due_reminder_is_emailed_and_notified_in_app_once(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str
) -> None:
    user, address = _user(engine, zone="Europe/Berlin")
    task = _task(engine, user, "Renew passport", due=datetime(2027, 7, 1, 7, 30, tzinfo=UTC))
    [reminder] = _schedule(event_sink, user)

    answers = [_deliver(reminder).status_code for _ in range(3)]  # at-least-once delivery: duplicates are normal

    assert answers == [200, 200, 200]
    [mail] = _inbox(ses_endpoint, address)
    assert mail["source"] == SENDER
    assert mail["subject"] == "Reminder: Renew passport"
    assert "Renew passport</strong> is due Thursday 1 July 2027 at 09:30 (CEST)" in mail["body"]  # Berlin time
    [note] = _notifications(engine, user)
    assert (note["task_id"], note["kind"], note["title"]) == (task, "reminder", "Reminder: Renew passport")
    assert note["read_at"] is None
    delivery = _delivery(engine, task)
    assert (delivery["email_status"], delivery["in_app_status"]) == ("sent", "sent")
    assert delivery["email_message_id"] == mail["id"]
    [created] = [json.loads(r.body) for r in event_sink.received if r.path == "/task-updates"]
    assert created["event_type"] == "notification"
    assert created["changes"]["notification_id"] == str(note["id"])
    assert (created["user_id"], created["task_id"]) == (str(user), str(task))


def test_preferences_choose_the_channels(engine: Engine, event_sink: SinkServer, ses_endpoint: str) -> None:
    mail_only, mail_address = _user(engine, in_app_enabled=False)
    app_only, app_address = _user(engine, email_enabled=False)
    no_address, _ = _user(engine, email=None)
    tasks = {_task(engine, u, f"task of {i}"): u for i, u in enumerate((mail_only, app_only, no_address))}

    assert [_deliver(r).status_code for r in _schedule(event_sink, *tasks.values())] == [200, 200, 200]

    assert len(_inbox(ses_endpoint, mail_address)) == 1 and _notifications(engine, mail_only) == []
    assert _inbox(ses_endpoint, app_address) == [] and len(_notifications(engine, app_only)) == 1
    assert len(_notifications(engine, no_address)) == 1
    states = {tasks[t]: (d["email_status"], d["in_app_status"], d["email_error"])
              for t in tasks for d in [_delivery(engine, t)]}  # fmt: skip
    assert states == {
        mail_only: ("sent", "skipped", None),
        app_only: ("skipped", "sent", "e-mail reminders are off"),
        no_address: ("skipped", "sent", "the user has no e-mail address"),
    }


def test_quiet_hours_defer_delivery_to_the_end_of_the_window(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str
) -> None:
    zone = "Asia/Tokyo"
    local_now = datetime.now(ZoneInfo(zone))
    # a quiet window that started an hour ago and ends in three seconds, Tokyo time (TIME columns keep seconds)
    start, end = (local_now - timedelta(hours=1)).time(), (local_now + timedelta(seconds=3)).time()
    user, address = _user(engine, zone=zone, quiet_hours_start=start, quiet_hours_end=end)
    task = _task(engine, user, "Water the plants")
    [reminder] = _schedule(event_sink, user)

    assert _deliver(reminder).status_code == 200

    deferred = _delivery(engine, task)
    assert _inbox(ses_endpoint, address) == [] and _notifications(engine, user) == []
    assert (deferred["email_status"], deferred["in_app_status"]) == ("pending", "pending")
    assert deferred["deferred_until"].astimezone(UTC).replace(microsecond=0) == (
        local_now + timedelta(seconds=3)
    ).astimezone(UTC).replace(microsecond=0)
    assert _schedule(event_sink, user) == []  # the window has not ended: nothing is emitted again yet

    time.sleep(max((deferred["deferred_until"] - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    [again] = _schedule(event_sink, user)
    assert _deliver(again).status_code == 200

    assert again.headers["ce-id"] != reminder.headers["ce-id"]  # a new attempt of the same reminder
    assert len(_inbox(ses_endpoint, address)) == 1 and len(_notifications(engine, user)) == 1
    assert _delivery(engine, task)["deferred_until"] is None
    assert _schedule(event_sink, user) == []


def test_ses_throttling_is_retried_and_sends_once_ses_recovers(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str
) -> None:
    user, address = _user(engine)
    task = _task(engine, user, "Call the bank")
    [reminder] = _schedule(event_sink, user)
    throttled = (429, b'{"message": "Maximum sending rate exceeded."}')
    with SinkServer(answer=lambda _: throttled) as throttling_ses:
        _mail_through(throttling_ses.url)
        first = _deliver(reminder)
        assert len(throttling_ses.wait_for(1, accepted_only=False)) == 1

    assert first.status_code == 503 and "Maximum sending rate exceeded" in first.get_json()["error"]
    assert _delivery(engine, task)["email_status"] == "pending"
    assert len(_notifications(engine, user)) == 1  # in-app went out regardless

    _mail_through(ses_endpoint)
    assert _deliver(reminder).status_code == 200  # the KafkaSource's retry
    assert len(_inbox(ses_endpoint, address)) == 1 and len(_notifications(engine, user)) == 1
    assert _delivery(engine, task)["email_status"] == "sent"


def test_ses_out_of_reach_is_retried(engine: Engine, event_sink: SinkServer) -> None:
    user, _ = _user(engine)
    task = _task(engine, user, "Book flights")
    [reminder] = _schedule(event_sink, user)
    _mail_through(f"http://127.0.0.1:{free_port()}")  # nothing listens there

    answer = _deliver(reminder)

    assert answer.status_code == 503 and "SES unreachable" in answer.get_json()["error"]
    assert _delivery(engine, task)["email_status"] == "pending"


def test_a_permanent_rejection_is_recorded_as_failed_and_acknowledged(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SES_SENDER", "unverified@elsewhere.test")
    settings.cache_clear()
    user, address = _user(engine)
    task = _task(engine, user, "Pay taxes")
    [reminder] = _schedule(event_sink, user)

    assert [_deliver(reminder).status_code for _ in range(2)] == [200, 200]

    delivery = _delivery(engine, task)
    assert delivery["email_status"] == "failed"
    assert "MessageRejected" in delivery["email_error"] and "not verified" in delivery["email_error"]
    assert _inbox(ses_endpoint, address) == []
    assert len(_notifications(engine, user)) == 1


def test_a_sender_that_stopped_mid_call_is_waited_for_then_not_repeated(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str
) -> None:
    user, address = _user(engine)
    task = _task(engine, user, "Feed the cat")
    [reminder] = _schedule(event_sink, user)
    with engine.begin() as conn:  # as a delivery that committed 'sending' and died before SES answered
        conn.execute(text("UPDATE reminder_deliveries SET email_status = 'sending', email_attempted_at = now(), "
                          "in_app_status = 'sent' WHERE task_id = :t"), {"t": task})  # fmt: skip

    assert _deliver(reminder).status_code == 503  # it may still be mid-call: try later
    with engine.begin() as conn:
        conn.execute(text("UPDATE reminder_deliveries SET email_attempted_at = now() - interval '1 minute' "
                          "WHERE task_id = :t"), {"t": task})  # fmt: skip
    assert _deliver(reminder).status_code == 200

    delivery = _delivery(engine, task)
    assert delivery["email_status"] == "failed" and delivery["email_error"].startswith("outcome unknown")
    assert _inbox(ses_endpoint, address) == []  # never a second e-mail, at the price of maybe none


def test_a_reminder_for_a_task_completed_or_deleted_meanwhile_sends_nothing(
    engine: Engine, event_sink: SinkServer, ses_endpoint: str
) -> None:
    user, address = _user(engine)
    done, gone = _task(engine, user, "done since"), _task(engine, user, "deleted since")
    reminders = _schedule(event_sink, user)
    with engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET status = 'completed' WHERE id = :t"), {"t": done})
        conn.execute(text("DELETE FROM tasks WHERE id = :t"), {"t": gone})

    assert [_deliver(r).status_code for r in reminders] == [200, 200]

    assert _inbox(ses_endpoint, address) == [] and _notifications(engine, user) == []
    assert (_delivery(engine, done)["email_status"], _delivery(engine, done)["in_app_status"]) == ("skipped", "skipped")


def test_a_reminder_that_is_not_one_is_rejected_with_the_reason(engine: Engine) -> None:
    headers = {"ce-specversion": "1.0", "ce-id": str(uuid.uuid4()), "ce-source": "/x", "ce-type":
               "dev.taskfn.reminder.due", "content-type": "application/json"}  # fmt: skip

    answer = api.client("send_reminder").post("/", headers=headers, data=json.dumps({"task_id": "nope"}))

    assert answer.status_code == 400
    fields = {tuple(d["loc"]) for d in answer.get_json()["details"]}
    assert {("data", "task_id"), ("data", "remind_at")} <= fields
