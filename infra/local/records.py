"""Kafka record <-> CloudEvent, as Knative's KafkaSink writes records and its KafkaSource dispatcher reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent, from_http

_REQUIRED = ("id", "source", "type")


@dataclass(frozen=True)
class Record:
    """What the dispatcher needs of a consumed Kafka record."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]]


def record_from_request(
    headers: Mapping[str, str], body: bytes, mode: str
) -> tuple[CloudEvent, bytes | None, list[tuple[str, bytes]], bytes]:
    """Parse an HTTP CloudEvent (raises on anything that is not one) into the record a KafkaSink writes:
    (event, key, headers, value). Binary mode: `ce_<attr>` headers, `content-type`, the data bytes.
    Structured mode: the JSON event format with `content-type: application/cloudevents+json`."""
    event = from_http(dict(headers), body)
    key = event.get("partitionkey")
    key_bytes = str(key).encode() if key is not None else None
    if mode == "structured":
        value = json.dumps(_structured(event)).encode()
        return event, key_bytes, [("content-type", b"application/cloudevents+json")], value
    http_headers, value = to_binary(event, data_marshaller=_raw)
    record_headers = []
    for name, header in http_headers.items():
        lower = name.lower()
        if lower.startswith("ce-"):
            record_headers.append(("ce_" + lower[3:], str(header).encode()))
        elif lower == "content-type":
            record_headers.append(("content-type", str(header).encode()))
    return event, key_bytes, record_headers, value or b""


def _raw(data: Any) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    return json.dumps(data).encode()


def _structured(event: CloudEvent) -> dict[str, Any]:
    document: dict[str, Any] = dict(event.get_attributes())
    data = event.data
    if isinstance(data, bytes):
        try:
            document["data"] = json.loads(data)
        except ValueError:
            import base64

            document["data_base64"] = base64.b64encode(data).decode()
    elif data is not None:
        document["data"] = data
    return document


def to_cloudevent(record: Record, *, source_namespace: str, source_name: str) -> tuple[dict[str, str], bytes]:
    """The CloudEvent (attributes, data bytes) the KafkaSource dispatcher sends for a record: a CloudEvent record
    (structured, or binary with `ce_*` headers) passes through; anything else is wrapped as `dev.knative.kafka.event`.
    Every event gets `knativekafkapartition` and `knativekafkaoffset`."""
    headers = {name.lower(): value for name, value in record.headers}
    parsed = _as_cloudevent(headers, record.value)
    if parsed is None:
        attributes, data = _wrapped(record, headers, source_namespace, source_name)
    else:
        attributes, data = parsed
    attributes["knativekafkapartition"] = str(record.partition)
    attributes["knativekafkaoffset"] = str(record.offset)
    return attributes, data


def _as_cloudevent(headers: Mapping[str, bytes | None], value: bytes | None) -> tuple[dict[str, str], bytes] | None:
    content_type = (headers.get("content-type") or b"").decode(errors="replace")
    try:
        if content_type.lower().startswith("application/cloudevents"):
            if not content_type.lower().split(";")[0].strip().endswith("+json"):
                return None
            document = json.loads(value or b"")
            attributes = {k: str(v) for k, v in document.items() if k not in ("data", "data_base64")}
            if "data_base64" in document:
                import base64

                data = base64.b64decode(document["data_base64"])
            elif "data" in document:
                payload = document["data"]
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            else:
                data = b""
        elif "ce_specversion" in headers:
            attributes = {name[3:]: (raw or b"").decode() for name, raw in headers.items() if name.startswith("ce_")}
            if content_type:
                attributes["datacontenttype"] = content_type
            data = value or b""
        else:
            return None
    except (ValueError, AttributeError):
        return None
    if not all(attributes.get(name) for name in _REQUIRED):
        return None
    return attributes, data


def _wrapped(
    record: Record, headers: Mapping[str, bytes | None], namespace: str, name: str
) -> tuple[dict[str, str], bytes]:
    attributes = {
        "specversion": "1.0",
        "type": "dev.knative.kafka.event",
        "source": f"/apis/v1/namespaces/{namespace}/kafkasources/{name}#{record.topic}",
        "subject": f"partition:{record.partition}#{record.offset}",
        "id": f"partition:{record.partition}/offset:{record.offset}",
        "time": datetime.fromtimestamp(record.timestamp_ms / 1000, UTC).isoformat().replace("+00:00", "Z"),
    }
    if "content-type" in headers:
        attributes["datacontenttype"] = (headers["content-type"] or b"").decode().lower()
    if record.key is not None:
        key = record.key.decode(errors="replace")
        attributes["key"] = key
        attributes["partitionkey"] = key
    for header, raw in headers.items():
        if header == "content-type":
            continue
        attributes["kafkaheader" + re.sub(r"[^a-z0-9]", "", header.lower())] = (raw or b"").decode(errors="replace")
    return attributes, record.value or b""


def to_http(attributes: Mapping[str, str], data: bytes) -> tuple[dict[str, str], bytes]:
    """Binary-mode HTTP headers and body for an event (Knative always delivers in binary mode)."""
    headers = {"ce-" + name: value for name, value in attributes.items() if name != "datacontenttype"}
    if "datacontenttype" in attributes:
        headers["content-type"] = attributes["datacontenttype"]
    return headers, data
