"""purge-audit: daily (PingSource), delete audit entries older than AUDIT_RETENTION_DAYS (30) in bounded batches;
with AUDIT_ARCHIVE_BUCKET set, each day is first written to S3 as gzip JSON Lines and only what was written is
deleted. Answers 200 with `{"deleted", "archived", "days"}`."""

from __future__ import annotations

import flask
import functions_framework

from functions.shared import deps, retention, runtime
from functions.shared.config import settings

runtime.configure_logging()


def _purge() -> retention.Purged:
    config = settings()
    return retention.purge(config.audit_retention_days, storage=deps.get().storage, bucket=config.audit_archive_bucket)


@functions_framework.http
def handle(request: flask.Request) -> tuple[dict[str, int], int] | tuple[str, int]:
    """Run one purge (any method but GET/POST is 405); safe to run again: what is gone stays gone."""
    return runtime.scheduled(request, _purge, "purge-audit purged")
