"""One lazy SQLAlchemy Engine per process (postgresql+pg8000) and the `transaction()` every handler opens."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.sql import ClauseElement

from functions.shared.config import Settings, settings

_engine: Engine | None = None
_lock = threading.Lock()


def sqlalchemy_url(url: str) -> URL:
    """Turn a libpq-style URL into a pg8000 one; a `host=/dir` query (a Unix socket folder) becomes `unix_sock`."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got {parsed.drivername!r}")
    query = dict(parsed.query)
    host, port = parsed.host, parsed.port
    socket_dir = query.pop("host", None)
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        query["unix_sock"] = str(Path(socket_dir) / f".s.PGSQL.{port or 5432}")
        host, port = None, None
    elif socket_dir is not None:
        host = str(socket_dir)
    return URL.create("postgresql+pg8000", parsed.username, parsed.password, host, port, parsed.database, query)


def database_url(config: Settings) -> str:
    """DATABASE_URL, or the embedded server's URL (started on demand) when it is unset."""
    if config.database_url:
        return config.database_url
    from functions.shared import embedded_pg

    return embedded_pg.start(config.data_dir)


def create(config: Settings, url: str | None = None) -> Engine:
    """A new Engine whose pool matches the server's thread count; connections are pre-pinged."""
    return create_engine(
        sqlalchemy_url(url or database_url(config)),
        pool_size=max(config.threads, 1),
        max_overflow=2,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def engine() -> Engine:
    """The process's Engine, created on first use (never at import: scale-to-zero cold starts)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = create(settings())
    return _engine


def use(new: Engine | None) -> Engine | None:
    """Replace the process's Engine (tests and tools); returns the previous one, which the caller disposes."""
    global _engine
    with _lock:
        previous, _engine = _engine, new
    return previous


@contextmanager
def transaction() -> Iterator[Connection]:
    """A connection inside one transaction: committed when the block ends, rolled back if it raises."""
    with engine().begin() as conn:
        yield conn


@dataclass(frozen=True)
class ServerError:
    """The fields PostgreSQL sent with an error: SQLSTATE, and the constraint/table/column when it names one."""

    sqlstate: str
    message: str
    constraint: str | None = None
    table: str | None = None
    column: str | None = None

    @property
    def is_integrity_violation(self) -> bool:
        return self.sqlstate.startswith("23")


def server_error(error: BaseException) -> ServerError | None:
    """The server's error fields behind a SQLAlchemy/pg8000 exception, or None when it is not a server error."""
    orig = getattr(error, "orig", error)
    fields = orig.args[0] if getattr(orig, "args", None) else None
    if not isinstance(fields, dict) or "C" not in fields:
        return None
    return ServerError(
        sqlstate=fields["C"],
        message=fields.get("M", ""),
        constraint=fields.get("n"),
        table=fields.get("t"),
        column=fields.get("c"),
    )


def explain(conn: Connection, stmt: ClauseElement) -> str:
    """PostgreSQL's plan for `stmt` with its bound parameters (for tests and benchmarks that check index use)."""
    compiled: Any = stmt.compile(dialect=conn.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + compiled.string, params))
