"""The CloudEvent side of a consuming function (KafkaSource, PingSource), with Knative's status rules.

200 when done, for a redelivery of a processed id (nothing changes), and for a type the function does not handle;
400 with the reason for an event it cannot take (dead-lettered, never retried); any other error is a 500 (retried).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

import flask
from cloudevents.http import CloudEvent
from pydantic import BaseModel, ValidationError

from events import envelope
from events import types as t
from functions.shared import outbox
from functions.shared.outbox import Transaction
from functions.shared.queries import processed
from functions.shared.rest import as_correlation_id, validation_details

logger = logging.getLogger(__name__)

Effect = Callable[[Transaction, Any, CloudEvent], None]


def reject(event_id: str, reason: str, details: list[dict[str, Any]] | None = None) -> flask.Response:
    """400 with the reason in the body (Knative puts it into the dead letter's knativeerrordata)."""
    logger.warning("event %s rejected: %s", event_id, reason, extra={"ce_id": event_id, "status": 400})
    body: dict[str, Any] = {"error": reason}
    if details:
        body["details"] = details
    return flask.Response(json.dumps(body), status=400, mimetype="application/json")


def accept(request: flask.Request, handled: Collection[str]) -> tuple[CloudEvent, BaseModel] | flask.Response:
    """The event and its validated payload, or the answer to give right away: 400 for what is not a CloudEvent or
    carries bad data, 200 for a type not in `handled`."""
    try:
        event = envelope.from_http(dict(request.headers), request.get_data())
    except Exception as e:  # the SDK raises several types for "not a CloudEvent"
        return reject("?", f"not a CloudEvent: {e}")
    if event["type"] not in handled:
        logger.info("ignored a %s event", event["type"], extra={"ce_id": event["id"], "ce_type": event["type"]})
        return flask.Response("", status=200)
    try:
        return event, envelope.payload_of(event)
    except ValidationError as e:
        return reject(str(event["id"]), "invalid event data", validation_details(e, "data"))


def consume(request: flask.Request, function: str, effects: Mapping[str, Effect]) -> flask.Response:
    """Parse the CloudEvent, validate its payload and apply its effect once, in one transaction."""
    accepted = accept(request, effects)
    if isinstance(accepted, flask.Response):
        return accepted
    event, payload = accepted
    event_id, event_type = str(event["id"]), str(event["type"])
    correlation = as_correlation_id(str(event.get(t.CORRELATION_ID) or event_id))
    log = {"ce_id": event_id, "ce_type": event_type, "correlation_id": correlation}
    effect = effects[event_type]
    with outbox.transaction(t.source(function), correlation) as tx:
        if not processed.first_time(tx.conn, function, event_id):
            logger.info("redelivery of a processed event; nothing changes", extra=log)
            return flask.Response("", status=200)
        effect(tx, payload, event)
    logger.info("event processed", extra=log)
    return flask.Response("", status=200)
