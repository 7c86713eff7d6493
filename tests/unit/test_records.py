"""How the dispatcher turns Kafka records into CloudEvents, and how the ingress turns requests into records."""

from __future__ import annotations

import json

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from infra.local.records import Record, record_from_request, to_cloudevent


def _record(value: bytes | None, headers: list[tuple[str, bytes | None]], key: bytes | None = None) -> Record:
    return Record("orders", 2, 17, 1_767_225_600_000, key, value, headers)


def _convert(record: Record) -> tuple[dict[str, str], bytes]:
    return to_cloudevent(record, source_namespace="ns", source_name="src")


def test_structured_record_passes_through() -> None:
    event = {"specversion": "1.0", "id": "e1", "source": "/s", "type": "t", "subject": "x", "data": {"a": 1}}
    attributes, data = _convert(
        _record(json.dumps(event).encode(), [("content-type", b"application/cloudevents+json; charset=utf-8")])
    )

    assert {k: attributes[k] for k in ("id", "source", "type", "subject")} == {
        "id": "e1",
        "source": "/s",
        "type": "t",
        "subject": "x",
    }
    assert json.loads(data) == {"a": 1}
    assert (attributes["knativekafkapartition"], attributes["knativekafkaoffset"]) == ("2", "17")


def test_binary_record_missing_a_required_attribute_is_wrapped() -> None:
    attributes, _ = _convert(_record(b"x", [("ce_specversion", b"1.0"), ("ce_source", b"/s"), ("ce_type", b"t")]))

    assert attributes["type"] == "dev.knative.kafka.event"
    assert attributes["kafkaheadercespecversion"] == "1.0"


def test_wrapping_rules() -> None:
    attributes, data = _convert(_record(None, [("X-Request_ID", b"r-1")], key=b"user-9"))

    assert attributes["id"] == "partition:2/offset:17"
    assert attributes["subject"] == "partition:2#17"
    assert attributes["source"] == "/apis/v1/namespaces/ns/kafkasources/src#orders"
    assert attributes["time"] == "2026-01-01T00:00:00Z"
    assert attributes["kafkaheaderxrequestid"] == "r-1"
    assert (attributes["key"], attributes["partitionkey"]) == ("user-9", "user-9")
    assert "datacontenttype" not in attributes
    assert data == b""


def test_unknown_cloudevents_format_is_not_taken_for_an_event() -> None:
    attributes, _ = _convert(_record(b"<xml/>", [("content-type", b"application/cloudevents+xml")]))

    assert attributes["type"] == "dev.knative.kafka.event"


@pytest.mark.parametrize("encode", [to_binary, to_structured])
def test_ingress_writes_binary_records_keyed_by_partitionkey(encode: object) -> None:
    attributes = {
        "type": "t",
        "source": "/s",
        "id": "e2",
        "partitionkey": "task-1",
        "datacontenttype": "application/json",
    }
    event = CloudEvent(attributes, {"a": 1})
    headers, body = encode(event)  # type: ignore[operator]

    _, key, record_headers, value = record_from_request(headers, body, "binary")

    names = dict(record_headers)
    assert key == b"task-1"
    assert (names["ce_id"], names["ce_type"], names["ce_partitionkey"]) == (b"e2", b"t", b"task-1")
    assert names["content-type"] == b"application/json"
    assert json.loads(value) == {"a": 1}


def test_ingress_writes_structured_records_when_asked() -> None:
    headers, body = to_binary(CloudEvent({"type": "t", "source": "/s", "id": "e3"}, {"a": 1}))

    _, key, record_headers, value = record_from_request(headers, body, "structured")

    assert key is None
    assert record_headers == [("content-type", b"application/cloudevents+json")]
    assert json.loads(value)["data"] == {"a": 1} and json.loads(value)["id"] == "e3"


def test_ingress_refuses_what_is_not_a_cloudevent() -> None:
    with pytest.raises(Exception):  # noqa: B017  # cloudevents raises several types; any means 400
        record_from_request({"content-type": "application/json"}, b'{"a": 1}', "binary")
