"""Knative's KafkaSink ingress: POST /<namespace>/<sink> with a CloudEvent -> one Kafka record on the sink's topic.

202 once the broker acknowledged the record (acks=all), 400 for a request that is not a CloudEvent, 404 for an
unknown sink, 503 when producing fails. The record key is the `partitionkey` extension; binary or structured
content mode as the KafkaSink's `contentMode` says (default binary).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any

from confluent_kafka import KafkaError, Producer

from infra.local.http_server import BackgroundServer, QuietHandler
from infra.local.manifests import Manifest
from infra.local.records import record_from_request

logger = logging.getLogger(__name__)


class SinkIngress:
    def __init__(self, sinks: Iterable[Manifest], bootstrap_servers: str, port: int = 0, ack_timeout: float = 10.0):
        self.sinks = {(m.namespace, m.name): m for m in sinks}
        self.ack_timeout = ack_timeout
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "acks": "all",
                "linger.ms": 1,
                "enable.idempotence": True,
                "log_level": 3,  # librdkafka: errors only (not the connection chatter of broker restarts)
            }
        )
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="sink-ingress-poll", daemon=True)
        self._http = BackgroundServer(self._handler(), port, name="sink-ingress")

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> SinkIngress:
        self._poller.start()
        self._http.start_serving()
        return self

    def stop(self) -> None:
        self._http.stop_serving()
        self._stop.set()
        self._poller.join(5)
        self._producer.flush(5)
        del self._producer  # librdkafka lets go of the broker connection only when the client is destroyed

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._producer.poll(0.05)

    def produce(self, sink: Manifest, headers: dict[str, str], body: bytes) -> int:
        """Write one request as a record; the HTTP status the ingress answers."""
        try:
            _, key, record_headers, value = record_from_request(headers, body, sink.spec.get("contentMode", "binary"))
        except Exception as e:  # cloudevents raises several types for "not a CloudEvent"
            logger.info("sink %s/%s refused a non-CloudEvent request: %s", sink.namespace, sink.name, e)
            return 400
        done = threading.Event()
        outcome: list[Any] = []

        def delivered(error: KafkaError | None, _message: Any) -> None:
            outcome.append(error)
            done.set()

        kafka_headers: list[tuple[str, str | bytes | None]] = list(record_headers)
        try:
            self._producer.produce(
                sink.spec["topic"], value=value, key=key, headers=kafka_headers, on_delivery=delivered
            )
        except (BufferError, Exception) as e:  # queue full, unknown topic, broker gone
            logger.warning("producing to %s failed: %s", sink.spec["topic"], e)
            return 503
        if not done.wait(self.ack_timeout) or outcome[0] is not None:
            logger.warning("record for %s not acknowledged: %s", sink.spec["topic"], outcome[:1])
            return 503
        return 202

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        ingress = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                parts = self.path.split("?")[0].strip("/").split("/")
                sink = ingress.sinks.get((parts[0], parts[1])) if len(parts) == 2 else None
                status = 404 if sink is None else ingress.produce(sink, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        return Handler
