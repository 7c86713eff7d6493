"""End-to-end tests run the local system as `make dev` does, on the real PostgreSQL and Kafka."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from functions.shared.config import Settings
from infra.local.kafka_broker import free_port
from infra.local.system import LocalSystem


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def system(make_database: Callable[[], str], kafka_bootstrap: str) -> Iterator[LocalSystem]:
    """The whole local system as `make dev` runs it, on a fresh database and the session's broker; one per module
    (tests use their own tasks and users)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
        running = LocalSystem(
            Settings(database_url=make_database()),
            gateway_port=free_port(),
            ingress_port=free_port(),
            aws_port=free_port(),
        )
        try:
            running.start()
            yield running
        finally:
            running.stop()
