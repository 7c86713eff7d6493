"""Waiting for an asynchronous system to reach a state: a predicate polled until it holds, and Kafka consumer groups
caught up with their topics."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable

from confluent_kafka import Consumer, TopicPartition


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll `predicate` every 0.2 s until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def lag(bootstrap: str, groups: Iterable[tuple[str, str]]) -> int:
    """Records not yet committed by each (consumer group, topic), summed over every partition."""
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4()}", "enable.auto.commit": False})
    try:
        behind = 0
        for group, topic in groups:
            partitions = probe.list_topics(topic, timeout=10).topics[topic].partitions
            member = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
            try:
                committed = member.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
            finally:
                member.close()
            for position in committed:
                _, high = probe.get_watermark_offsets(TopicPartition(topic, position.partition), timeout=10)
                behind += high - max(position.offset, 0)
        return behind
    finally:
        probe.close()
