"""Payload model <-> CloudEvent (cloudevents 1.x), and CloudEvent <-> HTTP in binary or structured mode."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from cloudevents.http import from_http as _from_http
from pydantic import BaseModel

from events import types as t
from events.registry import kind_of, kind_of_type

Mode = Literal["binary", "structured"]


def to_cloudevent(
    payload: BaseModel,
    *,
    source: str,
    id: str | UUID | None = None,
    time: datetime | None = None,
    correlation_id: str | UUID | None = None,
    extensions: Mapping[str, str] | None = None,
) -> CloudEvent:
    """Wrap a registered payload: `id`, `time` and `correlationid` default to its event_id, timestamp and
    correlation_id; `subject` is its task_id; `partitionkey` is its registry key field."""
    kind = kind_of(payload)
    data = payload.model_dump(mode="json", exclude_unset=kind.partial)
    event_id = id if id is not None else data.get("event_id")
    if event_id is None:
        raise ValueError(f"{kind.type} has no event_id: pass id=")
    attributes: dict[str, Any] = {
        "specversion": t.SPECVERSION,
        "type": kind.type,
        "source": source,
        "id": str(event_id),
        "datacontenttype": t.CONTENT_TYPE,
        t.PARTITION_KEY: str(data[kind.key_field]),
    }
    if data.get("task_id") is not None:
        attributes["subject"] = str(data["task_id"])
    when = time.isoformat() if time is not None else data.get("timestamp")
    if when is not None:
        attributes["time"] = when
    correlation = correlation_id if correlation_id is not None else data.get("correlation_id")
    if correlation is not None:
        attributes[t.CORRELATION_ID] = str(correlation)
    attributes.update(extensions or {})
    return CloudEvent(attributes, data)


def payload_of(event: CloudEvent) -> BaseModel:
    """The registered model for the event's type, validated from its data.

    Raises UnknownEventType for an unregistered type and pydantic.ValidationError for bad data.
    """
    kind = kind_of_type(event["type"])
    data = event.data
    if isinstance(data, bytes | str):
        data = json.loads(data)
    return kind.model.model_validate(data)


def to_http(event: CloudEvent, mode: Mode = "binary") -> tuple[dict[str, str], bytes]:
    """Headers and body of the event in the given HTTP content mode."""
    headers, body = to_binary(event) if mode == "binary" else to_structured(event)
    return dict(headers), body if isinstance(body, bytes) else body.encode()


def from_http(headers: Mapping[str, str], body: bytes | str | None) -> CloudEvent:
    """Parse a binary- or structured-mode HTTP request into a CloudEvent."""
    return _from_http(dict(headers), body)
