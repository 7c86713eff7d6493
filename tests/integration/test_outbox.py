"""The transactional outbox on a real PostgreSQL, publishing to a real HTTP server standing in for a KafkaSink."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from events import models
from events import types as t
from functions.shared import deps, outbox
from functions.shared.config import Settings
from functions.shared.queries import outbox as outbox_queries
from functions.shared.queries import tasks, users
from functions.shared.sinks import HttpSinks
from tests.support.sink_server import SinkServer

SOURCE = t.source("create-task")


@pytest.fixture(autouse=True)
def clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox, users CASCADE"))


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    with SinkServer() as server:
        yield server


def _sinks(url: str | None, timeout: float = 2.0) -> HttpSinks:
    return HttpSinks(
        Settings(
            sink_task_events=f"{url}/default/task-events" if url else None,
            sink_task_updates=f"{url}/default/task-updates" if url else None,
            outbox_publish_timeout=timeout,
        )
    )


@pytest.fixture
def use_sink(sink: SinkServer) -> Iterator[HttpSinks]:
    sinks = _sinks(sink.url)
    previous = deps.override(deps.Deps(sinks=sinks))
    yield sinks
    deps.override(previous)


def _event(task_id: uuid.UUID, user_id: uuid.UUID, title: str = "t") -> models.TaskCreated:
    return models.TaskCreated(
        event_id=uuid.uuid4(),
        task_id=task_id,
        user_id=user_id,
        task_data=models.TaskData(
            title=title, description=None, status="pending", priority="none", due_date=None, tags=[]
        ),
        timestamp=datetime.now(UTC),
        correlation_id=uuid.uuid4(),
    )


def _create_task(title: str = "t", user_id: uuid.UUID | None = None) -> tuple[uuid.UUID, models.TaskCreated]:
    with outbox.transaction(SOURCE) as tx:
        user = users.ensure_user(tx.conn, user_id or uuid.uuid4())
        task = tasks.insert_task(tx.conn, user["id"], {"title": title})
        event = _event(task["id"], user["id"], title)
        tx.emit(event)
    return task["id"], event


def _pending(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r) for r in outbox_queries.pending(conn)]


def _make_due(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET next_attempt_at = now() WHERE published_at IS NULL"))


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_committed_change_is_published_at_once_as_a_binary_cloudevent(
    engine: Engine, sink: SinkServer, use_sink: HttpSinks
) -> None:
    task_id, event = _create_task("Publish me")

    assert sink.ids() == [str(event.event_id)]
    received = sink.received[0]
    assert received.path == "/default/task-events"
    assert received.headers["ce-type"] == t.TASK_CREATED
    assert received.headers["ce-source"] == SOURCE
    assert received.headers["ce-subject"] == str(task_id)
    assert received.headers["ce-partitionkey"] == str(task_id)
    assert received.headers["ce-correlationid"] == str(event.correlation_id)
    assert received.headers["content-type"] == "application/json"
    assert models.TaskCreated.model_validate(json.loads(received.body)) == event
    assert _pending(engine) == []


def test_a_change_and_its_events_commit_together_or_not_at_all(
    engine: Engine, sink: SinkServer, use_sink: HttpSinks
) -> None:
    user_id = uuid.uuid4()

    with pytest.raises(RuntimeError, match="after the insert"), outbox.transaction(SOURCE) as tx:
        users.ensure_user(tx.conn, user_id)
        task = tasks.insert_task(tx.conn, user_id, {"title": "doomed"})
        tx.emit(_event(task["id"], user_id))
        raise RuntimeError("failure after the insert")

    assert _count(engine, "SELECT count(*) FROM tasks") == 0
    assert _count(engine, "SELECT count(*) FROM outbox") == 0
    assert sink.received == []


def test_sink_down_keeps_the_change_and_the_relay_delivers_later_in_per_key_order(
    engine: Engine, sink: SinkServer, use_sink: HttpSinks
) -> None:
    sink.status = 503
    user_id = uuid.uuid4()
    with outbox.transaction(SOURCE) as tx:
        users.ensure_user(tx.conn, user_id)
    written: list[str] = []
    for round_ in range(3):
        for key in ("a", "b"):
            task_id = uuid.uuid5(uuid.NAMESPACE_URL, key)
            with outbox.transaction(SOURCE) as tx:
                tx.emit(_event(task_id, user_id, f"{key}{round_}"))
            written.append(str(tx.emitted[0]))

    pending = _pending(engine)
    assert [str(r["event_id"]) for r in pending] == written  # the changes committed, nothing lost
    assert [r["attempts"] for r in pending] == [1, 1, 0, 0, 0, 0]  # newer events never jump an older pending one
    assert "503" in str(pending[0]["last_error"])

    sink.status = 202
    _make_due(engine)
    report = outbox.relay(use_sink)

    assert report.published == 6 and report.failed == 0
    assert sorted(sink.ids()) == sorted(written)
    for key_order in (written[0::2], written[1::2]):  # task "a" and task "b"
        assert [i for i in sink.ids() if i in key_order] == key_order
    assert _pending(engine) == []


def test_a_slow_sink_does_not_hold_the_request_hostage(engine: Engine) -> None:
    with SinkServer(delay=5.0) as slow:
        previous = deps.override(deps.Deps(sinks=_sinks(slow.url, timeout=0.3)))
        try:
            started = time.monotonic()
            _, event = _create_task("slow sink")
            elapsed = time.monotonic() - started
        finally:
            deps.override(previous)

    assert elapsed < 2.0
    [row] = _pending(engine)
    assert row["event_id"] == event.event_id
    assert "Timeout" in str(row["last_error"])


def test_a_topic_without_a_sink_url_stays_pending_with_the_variable_named(engine: Engine) -> None:
    previous = deps.override(deps.Deps(sinks=_sinks(None)))
    try:
        _create_task("nowhere to go")
    finally:
        deps.override(previous)

    [row] = _pending(engine)
    assert "SINK_TASK_EVENTS" in str(row["last_error"])


def test_an_event_id_is_written_once_however_often_it_is_emitted(engine: Engine, use_sink: HttpSinks) -> None:
    user_id = uuid.uuid4()
    event = _event(uuid.uuid4(), user_id)
    for _ in range(2):
        with outbox.transaction(SOURCE) as tx:
            tx.emit(event)

    assert _count(engine, "SELECT count(*) FROM outbox") == 1


def test_concurrent_relays_publish_each_row_once_and_keep_per_key_order(engine: Engine, sink: SinkServer) -> None:
    down = deps.override(deps.Deps(sinks=_sinks(None)))  # every inline publish fails: all rows stay pending
    try:
        order: dict[str, list[str]] = {}
        for i in range(120):
            key = uuid.uuid5(uuid.NAMESPACE_URL, f"task-{i % 15}")
            with outbox.transaction(SOURCE) as tx:
                tx.emit(_event(key, uuid.uuid4()))
            order.setdefault(str(key), []).append(str(tx.emitted[0]))
    finally:
        deps.override(down)
    _make_due(engine)
    sinks = _sinks(sink.url)
    start = threading.Barrier(3)

    def relay() -> None:
        start.wait()
        outbox.relay(sinks, batch_size=10)

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = sink.ids()
    assert sorted(ids) == sorted(i for key_ids in order.values() for i in key_ids)
    assert len(ids) == len(set(ids)) == 120
    for key_ids in order.values():
        assert [i for i in ids if i in key_ids] == key_ids


def test_failed_rows_back_off_and_the_relay_skips_them_until_due(engine: Engine, sink: SinkServer) -> None:
    sink.status = 503
    previous = deps.override(deps.Deps(sinks=_sinks(sink.url)))
    try:
        _create_task("backing off")
    finally:
        deps.override(previous)
    sink.status = 202

    report = outbox.relay(_sinks(sink.url))

    assert report.published == 0 and sink.received == []
    [row] = _pending(engine)
    assert row["attempts"] == 1
    assert _count(engine, "SELECT count(*) FROM outbox WHERE next_attempt_at > now() + interval '5 seconds'") == 1


def test_relay_prunes_published_rows_past_retention_and_never_pending_ones(
    engine: Engine, sink: SinkServer, use_sink: HttpSinks
) -> None:
    _create_task("old news")
    _create_task("fresh news")
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE outbox SET published_at = now() - interval '8 days' WHERE data->>'task_id' IN "
                "(SELECT id::text FROM tasks WHERE title = 'old news')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO outbox (event_id, topic, partition_key, ce_type, ce_source, ce_time, data, "
                "created_at) VALUES (gen_random_uuid(), 'task-events', 'k', 'dev.taskfn.task.created', "
                "'/x', now(), '{}', now() - interval '30 days')"
            )
        )
    sink.status = 503  # the old pending row cannot go out: it must survive pruning

    report = outbox.relay(use_sink, retention_days=7)

    assert report.pruned == 1
    assert _count(engine, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 1
    assert _count(engine, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
