"""What benchmarks share: their own database, and the bare baseline they compare against (one pg8000 connection,
no framework)."""

from __future__ import annotations

import pg8000.native
from sqlalchemy import Engine

from functions.shared import db, embedded_pg, migrations
from functions.shared.config import Settings, settings


def connect(url: str) -> pg8000.native.Connection:
    """A plain pg8000 connection to the libpq URL (Unix socket or TCP)."""
    parsed = db.sqlalchemy_url(url)
    return pg8000.native.Connection(
        parsed.username or "postgres",
        database=parsed.database,
        unix_sock=parsed.query.get("unix_sock"),  # type: ignore[arg-type]
        host=parsed.host or "localhost",
        port=parsed.port or 5432,
        password=parsed.password,
    )


def database(name: str) -> tuple[str, Engine]:
    """The URL of the benchmark's own database (`name` on the embedded server, or DATABASE_URL) and a migrated
    engine on it."""
    config = settings()
    url = config.database_url or embedded_pg.start(config.data_dir, name)
    engine = db.create(Settings(database_url=url, threads=2))
    migrations.migrate(engine)
    return url, engine
