"""Frozen settings, read once from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from functions.shared.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_threads() -> int:
    # functions-framework's gunicorn runs 1 worker with cpu x 4 threads unless THREADS says otherwise
    return (os.cpu_count() or 1) * 4


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: str = str(REPO_ROOT / ".data")
    threads: int = 4
    sink_task_events: str | None = None
    sink_task_updates: str | None = None
    sink_reminders: str | None = None
    auth_jwt_secret: str | None = None
    auth_jwks_url: str | None = None
    auth_audience: str | None = None
    auth_issuer: str | None = None
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    ses_sender: str | None = None
    audit_archive_bucket: str | None = None
    audit_retention_days: int = 30
    outbox_publish_timeout: float = 2.0
    outbox_retention_days: int = 7
    k_service: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping; empty values count as unset."""
        values: dict[str, object] = {}
        for f in fields(cls):
            key = "TASKFN_DATA_DIR" if f.name == "data_dir" else f.name.upper()
            raw = environ.get(key, "").strip()
            if not raw:
                continue
            if f.type in ("int", "float"):
                cast = int if f.type == "int" else float
                try:
                    values[f.name] = cast(raw)
                except ValueError:
                    raise ConfigError(key, f"must be a number ({f.type}), got {raw!r}") from None
            else:
                values[f.name] = raw
        values.setdefault("threads", _default_threads())
        return cls(**values)  # type: ignore[arg-type]

    def sink_for(self, topic: str) -> str:
        """The KafkaSink URL events of `topic` are POSTed to, or ConfigError naming its variable."""
        return self.require("sink_" + topic.replace("-", "_"))

    def require(self, name: str) -> str:
        """The value of an optional setting this function cannot work without, or ConfigError naming it."""
        value = getattr(self, name)
        if value is None:
            raise ConfigError(name.upper())
        return str(value)


@cache
def settings() -> Settings:
    """The process's settings, read from os.environ on first use."""
    return Settings.from_env(os.environ)
