"""write-audit's sustained rate through the local data plane (a backlog of task events on the task-events topic,
drained by its KafkaSource into the function process its manifest describes), next to a bare pg8000 loop doing the
same writes (processed_events + audit row, one transaction per event) on one connection, in the same run.
`python -m tests.bench.consumers [--events N]`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Producer
from sqlalchemy import text

from events import envelope, models
from events import types as t
from functions.shared.config import settings
from infra.local.dataplane import DataPlane
from infra.local.kafka_broker import KafkaBroker, ensure_topics, free_port
from infra.local.manifests import load, of_kind
from infra.local.records import record_from_request
from infra.local.services import FunctionProcess
from infra.local.system import MANIFESTS
from tests.bench import bare
from tests.bench.report import write_section

FUNCTION = "write-audit"


def _events(n: int) -> list[models.TaskCreated]:
    user = uuid.uuid4()
    data = models.TaskData(title="bench", description=None, status="pending", priority="low", due_date=None, tags=[])
    now = datetime.now(UTC)
    return [
        models.TaskCreated(event_id=uuid.uuid4(), task_id=uuid.uuid4(), user_id=user, task_data=data, timestamp=now,
                           correlation_id=uuid.uuid4())
        for _ in range(n)
    ]  # fmt: skip


def _produce(bootstrap: str, events: list[models.TaskCreated]) -> None:
    """Write the events as the KafkaSink ingress would (binary mode, keyed by task)."""
    failed: list[object] = []
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i, event in enumerate(events):
        headers, body = envelope.to_http(envelope.to_cloudevent(event, source=t.source("create-task")))
        _, key, record_headers, value = record_from_request(headers, body, "binary")
        producer.produce(t.TASK_EVENTS, value=value, key=key, headers=record_headers,
                         on_delivery=lambda error, _: error and failed.append(error))  # fmt: skip
        if i % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0 and not failed, failed[:3]


def _bare_rate(url: str, events: list[models.TaskCreated]) -> float:
    conn = bare.connect(url)
    started = time.perf_counter()
    for event in events:
        conn.run("BEGIN")
        conn.run("INSERT INTO processed_events (consumer, event_id) VALUES ('bare', :e) ON CONFLICT DO NOTHING",
                 e=str(event.event_id))  # fmt: skip
        conn.run(
            "INSERT INTO audit_logs (id, user_id, entity_type, entity_id, action, new_data, timestamp, correlation_id) "
            "VALUES (CAST(:i AS uuid), CAST(:u AS uuid), 'task', CAST(:t AS uuid), 'created', CAST(:d AS jsonb), "
            "CAST(:ts AS timestamptz), CAST(:c AS uuid))",
            i=str(uuid.uuid4()), u=str(event.user_id), t=str(event.task_id),
            d=event.task_data.model_dump_json(), ts=event.timestamp.isoformat(), c=str(event.correlation_id),
        )  # fmt: skip
        conn.run("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(events) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    n = args.events
    url, engine = bare.database("taskfn_bench_consumers")
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_logs, processed_events"))
    manifests = [m for m in load([MANIFESTS]) if m.kind in ("KafkaTopic", "KafkaSink") or m.name == FUNCTION]
    broker, bootstrap = None, os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    with tempfile.TemporaryDirectory() as home:
        if not bootstrap:
            lib = Path(settings().data_dir) / "kafka" / "lib"
            broker = KafkaBroker(Path(home), port=free_port(), lib=lib, heap_mb=1024)
            bootstrap = broker.start()
        plane = DataPlane(manifests, bootstrap, services={})
        [service] = of_kind(manifests, "Service")
        process = FunctionProcess(service, plane.resolver, {"DATABASE_URL": url}, log=sys.stderr).start()
        try:
            process.wait_ready()
            plane.resolver.services[service.name] = process.url
            bare_rate = _bare_rate(url, _events(n))
            events = _events(n)
            ensure_topics(bootstrap, of_kind(manifests, "KafkaTopic"))
            _produce(bootstrap, events)
            started = time.perf_counter()
            plane.start()
            with engine.connect() as conn:
                audited = 0
                while audited < n:
                    time.sleep(0.1)
                    audited = conn.execute(
                        text("SELECT count(*) FROM processed_events WHERE consumer = :c"), {"c": FUNCTION}
                    ).scalar_one()
                    conn.rollback()
            elapsed = time.perf_counter() - started
        finally:
            plane.stop()
            process.stop()
            if broker is not None:
                broker.stop()
    engine.dispose()
    rate = n / elapsed
    source = of_kind(manifests, "KafkaSource")[0].spec
    body = f"""## write-audit through the data plane (`python -m tests.bench.consumers --events {n}`)

A backlog of {n:,} `task.created` events on `task-events` ({len(of_kind(manifests, "KafkaTopic"))} topics from the
manifests, a fresh KRaft broker), drained by write-audit's KafkaSource (`ordering: {source["ordering"]}`) into the
write-audit process its manifest describes (functions-framework, gunicorn threads); the time runs from the
dispatcher's start to the last event's `processed_events` row. The bare loop does the same two INSERTs per event in
one transaction each, with pg8000 on one connection, in the same run.

| what | events/s | vs bare |
|---|---:|---:|
| bare pg8000 loop (processed_events + audit row, one transaction each) | {bare_rate:,.0f} | 1.00 |
| write-audit through the KafkaSource dispatcher | {rate:,.0f} | {rate / bare_rate:.2f} |

Per event, the function path adds what the bare loop does not have: the dispatcher's CloudEvent mapping and HTTP
request, functions-framework and Flask, CloudEvent parsing and pydantic validation, SQLAlchemy statement building;
the dispatcher, the function process, PostgreSQL and the broker share the machine's cores. No target was set for
this figure; it is the write-audit capacity of one instance (the manifest lets Knative scale it to 5).
"""
    write_section("consumers", body)
    print(body)


if __name__ == "__main__":
    main()
