"""The command side of a write function: a task-commands CloudEvent (from a KafkaSource) runs the same operation.

Status rules (Knative): 200 when done, also for a replay of a processed id (nothing changes) and for a type this
function does not handle; 400 with the reason for an invalid command (dead-lettered, never retried); an unexpected
error is a 500 (retried).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import flask

from events import types as t
from functions.shared import outbox
from functions.shared.consumer import accept, reject
from functions.shared.outbox import Transaction
from functions.shared.queries import processed, users
from functions.shared.rest import ApiError, as_correlation_id
from functions.shared.task_ops import NewId

logger = logging.getLogger(__name__)

Operation = Callable[[Transaction, uuid.UUID, Any, NewId], None]


def is_command(request: flask.Request) -> bool:
    """A CloudEvent (binary or structured) POSTed to the service root, where KafkaSources deliver. The public
    gateway routes only REST paths, never `/`, so a client cannot present a command and skip authentication."""
    content_type = request.headers.get("Content-Type", "")
    is_event = "ce-specversion" in request.headers or content_type.startswith("application/cloudevents")
    return is_event and request.path.strip("/") == ""


def run(request: flask.Request, function: str, operations: Mapping[str, Operation]) -> flask.Response:
    accepted = accept(request, operations)
    if isinstance(accepted, flask.Response):
        return accepted
    event, payload = accepted
    event_id, event_type = str(event["id"]), str(event["type"])
    log = {"ce_id": event_id, "ce_type": event_type}
    operation = operations[event_type]
    try:
        user_id = uuid.UUID(str(event.get(t.USER_ID)))
    except ValueError:
        return reject(event_id, f"the {t.USER_ID} extension must be a user id")
    correlation = as_correlation_id(str(event.get(t.CORRELATION_ID) or event_id))

    def new_id(effect: str) -> uuid.UUID:  # replays derive the same event ids
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{event['source']}|{event_id}|{effect}")

    try:
        with outbox.transaction(t.source(function), correlation) as tx:
            if not processed.first_time(tx.conn, function, event_id):
                logger.info("replay of a processed command; nothing changes", extra=log)
                return flask.Response("", status=200)
            users.provision(tx.conn, user_id)
            operation(tx, user_id, payload, new_id)
    except ApiError as e:
        return reject(event_id, e.error, e.details)
    logger.info("command applied", extra=log)
    return flask.Response("", status=200)
