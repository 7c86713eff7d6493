"""Audit retention: delete entries past the retention period in bounded batches, optionally archiving each UTC day
to S3 first as gzip JSON Lines (`audit/YYYY/MM/DD.jsonl.gz`), and deleting only what the archive holds."""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping

from functions.shared import db
from functions.shared.queries import audit
from functions.shared.storage import Storage


@dataclass
class Purged:
    deleted: int = 0
    archived: int = 0
    days: int = 0


def archive_key(day: date) -> str:
    return f"audit/{day:%Y/%m/%d}.jsonl.gz"


def _line(row: RowMapping) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else str(value) if isinstance(value, UUID) else value

    return {name: plain(value) for name, value in row.items()}


def _archive(storage: Storage, bucket: str, day: date, rows: list[RowMapping]) -> None:
    """Write the day's object: what an earlier, interrupted run archived plus these rows (by id), so re-running
    after a crash between upload and delete never loses an entry."""
    key = archive_key(day)
    lines = {line["id"]: line for line in map(_line, rows)}
    existing = storage.get(bucket, key)
    if existing is not None:
        for raw in gzip.decompress(existing).decode().splitlines():
            line = json.loads(raw)
            lines.setdefault(line["id"], line)
    ordered = sorted(lines.values(), key=lambda line: (line["timestamp"], line["id"]))
    body = gzip.compress("".join(json.dumps(line, sort_keys=True) + "\n" for line in ordered).encode())
    storage.put(bucket, key, body, "application/x-ndjson")


def purge(
    retention_days: int,
    *,
    storage: Storage | None = None,
    bucket: str | None = None,
    batch: int = 1000,
    budget_seconds: float = 50.0,
    now: datetime | None = None,
) -> Purged:
    """Delete entries older than `retention_days` (archiving them first when a bucket is given), each transaction
    touching at most `batch` rows so no lock is held for long; stops when done or when the time budget is spent."""
    deadline = time.monotonic() + budget_seconds
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    result = Purged()
    while time.monotonic() < deadline:
        if bucket is None or storage is None:
            with db.transaction() as conn:
                gone = audit.delete_older_than(conn, cutoff, batch)
            result.deleted += gone
            if gone < batch:
                break
            continue
        with db.transaction() as conn:
            day = audit.oldest_day_before(conn, cutoff)
            rows = audit.day_entries(conn, day, cutoff) if day is not None else []
        if day is None:
            break
        _archive(storage, bucket, day, rows)
        ids = [r["id"] for r in rows]
        for start in range(0, len(ids), batch):
            with db.transaction() as conn:
                result.deleted += audit.delete_ids(conn, ids[start : start + batch])
        result.archived += len(rows)
        result.days += 1
    return result
