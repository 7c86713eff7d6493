"""schedule-reminders on a real PostgreSQL: which reminders fire, once each, in order, also under concurrent runs."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from functions.shared import reminder_schedule
from tests.support import api
from tests.support.sink_server import SinkServer


@pytest.fixture(autouse=True)
def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE users, outbox, processed_events CASCADE"))


def _user(engine: Engine, lead: int | None) -> uuid.UUID:
    with engine.begin() as conn:
        user = conn.execute(text("INSERT INTO users (email) VALUES ('r@example.com') RETURNING id")).scalar_one()
        if lead is not None:
            conn.execute(text("INSERT INTO notification_preferences (user_id, reminder_lead_time, email_enabled) "
                              "VALUES (:u, :l, false)"), {"u": user, "l": lead})  # fmt: skip
    return uuid.UUID(str(user))


def _task(engine: Engine, user: uuid.UUID, title: str, reminder: str | None = None, due: str | None = None,
          status: str = "pending") -> uuid.UUID:  # fmt: skip
    """`reminder` / `due` are SQL interval offsets from now, e.g. '-5 minutes'."""
    with engine.begin() as conn:
        return uuid.UUID(str(conn.execute(
            text("INSERT INTO tasks (user_id, title, status, reminder_at, due_date) VALUES (:u, :t, :s, "
                 "now() + CAST(:r AS interval), now() + CAST(:d AS interval)) RETURNING id"),
            {"u": user, "t": title, "s": status, "r": reminder, "d": due},
        ).scalar_one()))  # fmt: skip


def _schedule() -> dict[str, Any]:
    response = api.client("schedule_reminders").post("/", headers={"ce-type": "dev.knative.sources.ping"})
    assert response.status_code == 200
    return dict(response.get_json())


def _reminders(sink: SinkServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in sink.received if r.path == "/reminders"]


def test_due_reminders_fire_once_oldest_first(engine: Engine, event_sink: SinkServer) -> None:
    careful, default = _user(engine, lead=30), _user(engine, lead=None)
    _task(engine, careful, "explicit, due", reminder="-5 minutes")
    _task(engine, careful, "explicit, later", reminder="1 hour")
    _task(engine, careful, "due in 20 min, 30 min lead", due="20 minutes")
    _task(engine, default, "due in 90 min, default 60 min lead", due="90 minutes")
    _task(engine, careful, "completed", reminder="-5 minutes", status="completed")
    _task(engine, default, "due in 30 min, default lead", due="30 minutes")

    first, again = _schedule(), _schedule()

    fired = _reminders(event_sink)
    assert [r["title"] for r in fired] == [
        "due in 30 min, default lead",  # reminded 30 minutes ago
        "due in 20 min, 30 min lead",  # 10 minutes ago
        "explicit, due",  # 5 minutes ago
    ]
    assert (first["scheduled"], again["scheduled"]) == (3, 0)
    assert fired[0]["notification_preferences"] == {"in_app": True, "email": True}
    assert fired[1]["notification_preferences"] == {"in_app": True, "email": False}
    assert fired[2]["due_at"] is None


def test_a_changed_reminder_fires_at_its_new_time(engine: Engine, event_sink: SinkServer) -> None:
    user = _user(engine, lead=None)
    task = _task(engine, user, "moved", reminder="-5 minutes")
    _schedule()
    with engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET reminder_at = now() + interval '1 hour' WHERE id = :t"), {"t": task})
    assert _schedule()["scheduled"] == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE tasks SET reminder_at = now() - interval '1 minute' WHERE id = :t"), {"t": task})

    assert _schedule()["scheduled"] == 1
    assert len({r["event_id"] for r in _reminders(event_sink)}) == 2


def test_concurrent_runs_never_schedule_a_reminder_twice(engine: Engine, event_sink: SinkServer) -> None:
    user = _user(engine, lead=None)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tasks (user_id, title, reminder_at) SELECT :u, 'r' || i, "
                          "now() - make_interval(secs => i) FROM generate_series(1, 600) i"), {"u": user})  # fmt: skip
    totals: list[int] = []
    start = threading.Barrier(3)

    def run() -> None:
        start.wait()
        totals.append(reminder_schedule.run().scheduled)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    ids = [r["event_id"] for r in _reminders(event_sink)]
    assert sum(totals) == 600 and len(ids) == len(set(ids)) == 600
