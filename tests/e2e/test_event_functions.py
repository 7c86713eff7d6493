"""The event-driven functions on the assembled local system: reminders reach the local SES endpoint and the in-app
list through Kafka, quiet hours defer them, a poison event is dead-lettered without stopping its partition, and
every consumer fed every event twice leaves the database as it was."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3
from confluent_kafka import Consumer, Producer, TopicPartition
from sqlalchemy import Engine, create_engine, text

from events import envelope, models
from events import types as t
from functions.shared import db
from infra.local.manifests import load, of_kind
from infra.local.system import MANIFESTS, LocalSystem, dev_token
from tests.support.recurrence_cases import CASES, LATE
from tests.support.waiting import lag, wait_for


@pytest.fixture(scope="module")
def database(system: LocalSystem) -> Iterator[Engine]:
    engine = create_engine(db.sqlalchemy_url(dict(system.rows)["PostgreSQL"]))
    yield engine
    engine.dispose()


class Client:
    """A user of the public API through the gateway."""

    def __init__(self, system: LocalSystem) -> None:
        rows = dict(system.rows)
        self.gateway = rows["Gateway (public REST)"]
        self.id = uuid.uuid4()
        self.auth = {"Authorization": f"Bearer {dev_token(system.jwt_secret, str(self.id))}"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {**self.auth, "Content-Type": "application/json"}
        answer = urllib3.request(method, f"{self.gateway}{path}", headers=headers,
                                 body=None if body is None else json.dumps(body), timeout=30)  # fmt: skip
        assert answer.status < 300, (answer.status, answer.data)
        return json.loads(answer.data) if answer.data else None


def _tick(system: LocalSystem, function: str) -> dict[str, Any]:
    """What a PingSource tick does, without waiting for the minute."""
    url = dict(system.rows)[f"function {function}"]
    reply = urllib3.request("POST", url, headers={"ce-type": "dev.knative.sources.ping", "ce-id": str(uuid.uuid4())})
    assert reply.status == 200
    return dict(json.loads(reply.data))


def _mails(system: LocalSystem, subject: str) -> list[dict[str, Any]]:
    """The e-mails the local SES endpoint accepted with this subject."""
    endpoint = dict(system.rows)["AWS endpoint (SES, S3)"]
    models_ = json.loads(urllib3.request("GET", f"{endpoint}/moto-api/data.json", timeout=10).data)
    return [m for m in models_.get("ses", {}).get("Message", []) if m["subject"] == subject]


def _task_with_reminder(user: Client, title: str) -> dict[str, Any]:
    due, remind = datetime.now(UTC) + timedelta(hours=3), datetime.now(UTC) + timedelta(seconds=1)
    task = user.call("POST", "/tasks", {"title": title, "due_date": due.isoformat(), "reminder_at": remind.isoformat()})
    time.sleep(1.1)  # the reminder time has come
    return dict(task)


def test_a_due_reminder_is_emailed_and_listed_in_app(system: LocalSystem) -> None:
    user = Client(system)
    task = _task_with_reminder(user, f"Dentist {uuid.uuid4().hex[:6]}")

    _tick(system, "schedule-reminders")  # (its PingSource may have been first: either way the reminder is emitted)

    subject = f"Reminder: {task['title']}"
    assert wait_for(lambda: len(_mails(system, subject)) == 1), "the e-mail never reached the local SES endpoint"
    [mail] = _mails(system, subject)
    assert mail["destinations"]["ToAddresses"] == ["dev@taskfn.local"] and mail["source"] == "reminders@taskfn.local"
    [note] = user.call("GET", "/notifications")["items"]
    assert (note["title"], note["task_id"], note["read_at"]) == (subject, task["id"], None)


QUIET = 10  # seconds of quiet window left: time enough for the reminder to reach send-reminder inside it


def test_quiet_hours_defer_a_reminder_until_the_window_ends(system: LocalSystem, database: Engine) -> None:
    user = Client(system)
    now = datetime.now(UTC)
    window = {"quiet_hours_start": (now - timedelta(hours=1)).strftime("%H:%M:%S"),
              "quiet_hours_end": (now + timedelta(seconds=QUIET)).strftime("%H:%M:%S"), "timezone": "UTC"}  # fmt: skip
    user.call("PUT", "/preferences", window)
    task = _task_with_reminder(user, f"Quiet {uuid.uuid4().hex[:6]}")
    subject = f"Reminder: {task['title']}"

    _tick(system, "schedule-reminders")

    def deferred() -> bool:
        with database.connect() as conn:
            until = conn.scalar(text("SELECT deferred_until FROM reminder_deliveries WHERE task_id = :t"),
                                {"t": task["id"]})  # fmt: skip
        return until is not None

    assert wait_for(deferred), "send-reminder never deferred the reminder"
    assert _mails(system, subject) == [] and user.call("GET", "/notifications")["items"] == []

    time.sleep(max((now + timedelta(seconds=QUIET) - datetime.now(UTC)).total_seconds(), 0) + 0.5)
    _tick(system, "schedule-reminders")  # re-emits the deferred reminder (unless its PingSource just did)

    assert wait_for(lambda: len(_mails(system, subject)) == 1), "the deferred reminder was never delivered"
    assert len(user.call("GET", "/notifications")["items"]) == 1


def _dead_letters(bootstrap: str, event_id: str, timeout: float = 30.0) -> dict[str, str] | None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"e2e-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})  # fmt: skip
    consumer.subscribe([t.DEAD_LETTERS])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                headers = {k: v.decode() for k, v in message.headers() or []}
                if headers.get("ce_id") == event_id:
                    return headers
        return None
    finally:
        consumer.close()


def test_a_poison_event_is_dead_lettered_with_the_reason_and_the_next_one_is_processed(
    system: LocalSystem, database: Engine
) -> None:
    rows = dict(system.rows)
    ingress = f"{rows['KafkaSink ingress']}/taskfn/{t.TASK_EVENTS}"
    task_id = uuid.uuid4()
    poison = {"ce-specversion": "1.0", "ce-id": str(uuid.uuid4()), "ce-source": "/elsewhere", "ce-type": t.TASK_CREATED,
              "ce-partitionkey": str(task_id), "content-type": "application/json"}  # fmt: skip
    assert urllib3.request("POST", ingress, headers=poison, body=b'{"task_id": "not a uuid"}').status == 202
    data = models.TaskData(title="after the poison", description=None, status="pending", priority="none",
                           due_date=None, tags=[])  # fmt: skip
    good = models.TaskCreated(event_id=uuid.uuid4(), task_id=task_id, user_id=uuid.uuid4(), task_data=data,
                              timestamp=datetime.now(UTC), correlation_id=uuid.uuid4())  # fmt: skip
    headers, body = envelope.to_http(envelope.to_cloudevent(good, source=t.source("create-task")))
    assert urllib3.request("POST", ingress, headers=headers, body=body).status == 202

    dead = _dead_letters(rows["Kafka"], poison["ce-id"])

    assert dead is not None, "the poison event never reached dead-letters"
    assert dead["ce_knativeerrorcode"] == "400"
    reason = json.loads(base64.b64decode(dead["ce_knativeerrordata"]))
    assert reason["error"] == "invalid event data"
    assert {tuple(d["loc"]) for d in reason["details"]} >= {("data", "task_id"), ("data", "event_id")}

    def audited() -> bool:
        with database.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM audit_logs WHERE entity_id = :t"), {"t": task_id}) == 1

    assert wait_for(audited), "the event after the poison was never processed"


def _next_instances(user: Client, first: dict[str, Any]) -> list[str]:
    listing = user.call("GET", "/tasks?recurring=true&limit=200")["items"]
    return [task["due_date"] for task in listing if task["parent_task_id"] == first["id"]]


def _series_through_kafka(system: LocalSystem, zone: str, due: str, recurrence: dict[str, Any]) -> tuple[Client, Any]:
    user = Client(system)
    user.call("PUT", "/preferences", {"timezone": zone})
    first = user.call("POST", "/tasks", {"title": "Series", "due_date": due, "recurrence": recurrence})
    user.call("POST", f"/tasks/{first['id']}/complete")  # task.completed -> task-events -> expand-recurrence
    return user, first


ON_TIME = [c for c in CASES if c[0] != LATE]


@pytest.mark.parametrize(("case", "zone", "due", "recurrence", "expected"),
                         [(c[0], c[1], c[2], c[3], c[5]) for c in ON_TIME], ids=[c[0] for c in ON_TIME])  # fmt: skip
def test_completing_a_recurring_task_creates_its_next_instance_through_kafka(
    system: LocalSystem, case: str, zone: str, due: str, recurrence: dict[str, Any], expected: str
) -> None:
    user, first = _series_through_kafka(system, zone, due, recurrence)

    expected_utc = datetime.fromisoformat(expected).astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert wait_for(lambda: _next_instances(user, first) == [expected_utc]), _next_instances(user, first)


def test_a_recurring_task_completed_late_skips_the_missed_occurrences_through_kafka(system: LocalSystem) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=4)
    user, first = _series_through_kafka(system, "UTC", f"{start.isoformat()}T09:00:00Z",
                                        {"frequency": "daily", "start_date": start.isoformat()})  # fmt: skip

    expected = f"{(today + timedelta(days=1)).isoformat()}T09:00:00Z"  # the first day after today, never a past one
    assert wait_for(lambda: _next_instances(user, first) == [expected]), _next_instances(user, first)


@pytest.mark.parametrize("end", [{"count": 2}, {"end_date": "2027-01-02"}])
def test_an_exhausted_series_creates_nothing_and_completes_its_pattern_through_kafka(
    system: LocalSystem, database: Engine, end: dict[str, Any]
) -> None:
    user, last = _series_through_kafka(system, "UTC", "2027-01-02T09:00:00Z",
                                       {"frequency": "daily", "start_date": "2027-01-01", **end})  # fmt: skip

    def pattern_completed() -> bool:
        with database.connect() as conn:
            status = conn.scalar(text("SELECT status FROM recurrence_patterns WHERE id = :r"),
                                 {"r": last["recurrence"]["id"]})  # fmt: skip
        return str(status) == "completed"

    assert wait_for(pattern_completed), "the exhausted pattern was never completed"
    assert _next_instances(user, last) == []


TABLES = {  # what consumers write, in a stable order
    "tasks": "id", "task_tags": "task_id, tag_id", "tags": "id", "recurrence_patterns": "id", "audit_logs": "id",
    "notifications": "id", "reminder_deliveries": "task_id, remind_at", "processed_events": "consumer, event_id",
}  # fmt: skip


def _snapshot(database: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with database.connect() as conn:
        state = {name: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY {order}"))]
                 for name, order in TABLES.items()}  # fmt: skip
        state["outbox"] = [tuple(r) for r in conn.execute(text("SELECT id FROM outbox ORDER BY id"))]
    return state


def _consumers() -> list[tuple[str, str]]:
    """(consumer group, topic) of every KafkaSource in the manifests."""
    sources = of_kind(load([MANIFESTS]), "KafkaSource")
    return [(s.spec["consumerGroup"], topic) for s in sources for topic in s.spec["topics"]]


def _replay(bootstrap: str, topics: list[str]) -> int:
    """Produce every record of `topics` once more (same key, headers and value): every event delivered twice."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"replay-{uuid.uuid4()}",
                       "enable.auto.commit": False})  # fmt: skip
    writer = Producer({"bootstrap.servers": bootstrap})
    copied = 0
    try:
        for topic in topics:
            for partition in reader.list_topics(topic, timeout=10).topics[topic].partitions:
                low, high = reader.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
                if high <= low:
                    continue
                reader.assign([TopicPartition(topic, partition, low)])
                while True:
                    message = reader.poll(5)
                    assert message is not None and not message.error(), "could not read back the topic"
                    writer.produce(topic, value=message.value(), key=message.key(), headers=message.headers(),
                                   partition=partition)  # fmt: skip
                    copied += 1
                    if message.offset() >= high - 1:
                        break
        writer.flush(30)
    finally:
        reader.close()
    return copied


def test_every_consumer_fed_every_event_twice_leaves_the_database_unchanged(
    system: LocalSystem, database: Engine
) -> None:
    bootstrap = dict(system.rows)["Kafka"]
    user = Client(system)
    weekly = {"frequency": "weekly", "day_of_week": [0, 2, 4], "start_date": "2030-01-07"}
    series = user.call("POST", "/tasks", {"title": "Stand-up", "due_date": "2030-01-07T09:00:00Z",
                                          "recurrence": weekly, "tags": ["work"]})  # fmt: skip
    user.call("POST", f"/tasks/{series['id']}/complete")
    doomed = user.call("POST", "/tasks", {"title": "Scratch", "priority": "low"})
    user.call("PATCH", f"/tasks/{doomed['id']}", {"priority": "high"})
    user.call("DELETE", f"/tasks/{doomed['id']}")
    _task_with_reminder(user, f"Twice {uuid.uuid4().hex[:6]}")
    _tick(system, "schedule-reminders")
    consumers = _consumers()
    assert wait_for(lambda: lag(bootstrap, consumers) == 0, timeout=60), "the consumers never caught up"
    assert wait_for(lambda: len(user.call("GET", "/notifications")["items"]) == 1), "the reminder never arrived"
    time.sleep(1)  # let the last commits and outbox publishes land
    before = _snapshot(database)
    assert before["audit_logs"] and before["notifications"] and before["processed_events"]

    copied = _replay(bootstrap, sorted({topic for _, topic in consumers}))

    assert copied >= 7
    assert wait_for(lambda: lag(bootstrap, consumers) == 0, timeout=90), "the consumers never caught up again"
    time.sleep(1)
    assert _snapshot(database) == before
