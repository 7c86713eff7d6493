"""What every function shares at run time: one JSON log line per record, with the CloudEvent and correlation ids."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

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
