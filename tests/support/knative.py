"""Build Knative manifests for a test and run the local data plane on them against the real broker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from infra.local.dataplane import DataPlane
from infra.local.manifests import load

NS = "taskfn"


def topic(name: str, partitions: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"partitions": partitions, "replicas": 1},
    }


def kafka_sink(name: str, topic_name: str, mode: str = "binary") -> dict[str, Any]:
    return {
        "apiVersion": "eventing.knative.dev/v1alpha1",
        "kind": "KafkaSink",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"topic": topic_name, "bootstrapServers": ["ignored:9092"], "contentMode": mode},
    }


def kafka_source(
    name: str, topic_name: str, sink_uri: str, delivery: Mapping[str, Any] | None = None, **spec: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "bootstrapServers": ["ignored:9092"],
        "topics": [topic_name],
        "consumerGroup": f"{name}-group",
        "initialOffset": "earliest",
        "sink": {"uri": sink_uri},
        **spec,
    }
    if delivery is not None:
        body["delivery"] = dict(delivery)
    return {
        "apiVersion": "sources.knative.dev/v1",
        "kind": "KafkaSource",
        "metadata": {"name": name, "namespace": NS},
        "spec": body,
    }


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def write(directory: Path, documents: list[dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "manifests.yaml"
    path.write_text(yaml.safe_dump_all(documents))
    return path


@contextmanager
def running(directory: Path, documents: list[dict[str, Any]], bootstrap: str) -> Iterator[DataPlane]:
    plane = DataPlane(load([write(directory, documents)]), bootstrap, services={})
    plane.start()
    try:
        yield plane
    finally:
        plane.stop()
