"""purge-audit on a real PostgreSQL and a local S3 endpoint (moto's server): retention, archive, re-runs."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine, text

from functions.shared import retention
from functions.shared.config import Settings
from functions.shared.queries import audit
from functions.shared.storage import S3Storage
from infra.local.kafka_broker import free_port

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def bucket() -> str:
    return f"taskfn-audit-{uuid.uuid4().hex[:12]}"  # moto keeps its state per process, not per server


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, bucket: str) -> Iterator[S3Storage]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    yield S3Storage(Settings(aws_endpoint_url=endpoint, aws_region="us-east-1"))
    server.stop()


@pytest.fixture
def entries(engine: Engine) -> dict[str, uuid.UUID]:
    """Audit entries 45 and 31 days old (two per day) and 29 days old, in an otherwise empty audit log."""
    user = uuid.uuid4()
    ids = {}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_logs"))
        for label, age in [("45a", 45), ("45b", 45), ("31a", 31), ("31b", 31), ("29", 29)]:
            row = audit.insert_entry(
                conn,
                user_id=user,
                entity_type="task",
                entity_id=uuid.uuid4(),
                action="created",
                old_data=None,
                new_data={"label": label},
                timestamp=NOW - timedelta(days=age, minutes=len(ids)),
                correlation_id=None,
            )
            ids[label] = row["id"]
    return ids


def _labels(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.scalars(text("SELECT new_data->>'label' FROM audit_logs")))


def _archived(storage: S3Storage, bucket: str, days_ago: int) -> list[str]:
    body = storage.get(bucket, retention.archive_key((NOW - timedelta(days=days_ago)).date()))
    assert body is not None
    return [json.loads(line)["new_data"]["label"] for line in gzip.decompress(body).decode().splitlines()]


def test_without_a_bucket_old_entries_are_deleted_in_batches(engine: Engine, entries: dict[str, uuid.UUID]) -> None:
    purged = retention.purge(30, batch=2, now=NOW)

    assert (purged.deleted, purged.archived) == (4, 0)
    assert _labels(engine) == ["29"]


def test_with_a_bucket_each_day_is_archived_before_it_is_deleted(
    engine: Engine, entries: dict[str, uuid.UUID], s3: S3Storage, bucket: str
) -> None:
    purged = retention.purge(30, storage=s3, bucket=bucket, batch=1, now=NOW)

    assert (purged.deleted, purged.archived, purged.days) == (4, 4, 2)
    assert _labels(engine) == ["29"]
    assert sorted(_archived(s3, bucket, 45)) == ["45a", "45b"]
    assert sorted(_archived(s3, bucket, 31)) == ["31a", "31b"]
    assert retention.purge(30, storage=s3, bucket=bucket, now=NOW).deleted == 0  # a re-run finds nothing


def test_a_rerun_after_a_crash_between_upload_and_delete_keeps_everything(
    engine: Engine, entries: dict[str, uuid.UUID], s3: S3Storage, bucket: str
) -> None:
    retention.purge(30, storage=s3, bucket=bucket, now=NOW)
    with engine.begin() as conn:  # an entry of an archived day that was not deleted yet (the crash)
        audit.insert_entry(conn, user_id=uuid.uuid4(), entity_type="task", entity_id=uuid.uuid4(), action="updated",
                           old_data={}, new_data={"label": "45c"}, timestamp=NOW - timedelta(days=45, minutes=9),
                           correlation_id=None)  # fmt: skip

    purged = retention.purge(30, storage=s3, bucket=bucket, now=NOW)

    assert purged.deleted == 1
    assert sorted(_archived(s3, bucket, 45)) == ["45a", "45b", "45c"]


def test_the_function_answers_a_ping_with_counts(engine: Engine) -> None:
    from tests.support import api

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_logs"))
        audit.insert_entry(conn, user_id=uuid.uuid4(), entity_type="task", entity_id=uuid.uuid4(), action="created",
                           old_data=None, new_data={}, timestamp=datetime.now(UTC) - timedelta(days=40),
                           correlation_id=None)  # fmt: skip
    ping = {"ce-specversion": "1.0", "ce-id": "1", "ce-type": "dev.knative.sources.ping", "ce-source": "/ping"}

    response = api.client("purge_audit").post("/", headers=ping)

    assert response.status_code == 200
    assert response.get_json() == {"deleted": 1, "archived": 0, "days": 0}
    assert api.client("purge_audit").delete("/").status_code == 405
