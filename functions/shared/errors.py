"""The few typed errors taskfn raises; each carries fields, not prose to parse."""

from __future__ import annotations


class TaskfnError(Exception):
    """Base class of every error taskfn raises on purpose."""


class ConfigError(TaskfnError, KeyError):
    """A required environment variable is missing or malformed."""

    def __init__(self, key: str, problem: str = "is not set") -> None:
        super().__init__(f"environment variable {key} {problem}")
        self.key = key
        self.problem = problem

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class MigrationError(TaskfnError, RuntimeError):
    """The migration runner refused to go on; `version` names the file at fault."""

    def __init__(self, version: str, name: str, problem: str) -> None:
        super().__init__(f"migration {version}_{name}: {problem}")
        self.version = version
        self.name = name
        self.problem = problem


class PublishError(TaskfnError, ConnectionError):
    """A sink did not accept an event; the outbox keeps it pending and records `reason`."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"publishing to {topic} failed: {reason}")
        self.topic = topic
        self.reason = reason
