"""The bare baselines benchmarks compare against: one pg8000 connection, no framework."""

from __future__ import annotations

import pg8000.native

from functions.shared import db


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
