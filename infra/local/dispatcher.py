"""Knative's KafkaSource dispatcher: a consumer group on the source's topics delivering each record to its sink.

- Each record goes out as a binary-mode HTTP CloudEvent (records.to_cloudevent: pass-through or wrapped).
- `ordering: ordered` (default) keeps one record in flight per partition; `unordered` sends many at once.
- `delivery`: retries with linear/exponential backoff on 5xx/404/408/409/429 and connection errors or timeouts;
  any other failure, or the last retry, goes to the dead-letter sink with knativeerrordest/-code/-data; with no
  dead-letter sink the record is dropped. Either way its offset is committed; never before.
"""

from __future__ import annotations

import base64
import logging
import queue
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import urllib3
from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from infra.local.delivery import Delivery, is_retryable, is_success
from infra.local.manifests import Manifest, Resolver
from infra.local.records import Record, to_cloudevent, to_http

logger = logging.getLogger(__name__)

UNORDERED_IN_FLIGHT = 64
MAX_BUFFERED = 2000
# offsets are committed at most this often: a commit per delivery floods the group coordinator, whose heartbeats then
# queue behind the commits until the session times out
COMMIT_INTERVAL = 0.2


@dataclass
class _Partition:
    waiting: deque[Record] = field(default_factory=deque)
    outstanding: set[int] = field(default_factory=set)  # received, not yet delivered or dead-lettered
    in_flight: int = 0
    next_offset: int | None = None  # one past the highest offset received
    committed: int | None = None


class Dispatcher:
    def __init__(self, source: Manifest, bootstrap_servers: str, resolver: Resolver) -> None:
        spec = source.spec
        self.source = source
        self.bootstrap_servers = bootstrap_servers
        self.topics = list(spec["topics"])
        self.group = spec.get("consumerGroup") or f"knative-kafka-source-{source.namespace}-{source.name}"
        self.initial_offset = spec.get("initialOffset", "latest")
        self.ordered = spec.get("ordering", "ordered") == "ordered"
        self.delivery = Delivery.from_spec(spec.get("delivery"))
        self.sink_url = resolver.destination(spec["sink"], source.namespace)
        dls = self.delivery.dead_letter_sink
        self.dead_letter_url = resolver.destination(dls, source.namespace) if dls else None
        self.overrides = dict(spec.get("ceOverrides", {}).get("extensions", {}))
        self._http = urllib3.PoolManager(maxsize=UNORDERED_IN_FLIGHT, retries=False)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._done: queue.Queue[tuple[tuple[str, int], _Partition, int, bool]] = queue.Queue()
        self._partitions: dict[tuple[str, int], _Partition] = {}
        self._to_commit: dict[tuple[str, int], int] = {}
        self._last_commit = 0.0
        self._pool = ThreadPoolExecutor(max_workers=UNORDERED_IN_FLIGHT, thread_name_prefix=f"dispatch-{source.name}")
        self._thread = threading.Thread(target=self._run, name=f"kafkasource-{source.name}", daemon=True)
        self.ready = threading.Event()

    def start(self) -> Dispatcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop consuming; records still being retried are abandoned uncommitted, so a restart redelivers them."""
        self._stop.set()
        self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- the consumer loop (one thread owns the consumer) --

    def _run(self) -> None:
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap_servers,
                "group.id": self.group,
                "enable.auto.commit": False,
                "auto.offset.reset": self.initial_offset,
                "partition.assignment.strategy": "cooperative-sticky",
                # a dispatcher that died hands its partitions over after 10 s (Kafka's default is 45 s)
                "session.timeout.ms": 10000,
                "heartbeat.interval.ms": 2000,
                "log_level": 3,
            }
        )
        consumer.subscribe(self.topics, on_assign=lambda *_: self.ready.set(), on_revoke=self._revoked)
        paused = False
        try:
            while not self._stop.is_set():
                # while deliveries are out, don't block in Kafka: a finished delivery wakes the loop at once
                busy = any(p.in_flight for p in self._partitions.values())
                messages = consumer.consume(500, timeout=0 if busy else 0.05)
                for message in messages:
                    self._received(message)
                if busy and not messages:
                    self._wake.wait(0.05)
                self._wake.clear()
                self._collect()
                self._commit(consumer)
                self._schedule()
                buffered = sum(len(p.waiting) for p in self._partitions.values())
                if not paused and buffered > MAX_BUFFERED:
                    consumer.pause(consumer.assignment())
                    paused = True
                elif paused and buffered < MAX_BUFFERED // 2:
                    consumer.resume(consumer.assignment())
                    paused = False
            self._collect()
            self._commit(consumer, final=True)
        finally:
            consumer.close()

    def _revoked(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._commit(consumer, final=True)
        for tp in partitions:
            self._partitions.pop((tp.topic, tp.partition), None)

    def _received(self, message: Message) -> None:
        if message.error():
            logger.warning("kafkasource %s: %s", self.source.name, message.error())
            return
        _, timestamp = message.timestamp()
        raw_headers = message.headers() or []
        pairs = raw_headers.items() if isinstance(raw_headers, dict) else raw_headers
        key, value = message.key(), message.value()
        record = Record(
            topic=str(message.topic()),
            partition=int(message.partition() or 0),
            offset=int(message.offset() or 0),
            timestamp_ms=timestamp,
            key=key.encode() if isinstance(key, str) else key,
            value=value.encode() if isinstance(value, str) else value,
            headers=[(name, v.encode() if isinstance(v, str) else v) for name, v in pairs],
        )
        state = self._partitions.setdefault((record.topic, record.partition), _Partition())
        state.waiting.append(record)
        state.outstanding.add(record.offset)
        state.next_offset = record.offset + 1

    def _schedule(self) -> None:
        limit = 1 if self.ordered else UNORDERED_IN_FLIGHT
        for tp, state in self._partitions.items():
            while state.waiting and state.in_flight < limit:
                record = state.waiting.popleft()
                state.in_flight += 1
                self._pool.submit(self._deliver_and_report, tp, state, record)

    def _deliver_and_report(self, tp: tuple[str, int], state: _Partition, record: Record) -> None:
        finished = False
        try:
            finished = self.deliver(record)
        except Exception:
            logger.exception("kafkasource %s: delivering %s failed", self.source.name, tp)
        self._done.put((tp, state, record.offset, finished))
        self._wake.set()

    def _collect(self) -> None:
        """Take in finished deliveries and note how far each partition may be committed."""
        while True:
            try:
                tp, state, offset, finished = self._done.get_nowait()
            except queue.Empty:
                return
            if self._partitions.get(tp) is not state:  # revoked meanwhile: its records will be redelivered
                continue
            state.in_flight -= 1
            if not finished:  # abandoned on stop: leave it outstanding, so its offset is never committed
                continue
            state.outstanding.discard(offset)
            commit_to = min(state.outstanding) if state.outstanding else state.next_offset
            if commit_to is not None and commit_to != state.committed:
                state.committed = commit_to
                self._to_commit[tp] = commit_to

    def _commit(self, consumer: Consumer, final: bool = False) -> None:
        now = time.monotonic()
        if not self._to_commit or (not final and now - self._last_commit < COMMIT_INTERVAL):
            return
        offsets = [TopicPartition(topic, partition, offset) for (topic, partition), offset in self._to_commit.items()]
        self._to_commit.clear()
        self._last_commit = now
        try:
            if final:
                consumer.commit(offsets=offsets, asynchronous=False)
            else:
                consumer.commit(offsets=offsets, asynchronous=True)
        except KafkaException as e:  # e.g. mid-rebalance: the records are redelivered, which consumers tolerate
            logger.warning("kafkasource %s: commit failed: %s", self.source.name, e)

    # -- delivery of one record (pool threads) --

    def deliver(self, record: Record) -> bool:
        """Deliver with retries, then dead-letter or drop; False only when stopped before it finished."""
        attributes, data = to_cloudevent(record, source_namespace=self.source.namespace, source_name=self.source.name)
        attributes.update(self.overrides)
        headers, body = to_http(attributes, data)
        headers.update({"Prefer": "reply", "Kn-Namespace": self.source.namespace})
        status: int | None = None
        reply, reply_headers = b"", dict[str, str]()
        for attempt in range(self.delivery.retry + 1):
            if attempt and self._stop.wait(self.delivery.wait_before(attempt)):
                return False
            status, reply, reply_headers = self._post(self.sink_url, headers, body)
            if is_success(status):
                return True
            if not is_retryable(status):
                break
        logger.warning(
            "kafkasource %s: event %s failed with %s after %d attempt(s)",
            self.source.name,
            attributes.get("id"),
            status,
            attempt + 1,
        )
        if self.dead_letter_url is not None:
            self._dead_letter(headers, body, status, reply, reply_headers)
        return True

    def _dead_letter(
        self, headers: dict[str, str], body: bytes, status: int | None, reply: bytes, reply_headers: dict[str, str]
    ) -> None:
        dead = dict(headers)
        dead["ce-knativeerrordest"] = self.sink_url
        if status is not None:
            dead["ce-knativeerrorcode"] = str(status)
        if reply:
            dead["ce-knativeerrordata"] = base64.b64encode(reply[:1024]).decode()
        for name, value in reply_headers.items():
            if name.lower().startswith("kne-"):
                dead["ce-" + name.lower()[4:]] = value
        assert self.dead_letter_url is not None
        dl_status, _, _ = self._post(self.dead_letter_url, dead, body)
        if not is_success(dl_status):
            logger.error("kafkasource %s: dead-letter sink answered %s; event dropped", self.source.name, dl_status)

    def _post(self, url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, bytes, dict[str, str]]:
        try:
            response = self._http.request(
                "POST", url, headers=headers, body=body, timeout=self.delivery.timeout, redirect=False
            )
        except urllib3.exceptions.HTTPError as e:
            logger.info("kafkasource %s: %s: %s", self.source.name, url, e)
            return None, b"", {}
        return response.status, response.data, dict(response.headers)
