"""Settings are read once from the environment; a missing or malformed key fails with its name."""

from __future__ import annotations

import dataclasses

import pytest

from functions.shared.config import Settings
from functions.shared.errors import ConfigError


def test_reads_known_keys_and_treats_blank_as_unset() -> None:
    config = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@db/taskfn",
            "SINK_TASK_EVENTS": "http://sink/default/task-events",
            "AUDIT_RETENTION_DAYS": "7",
            "THREADS": "2",
            "SES_SENDER": "   ",
            "TASKFN_DATA_DIR": "/var/lib/taskfn",
        }
    )

    assert config.database_url == "postgresql://u@db/taskfn"
    assert config.sink_task_events == "http://sink/default/task-events"
    assert (config.audit_retention_days, config.threads) == (7, 2)
    assert config.ses_sender is None
    assert config.data_dir == "/var/lib/taskfn"


def test_defaults() -> None:
    config = Settings.from_env({})

    assert config.database_url is None
    assert config.audit_retention_days == 30
    assert config.aws_region == "us-east-1"
    assert config.threads >= 4


def test_malformed_integer_names_the_key() -> None:
    with pytest.raises(ConfigError) as bad:
        Settings.from_env({"AUDIT_RETENTION_DAYS": "thirty"})

    assert bad.value.key == "AUDIT_RETENTION_DAYS"
    assert "AUDIT_RETENTION_DAYS must be a number" in str(bad.value)


def test_require_names_the_missing_key() -> None:
    config = Settings.from_env({"SES_SENDER": "noreply@taskfn.dev"})

    assert config.require("ses_sender") == "noreply@taskfn.dev"
    with pytest.raises(ConfigError) as missing:
        config.require("audit_archive_bucket")
    assert missing.value.key == "AUDIT_ARCHIVE_BUCKET"
    assert str(missing.value) == "environment variable AUDIT_ARCHIVE_BUCKET is not set"


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().database_url = "postgresql://elsewhere/db"  # type: ignore[misc]
