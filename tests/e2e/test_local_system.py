"""The assembled local system: function processes from the manifests publish through the KafkaSink ingress to Kafka."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import urllib3
from confluent_kafka import Consumer
from sqlalchemy import create_engine

from events import commands, models
from events import types as t
from events.envelope import to_cloudevent, to_http
from functions.shared import db, openapi, outbox
from infra.local.system import DEV_USER, LocalSystem
from tests.support.waiting import wait_for


def test_relay_outbox_runs_from_its_manifest_and_publishes_to_kafka(system: LocalSystem) -> None:
    rows = dict(system.rows)
    event = models.TaskDeleted(
        event_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        task_data=models.TaskData(
            title="gone", description=None, status="pending", priority="none", due_date=None, tags=[]
        ),
        timestamp=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
    )
    engine = create_engine(db.sqlalchemy_url(rows["PostgreSQL"]))
    with engine.begin() as conn:  # as a function whose own publish failed would have left it
        outbox.add(conn, to_cloudevent(event, source=t.source("delete-task")))
    engine.dispose()

    reply = urllib3.request("POST", rows["function relay-outbox"], timeout=30)

    assert reply.status == 200 and json.loads(reply.data)["published"] == 1
    consumer = Consumer(
        {"bootstrap.servers": rows["Kafka"], "group.id": f"e2e-{uuid.uuid4()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([t.TASK_EVENTS])
    found = None
    deadline = time.monotonic() + 30
    while found is None and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            headers = {k: v.decode() for k, v in message.headers() or []}
            if headers.get("ce_id") == str(event.event_id):
                found = (message.key(), headers, message.value())
    consumer.close()
    assert found is not None, "the event never reached the task-events topic"
    key, headers, value = found
    assert key == str(event.task_id).encode()
    assert headers["ce_type"] == t.TASK_DELETED
    assert models.TaskDeleted.model_validate_json(value) == event


def test_the_gateway_exposes_no_internal_function(system: LocalSystem) -> None:
    gateway = dict(system.rows)["Gateway (public REST)"]

    assert urllib3.request("POST", f"{gateway}/", timeout=10).status == 404
    assert urllib3.request("GET", f"{gateway}/relay-outbox", timeout=10).status == 404
    document = urllib3.request("GET", f"{gateway}/openapi.json", timeout=10)
    assert document.status == 200 and document.data == openapi.PATH.read_bytes()


def test_a_client_uses_the_api_through_the_gateway_and_a_command_travels_through_kafka(system: LocalSystem) -> None:
    rows = dict(system.rows)
    gateway = rows["Gateway (public REST)"]
    auth = {"Authorization": f"Bearer {rows['Dev token (24 h)']}", "Content-Type": "application/json"}

    created = urllib3.request("POST", f"{gateway}/tasks", headers=auth, body=json.dumps({"title": "Via gateway"}))
    listed = urllib3.request("GET", f"{gateway}/tasks", headers=auth)
    anonymous = urllib3.request("GET", f"{gateway}/tasks")

    assert created.status == 201, created.data
    assert [t["title"] for t in json.loads(listed.data)["items"]] == ["Via gateway"]
    assert anonymous.status == 401

    command = commands.CreateTask(task_id=uuid.uuid4(), title="Via Kafka")
    event = to_cloudevent(command, source="/clients/e2e", id=str(uuid.uuid4()), extensions={t.USER_ID: DEV_USER})
    headers, body = to_http(event)
    sent = urllib3.request("POST", f"{rows['KafkaSink ingress']}/taskfn/task-commands", headers=headers, body=body)
    assert sent.status == 202

    def arrived() -> bool:
        got = urllib3.request("GET", f"{gateway}/tasks/{command.task_id}", headers=auth)
        return got.status == 200 and json.loads(got.data)["title"] == "Via Kafka"

    assert wait_for(arrived), "the command never created its task"


def test_a_write_is_audited_through_kafka(system: LocalSystem) -> None:
    rows = dict(system.rows)
    gateway = rows["Gateway (public REST)"]
    auth = {"Authorization": f"Bearer {rows['Dev token (24 h)']}", "Content-Type": "application/json"}
    correlation = str(uuid.uuid4())

    created = urllib3.request(
        "POST",
        f"{gateway}/tasks",
        headers={**auth, "X-Correlation-ID": correlation},
        body=json.dumps({"title": "Log me"}),
    )
    task_id = json.loads(created.data)["id"]

    def audited() -> bool:
        trail = urllib3.request("GET", f"{gateway}/audit?task_id={task_id}", headers=auth)
        items = json.loads(trail.data)["items"]
        return len(items) == 1 and items[0]["action"] == "created" and items[0]["correlation_id"] == correlation

    assert wait_for(audited), "the task's creation never reached the audit trail"


def test_completing_a_recurring_task_creates_the_next_one_through_kafka(system: LocalSystem) -> None:
    rows = dict(system.rows)
    gateway = rows["Gateway (public REST)"]
    auth = {"Authorization": f"Bearer {rows['Dev token (24 h)']}", "Content-Type": "application/json"}
    # due on a Monday far ahead, so completing it today makes the Wednesday after it the next occurrence
    body = {"title": "Daily stand-up", "due_date": "2030-01-07T09:00:00Z",
            "recurrence": {"frequency": "weekly", "day_of_week": [0, 2, 4], "start_date": "2030-01-07"}}  # fmt: skip
    task = json.loads(urllib3.request("POST", f"{gateway}/tasks", headers=auth, body=json.dumps(body)).data)

    completed = urllib3.request("POST", f"{gateway}/tasks/{task['id']}/complete", headers=auth)
    assert completed.status == 200

    def next_instance() -> bool:
        listing = urllib3.request("GET", f"{gateway}/tasks?recurring=true&status=pending", headers=auth)
        dues = [t["due_date"] for t in json.loads(listing.data)["items"] if t["parent_task_id"] == task["id"]]
        return dues == ["2030-01-09T09:00:00Z"]

    assert wait_for(next_instance), "the next instance never appeared"
