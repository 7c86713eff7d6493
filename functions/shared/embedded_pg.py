"""The embedded PostgreSQL (the pgserver wheel) used when DATABASE_URL is unset: development and tests."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)
logging.getLogger("pgserver").setLevel(logging.WARNING)  # it logs every command it runs at INFO

DATABASE = "taskfn"


def _pgdata(data_dir: str | Path) -> Path:
    return Path(data_dir).resolve() / "pg"


def is_running(data_dir: str | Path) -> bool:
    """Whether a server already serves this data folder."""
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(_pgdata(data_dir))
    return bool(info is not None and info.is_running())


def start(data_dir: str | Path, database: str = DATABASE) -> str:
    """Start (or attach to) the server kept in `data_dir`/pg and return a libpq URL to `database`.

    The server outlives this process; `stop` ends it. The database is created on first use.
    """
    try:
        from pgserver.postgres_server import get_server
    except ImportError as e:  # production images install no pgserver
        raise RuntimeError("DATABASE_URL is unset and the embedded PostgreSQL (pgserver) is not installed") from e
    pgdata = _pgdata(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        logger.info("created database %s", database)
    return str(server.get_uri(database))


def stop(data_dir: str | Path) -> None:
    """Stop the server of `data_dir` cleanly (a fast shutdown); a stopped server is left alone."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # generated at import

    pgdata = _pgdata(data_dir)
    if not is_running(data_dir):
        return
    user = "pgserver" if _running_as_root() else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        logger.warning("pg_ctl stop failed for %s", pgdata)


def _running_as_root() -> bool:
    import os

    return os.geteuid() == 0
