"""Shared fixtures: the environment restored after every test (as functions-framework's suite does), and the real
services: PostgreSQL (DATABASE_URL's server, or the embedded one) with throwaway databases, and a Kafka broker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text

from functions.shared import db, embedded_pg, migrations
from functions.shared.config import Settings, settings


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A URL to a database on a real server where the tests may create and drop databases."""
    config = settings()
    if config.database_url:
        yield config.database_url
        return
    was_running = embedded_pg.is_running(config.data_dir)
    yield embedded_pg.start(config.data_dir)
    if not was_running:
        embedded_pg.stop(config.data_dir)


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of empty databases (libpq URLs); all are dropped when the session ends."""
    admin = create_engine(db.sqlalchemy_url(server_url), isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make() -> str:
        name = f"taskfn_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def engine_for(url: str, threads: int = 4) -> Engine:
    return db.create(Settings(database_url=url, threads=threads))


@pytest.fixture
def make_engine() -> Iterator[Callable[[str], Engine]]:
    """A factory of Engines on a URL; every one is disposed after the test."""
    made: list[Engine] = []

    def make(url: str) -> Engine:
        made.append(engine_for(url))
        return made[-1]

    yield make
    for e in made:
        e.dispose()


@pytest.fixture(scope="session")
def engine(make_database: Callable[[], str]) -> Iterator[Engine]:
    """An Engine on a database migrated from sql/, installed as the process's engine for code under test."""
    migrated = engine_for(make_database())
    migrations.migrate(migrated)
    previous = db.use(migrated)
    yield migrated
    db.use(previous)
    migrated.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Kafka broker: KAFKA_BOOTSTRAP_SERVERS, or a fresh KRaft node from the cached Maven jars."""
    from pathlib import Path

    from infra.local.kafka_broker import KafkaBroker, free_port

    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    lib = Path(settings().data_dir) / "kafka" / "lib"
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"), port=free_port(), lib=lib)
    yield broker.start()
    broker.stop()


@pytest.fixture
def event_sink(engine: Engine) -> Iterator[object]:
    """A real HTTP server standing in for the KafkaSinks; functions publish to /<topic> on it."""
    from functions.shared import deps
    from functions.shared.sinks import HttpSinks
    from tests.support.sink_server import SinkServer

    with SinkServer() as server:
        topics = {
            f"sink_{t}": f"{server.url}/{t.replace('_', '-')}" for t in ("task_events", "task_updates", "reminders")
        }
        previous = deps.override(deps.Deps(sinks=HttpSinks(Settings(**topics))))
        yield server
        deps.override(previous)


@pytest.fixture
def api_auth(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Functions verify HS256 tokens signed with the test secret (tests.support.api.token)."""
    from tests.support.api import SECRET

    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)
    settings.cache_clear()
    yield
    settings.cache_clear()
