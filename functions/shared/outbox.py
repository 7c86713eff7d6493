"""Change and emit atomically: events are written to the outbox in the change's transaction, then published.

    with outbox.transaction(source=types.source("create-task"), correlation_id=cid) as tx:
        row = tasks.insert_task(tx.conn, user_id, values)
        tx.emit(TaskCreated(...))
    # committed; the events were POSTed to their KafkaSinks, or stay pending for relay-outbox

Nothing is published unless the change committed, and nothing committed is lost when a sink is down: a row stays
pending with its attempts and last error until the relay gets it through. Per (topic, partition key) rows leave
strictly in write order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from cloudevents.http import CloudEvent
from pydantic import BaseModel
from sqlalchemy import Connection, RowMapping

from events import envelope, registry
from events import types as t
from functions.shared import db, deps, runtime
from functions.shared.errors import PublishError
from functions.shared.queries import outbox as queries
from functions.shared.sinks import Sinks

logger = logging.getLogger(__name__)

PRUNE_BATCH = 1000  # published rows deleted per transaction
_CORE_ATTRIBUTES = frozenset({"specversion", "id", "source", "type", "subject", "time", "datacontenttype"})


@dataclass
class Transaction:
    """An open database transaction plus the events it will emit when it commits."""

    conn: Connection
    source: str
    correlation_id: str | UUID | None = None
    pending: list[CloudEvent] = field(default_factory=list)
    emitted: list[UUID] = field(default_factory=list)

    def emit(self, payload: BaseModel, **attributes: Any) -> None:
        """Add `payload` as a CloudEvent to the outbox in this transaction (see envelope.to_cloudevent); the rows
        are written in one statement when the block ends, in emit order."""
        attributes.setdefault("correlation_id", self.correlation_id)
        self.pending.append(envelope.to_cloudevent(payload, source=self.source, **attributes))

    def flush(self) -> None:
        self.emitted.extend(add_all(self.conn, self.pending))
        self.pending.clear()


@contextmanager
def transaction(source: str, correlation_id: str | UUID | None = None) -> Iterator[Transaction]:
    """One database transaction whose emitted events are published right after it commits (on the same
    connection, so a write checks out and pings one connection, not two)."""
    with db.engine().connect() as conn:
        with conn.begin():
            tx = Transaction(conn, source, correlation_id)
            yield tx
            tx.flush()
        if tx.emitted:
            publish(tx.emitted, deps.get().sinks, conn)


def add(conn: Connection, event: CloudEvent) -> bool:
    """Write a registered CloudEvent to the outbox; an id already there is ignored (returns False)."""
    return bool(add_all(conn, [event]))


def add_all(conn: Connection, events: list[CloudEvent]) -> list[UUID]:
    """Write registered CloudEvents to the outbox in order, in one statement; returns the ids that were new."""
    rows = []
    for event in events:
        attributes = event.get_attributes()
        when = attributes.get("time")
        rows.append(
            {
                "event_id": UUID(attributes["id"]),
                "topic": registry.kind_of_type(attributes["type"]).topic,
                "partition_key": attributes[t.PARTITION_KEY],
                "ce_type": attributes["type"],
                "ce_source": attributes["source"],
                "ce_subject": attributes.get("subject"),
                "ce_time": datetime.fromisoformat(when) if when else None,
                "extensions": {k: str(v) for k, v in attributes.items() if k not in _CORE_ATTRIBUTES},
                "data": event.data,
            }
        )
    return queries.insert_events(conn, rows)


def cloudevent_of(row: RowMapping) -> CloudEvent:
    """The CloudEvent an outbox row stands for, with the id it was written with."""
    attributes: dict[str, Any] = {
        "specversion": t.SPECVERSION,
        "id": str(row["event_id"]),
        "source": row["ce_source"],
        "type": row["ce_type"],
        "time": row["ce_time"].isoformat().replace("+00:00", "Z"),
        "datacontenttype": t.CONTENT_TYPE,
        **row["extensions"],
    }
    if row["ce_subject"] is not None:
        attributes["subject"] = row["ce_subject"]
    return CloudEvent(attributes, row["data"])


@dataclass
class Report:
    published: int = 0
    failed: int = 0
    pruned: int = 0

    def add(self, other: Report) -> None:
        self.published += other.published
        self.failed += other.failed
        self.pruned += other.pruned


def publish_pass(
    sinks: Sinks,
    *,
    limit: int = 100,
    event_ids: Collection[UUID] | None = None,
    due_only: bool = True,
    connection: Connection | None = None,
) -> Report:
    """Claim up to `limit` publishable rows and POST each to its sink, recording success or failure, in one
    transaction (on `connection` when given, else on a pooled one).

    Once a topic's sink fails in this pass, its remaining rows are left for a later pass untouched.
    """
    if connection is None:
        with db.engine().connect() as pooled:
            return publish_pass(sinks, limit=limit, event_ids=event_ids, due_only=due_only, connection=pooled)
    report = Report()
    with connection.begin():
        rows = queries.claim_heads(connection, limit=limit, event_ids=event_ids, due_only=due_only)
        down: set[str] = set()
        published: list[int] = []
        for row in rows:
            if row["topic"] in down:
                continue
            headers, body = envelope.to_http(cloudevent_of(row))
            try:
                sinks.send(row["topic"], headers, body)
            except PublishError as e:
                down.add(row["topic"])
                queries.mark_failed(connection, row["id"], e.reason)
                report.failed += 1
                logger.warning("outbox event %s not published: %s", row["event_id"], e.reason)
            else:
                published.append(row["id"])
        queries.mark_published(connection, published)
        report.published += len(published)
    return report


def publish(event_ids: Collection[UUID], sinks: Sinks, connection: Connection | None = None) -> Report:
    """Publish these just-committed events now (best effort: whatever fails stays pending for the relay)."""
    report = Report()
    try:
        while True:
            step = publish_pass(sinks, limit=len(event_ids), event_ids=event_ids, due_only=False, connection=connection)
            report.add(step)
            if step.published == 0 or step.failed or report.published >= len(event_ids):
                return report
    except Exception:  # the change is committed; a failure here must not turn it into an error
        logger.exception("publishing %d committed event(s) failed; relay-outbox will retry", len(event_ids))
        return report


def relay(sinks: Sinks, *, batch_size: int = 200, budget_seconds: float = 50.0, retention_days: int = 7) -> Report:
    """Publish due pending rows oldest first until none is left or the time budget is spent, then prune
    published rows older than the retention period."""
    deadline = time.monotonic() + budget_seconds
    report = Report()
    while time.monotonic() < deadline:
        step = publish_pass(sinks, limit=batch_size)
        report.add(step)
        if step.published == 0:
            break

    def prune() -> int:
        with db.transaction() as conn:
            pruned = queries.delete_published_before(conn, timedelta(days=retention_days), PRUNE_BATCH)
        report.pruned += pruned
        return pruned

    runtime.drain(prune, PRUNE_BATCH, deadline)
    return report
