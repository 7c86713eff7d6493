"""What every function shares at run time: one JSON log line per record, with the CloudEvent and correlation ids."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

# fields a handler may pass with `extra=` that are copied into the log line
CONTEXT_FIELDS = ("ce_id", "ce_type", "ce_source", "correlation_id", "user_id", "task_id", "status")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "service": os.environ.get("K_SERVICE"),
            "message": record.getMessage(),
        }
        line.update({k: str(getattr(record, k)) for k in CONTEXT_FIELDS if getattr(record, k, None) is not None})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


def configure_logging(level: int = logging.INFO) -> None:
    """Log JSON lines to stderr, unless the host (a test runner, a dev tool) already configured logging."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def scheduled(request: Any, job: Callable[[], Any], summary: str) -> tuple[dict[str, Any], int] | tuple[str, int]:
    """Run a scheduled job (a PingSource tick, or a GET/POST by hand): 405 for other methods, else 200 with the
    job's result (a dataclass) as JSON, logged once with the tick's CloudEvent id and type."""
    if request.method not in ("GET", "POST"):
        return "", 405
    result = asdict(job())
    extra = {"ce_id": request.headers.get("ce-id"), "ce_type": request.headers.get("ce-type")}
    logger.info("%s %s", summary, json.dumps(result), extra=extra)
    return result, 200


def drain(batch: Callable[[], int], size: int, deadline: float) -> int:
    """Run `batch` (one bounded transaction that takes at most `size` rows and returns how many it took) until one
    comes back short of `size` or `time.monotonic()` passes `deadline`; how many batches ran."""
    runs = 0
    while time.monotonic() < deadline:
        runs += 1
        if batch() < size:
            break
    return runs
