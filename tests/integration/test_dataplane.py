"""The local Knative data plane on a real Kafka broker: KafkaSink ingress, KafkaSource dispatch, delivery rules."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import urllib3
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from confluent_kafka import Consumer, Producer

from functions.shared.config import REPO_ROOT
from tests.support import knative as k
from tests.support.sink_server import Received, SinkServer

http = urllib3.PoolManager(retries=False)


def _event(key: str = "task-1", **extra: str) -> CloudEvent:
    attributes = {
        "type": "dev.taskfn.task.created",
        "source": "/taskfn/create-task",
        "id": str(uuid.uuid4()),
        "subject": key,
        "partitionkey": key,
        "correlationid": "corr-1",
        "datacontenttype": "application/json",
        **extra,
    }
    return CloudEvent(attributes, {"title": "hello", "n": 1})


def _post(url: str, event: CloudEvent, mode: str = "binary") -> int:
    headers, body = to_binary(event) if mode == "binary" else to_structured(event)
    return http.request("POST", url, headers=headers, body=body, timeout=10).status


def _produce(bootstrap: str, topic: str, value: bytes, key: bytes | None = None, headers: list | None = None) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, value=value, key=key, headers=headers or [])
    assert producer.flush(10) == 0


@pytest.mark.parametrize("mode", ["binary", "structured"])
def test_round_trip_sink_kafka_source_function(tmp_path: Path, kafka_bootstrap: str, mode: str) -> None:
    topic = k.unique("rt")
    with SinkServer(status=200) as function:
        docs = [k.topic(topic), k.kafka_sink("events", topic, mode), k.kafka_source("audit", topic, function.url)]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            sent = _event()
            assert _post(plane.sink_url("events"), sent) == 202
            [got] = function.wait_for(1)

    assert got.headers["ce-id"] == sent["id"]
    assert got.headers["ce-type"] == "dev.taskfn.task.created"
    assert got.headers["ce-source"] == "/taskfn/create-task"
    assert got.headers["ce-subject"] == "task-1"
    assert got.headers["ce-partitionkey"] == "task-1"
    assert got.headers["ce-correlationid"] == "corr-1"
    assert got.headers["ce-knativekafkapartition"] == "0"
    assert got.headers["ce-knativekafkaoffset"] == "0"
    assert got.headers["content-type"] == "application/json"
    assert "ce-kafkaheadercespecversion" not in got.headers
    assert json.loads(got.body) == {"title": "hello", "n": 1}


def test_sink_ingress_contract(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("ingress")
    with k.running(tmp_path, [k.topic(topic, partitions=3), k.kafka_sink("events", topic)], kafka_bootstrap) as plane:
        assert _post(f"{plane.ingress.url}/taskfn/nope", _event()) == 404
        not_an_event = http.request("POST", plane.sink_url("events"), body=b'{"title": "x"}', timeout=10)
        assert not_an_event.status == 400
        sent = _event(key="task-42")
        assert _post(plane.sink_url("events"), sent) == 202

    consumer = Consumer(
        {"bootstrap.servers": kafka_bootstrap, "group.id": k.unique("g"), "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    message = None
    deadline = time.monotonic() + 20
    while message is None and time.monotonic() < deadline:
        message = consumer.poll(0.5)
    consumer.close()
    assert message is not None and message.error() is None
    headers = {name: value.decode() for name, value in message.headers()}
    assert message.key() == b"task-42"
    assert headers["ce_id"] == sent["id"] and headers["ce_type"] == sent["type"]
    assert headers["ce_partitionkey"] == "task-42"
    assert headers["content-type"] == "application/json"
    assert json.loads(message.value()) == {"title": "hello", "n": 1}


def test_a_plain_record_arrives_wrapped_as_knative_wraps_it(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("plain")
    with SinkServer(status=200) as function:
        with k.running(tmp_path, [k.topic(topic), k.kafka_source("wrap", topic, function.url)], kafka_bootstrap):
            headers = [("My-Trace_Id", b"abc-123"), ("content-type", b"Text/Plain")]
            _produce(kafka_bootstrap, topic, b"hello kafka", key=b"k-1", headers=headers)
            [got] = function.wait_for(1)

    assert got.headers["ce-type"] == "dev.knative.kafka.event"
    assert got.headers["ce-source"] == f"/apis/v1/namespaces/taskfn/kafkasources/wrap#{topic}"
    assert got.headers["ce-subject"] == "partition:0#0"
    assert got.headers["ce-id"] == "partition:0/offset:0"
    assert got.headers["ce-key"] == "k-1" and got.headers["ce-partitionkey"] == "k-1"
    assert got.headers["ce-kafkaheadermytraceid"] == "abc-123"
    assert got.headers["content-type"] == "text/plain"
    assert got.headers["ce-time"].endswith("Z")
    assert got.body == b"hello kafka"


def test_a_record_with_ce_headers_from_a_plain_client_passes_through(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("passthrough")
    with SinkServer(status=200) as function:
        with k.running(tmp_path, [k.topic(topic), k.kafka_source("pt", topic, function.url)], kafka_bootstrap):
            headers = [
                ("ce_specversion", b"1.0"),
                ("ce_id", b"evt-7"),
                ("ce_source", b"/elsewhere"),
                ("ce_type", b"com.example.thing"),
                ("ce_myext", b"value"),
                ("content-type", b"application/json"),
                ("unrelated", b"dropped"),
            ]
            _produce(kafka_bootstrap, topic, b'{"a": 1}', key=b"k", headers=headers)
            [got] = function.wait_for(1)

    assert (got.headers["ce-id"], got.headers["ce-source"], got.headers["ce-type"]) == (
        "evt-7",
        "/elsewhere",
        "com.example.thing",
    )
    assert got.headers["ce-myext"] == "value"
    assert not {"ce-key", "ce-kafkaheaderunrelated"} & set(got.headers)
    assert got.body == b'{"a": 1}'


@pytest.mark.parametrize("ordering", ["ordered", "unordered"])
def test_ordering_modes(tmp_path: Path, kafka_bootstrap: str, ordering: str) -> None:
    topic = k.unique("order")
    with SinkServer(status=200, delay=0.02) as function:
        docs = [
            k.topic(topic, partitions=2),
            k.kafka_sink("events", topic),
            k.kafka_source("o", topic, function.url, ordering=ordering),
        ]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            sent: dict[str, list[str]] = {}
            for i in range(30):
                event = _event(key=f"task-{i % 3}")
                sent.setdefault(event["partitionkey"], []).append(event["id"])
                assert _post(plane.sink_url("events"), event) == 202
            got = function.wait_for(30)

    assert len(got) == 30
    if ordering == "ordered":
        for key, ids in sent.items():
            assert [r.headers["ce-id"] for r in got if r.headers["ce-partitionkey"] == key] == ids
        assert function.max_concurrency <= 2  # one in flight per partition
    else:
        assert function.max_concurrency > 2


@pytest.mark.parametrize(
    ("policy", "expected_waits"),
    [("linear", [0.2, 0.4, 0.6]), ("exponential", [0.2, 0.4, 0.8])],  # delay*n / delay*2^n, n = retry number
)
def test_retries_follow_the_backoff_schedule(
    tmp_path: Path, kafka_bootstrap: str, policy: str, expected_waits: list[float]
) -> None:
    topic = k.unique("backoff")
    delay = "PT0.2S" if policy == "linear" else "PT0.1S"
    with SinkServer(status=503) as function, SinkServer(status=202) as dead_letters:
        delivery = {
            "retry": 3,
            "backoffPolicy": policy,
            "backoffDelay": delay,
            "deadLetterSink": {"uri": dead_letters.url},
        }
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("b", topic, function.url, delivery)]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            assert _post(plane.sink_url("events"), _event()) == 202
            dead_letters.wait_for(1)
            attempts = function.wait_for(4, accepted_only=False)

    assert len(attempts) == 4  # the first try and 3 retries
    waits = [b.at - a.at for a, b in zip(attempts, attempts[1:], strict=False)]
    for waited, expected in zip(waits, expected_waits, strict=True):
        assert expected <= waited < expected + 0.35, waits


def test_a_400_is_dead_lettered_at_once_with_the_error_extensions(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("dl400")

    def reject(_: Received) -> tuple[int, bytes]:
        return 400, b'{"error": "title is required"}'

    with SinkServer(answer=reject) as function, SinkServer() as dead_letters:
        delivery = {"retry": 5, "backoffDelay": "PT0.1S", "deadLetterSink": {"uri": dead_letters.url}}
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("r", topic, function.url, delivery)]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            sent = _event()
            assert _post(plane.sink_url("events"), sent) == 202
            [dead] = dead_letters.wait_for(1)
            time.sleep(0.5)

    assert len(function.requests) == 1
    assert dead.headers["ce-id"] == sent["id"]
    assert dead.headers["ce-knativeerrorcode"] == "400"
    assert dead.headers["ce-knativeerrordest"] == function.url
    assert base64.b64decode(dead.headers["ce-knativeerrordata"]) == b'{"error": "title is required"}'
    assert json.loads(dead.body) == {"title": "hello", "n": 1}


def test_a_503_is_retried_then_dead_lettered_when_the_budget_runs_out(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("dl503")
    with SinkServer(status=503) as function, SinkServer() as dead_letters:
        delivery = {
            "retry": 2,
            "backoffPolicy": "linear",
            "backoffDelay": "PT0.05S",
            "deadLetterSink": {"uri": dead_letters.url},
        }
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("s", topic, function.url, delivery)]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            assert _post(plane.sink_url("events"), _event()) == 202
            [dead] = dead_letters.wait_for(1)

    assert len(function.requests) == 3
    assert dead.headers["ce-knativeerrorcode"] == "503"


def test_a_failure_without_a_dead_letter_sink_is_dropped_and_the_next_event_flows(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    topic = k.unique("drop")

    def first_fails(request: Received) -> tuple[int, bytes]:
        return (422, b"") if json.loads(request.body)["n"] == 1 else (200, b"")

    with SinkServer(answer=first_fails) as function:
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("d", topic, function.url, {"retry": 0})]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            assert _post(plane.sink_url("events"), _event()) == 202
            good = CloudEvent({"type": "t", "source": "/s", "id": "good", "partitionkey": "task-1"}, {"n": 2})
            assert _post(plane.sink_url("events"), good) == 202
            function.wait_for(1)

    assert [r.status for r in function.requests] == [422, 200]


def test_killing_the_dispatcher_mid_retry_then_restarting_still_delivers(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("kill")
    with SinkServer(status=503) as function:
        delivery = {"retry": 20, "backoffPolicy": "linear", "backoffDelay": "PT0.3S"}
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("kill", topic, function.url, delivery)]
        manifests = k.write(tmp_path, docs)
        ingress_port = str(_free_port())
        command = [sys.executable, "-m", "infra.local.dataplane", str(manifests), "--bootstrap", kafka_bootstrap]
        process = subprocess.Popen(
            [*command, "--ingress-port", ingress_port], cwd=REPO_ROOT, env=os.environ.copy(), stderr=subprocess.DEVNULL
        )
        try:
            _wait_until_listening(int(ingress_port))
            sent = _event()
            assert _post(f"http://127.0.0.1:{ingress_port}/taskfn/events", sent) == 202
            function.wait_for(2, accepted_only=False)  # it is retrying now
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()

        function.status = 200
        with k.running(tmp_path / "again", docs, kafka_bootstrap):
            delivered = function.wait_for(1)

    assert [r.headers["ce-id"] for r in delivered] == [sent["id"]]


def test_a_restarted_consumer_group_does_not_redeliver_committed_records(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = k.unique("restart")
    with SinkServer(status=200) as function:
        docs = [k.topic(topic), k.kafka_sink("events", topic), k.kafka_source("r", topic, function.url)]
        with k.running(tmp_path, docs, kafka_bootstrap) as plane:
            first = [_event() for _ in range(3)]
            for event in first:
                assert _post(plane.sink_url("events"), event) == 202
            function.wait_for(3)
        with k.running(tmp_path / "again", docs, kafka_bootstrap) as plane:
            later = _event()
            assert _post(plane.sink_url("events"), later) == 202
            function.wait_for(4)
            time.sleep(0.5)

    assert function.ids() == [e["id"] for e in first] + [later["id"]]


def _free_port() -> int:
    from infra.local.kafka_broker import free_port

    return free_port()


def _wait_until_listening(port: int, timeout: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(port)
