"""relay-outbox served by functions-framework: a PingSource tick or an HTTP call publishes what is pending."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from functions_framework import create_app
from sqlalchemy import Engine, text

from events import models
from events import types as t
from functions.shared import deps, outbox
from functions.shared.config import REPO_ROOT, Settings
from functions.shared.sinks import HttpSinks
from tests.support.sink_server import SinkServer


@pytest.fixture
def client() -> FlaskClient:
    app = create_app(target="handle", source=str(REPO_ROOT / "functions" / "relay_outbox.py"), signature_type="http")
    return app.test_client()


@pytest.fixture
def sink(engine: Engine) -> Iterator[SinkServer]:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox"))
    with SinkServer() as server:
        previous = deps.override(deps.Deps(sinks=HttpSinks(Settings(sink_reminders=f"{server.url}/default/reminders"))))
        yield server
        deps.override(previous)


def _reminder() -> models.ReminderDue:
    now = datetime.now(UTC)
    return models.ReminderDue(
        event_id=uuid.uuid4(),
        task_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        title="Call the dentist",
        due_at=None,
        remind_at=now,
        notification_preferences=models.NotificationChannels(in_app=True, email=False),
        timestamp=now,
    )


def test_a_ping_publishes_pending_rows_and_reports_counts(
    engine: Engine, client: FlaskClient, sink: SinkServer
) -> None:
    sink.status = 503
    with outbox.transaction(t.source("schedule-reminders")) as tx:
        tx.emit(_reminder())
    sink.status = 202
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET next_attempt_at = now()"))

    ping = {
        "ce-specversion": "1.0",
        "ce-id": str(uuid.uuid4()),
        "ce-source": "/apis/v1/namespaces/taskfn/pingsources/relay-outbox",
        "ce-type": "dev.knative.sources.ping",
    }
    response = client.post("/", headers=ping)

    assert response.status_code == 200
    assert response.get_json() == {"published": 1, "failed": 0, "pruned": 0}
    assert sink.ids() == [str(tx.emitted[0])]
    assert client.post("/", headers=ping).get_json() == {"published": 0, "failed": 0, "pruned": 0}


def test_other_methods_are_refused(client: FlaskClient, sink: SinkServer) -> None:
    assert client.delete("/").status_code == 405
    assert client.get("/").status_code == 200
