"""Forward-only migration runner: applies each sql/NNN_name.sql once, in order, under an advisory lock.

Run it with `make migrate` or `python -m functions.shared.migrations [--sql DIR]`.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from functions.shared.config import REPO_ROOT
from functions.shared.errors import MigrationError

logger = logging.getLogger(__name__)

SQL_DIR = REPO_ROOT / "sql"
# any constant shared by every runner; pg_advisory_lock serialises runners started at the same moment
LOCK_KEY = 0x7A5F_0001
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = SQL_DIR) -> list[Migration]:
    """The migrations in `directory`, ordered by version; a stray or duplicate file name is an error."""
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError("???", path.stem, "file name must look like NNN_lower_snake.sql")
        version, name = match.groups()
        if version in found:
            raise MigrationError(version, name, f"version {version} is also used by {found[version].name}")
        found[version] = Migration(version, name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def migrate(engine: Engine, directory: Path = SQL_DIR) -> list[str]:
    """Apply the pending migrations of `directory`; returns the versions applied by this call.

    Each migration runs in its own transaction. Before anything runs, every applied migration's
    checksum is compared with its file: a changed or vanished file raises MigrationError and
    nothing is applied.
    """
    migrations = discover(directory)
    raw: Any = engine.raw_connection()
    cur = raw.cursor()
    try:
        cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        cur.execute(_CREATE_TABLE)
        raw.commit()
        cur.execute("SELECT version, name, checksum FROM schema_migrations")
        applied = {version: (name, checksum) for version, name, checksum in cur.fetchall()}
        raw.commit()
        _verify(applied, migrations)
        done: list[str] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            _apply(raw, cur, migration)
            done.append(migration.version)
        return done
    finally:
        raw.rollback()
        cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        raw.commit()
        raw.close()


def _verify(applied: dict[str, tuple[str, str]], migrations: list[Migration]) -> None:
    on_disk = {m.version: m for m in migrations}
    for version, (name, checksum) in sorted(applied.items()):
        migration = on_disk.get(version)
        if migration is None:
            raise MigrationError(version, name, "was applied but its file is gone")
        if migration.checksum != checksum:
            raise MigrationError(version, name, "was changed after it was applied; add a new migration instead")


def _apply(raw: Any, cur: Any, migration: Migration) -> None:
    logger.info("applying migration %s_%s", migration.version, migration.name)
    try:
        cur.execute("SELECT 1")  # opens the transaction the file runs in
        # the simple query protocol runs a whole multi-statement file (pg8000's execute cannot)
        raw.driver_connection.execute_simple(migration.sql)
        cur.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
            (migration.version, migration.name, migration.checksum),
        )
        raw.commit()
    except Exception as e:
        raw.rollback()
        raise MigrationError(migration.version, migration.name, f"failed: {e}") from e


def main(argv: list[str] | None = None) -> int:
    from functions.shared import db

    parser = argparse.ArgumentParser(prog="python -m functions.shared.migrations", description=__doc__)
    parser.add_argument("--sql", type=Path, default=SQL_DIR, help="folder of NNN_name.sql files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        applied = migrate(db.engine(), args.sql)
    except MigrationError as e:
        logger.error("error: %s", e)
        return 1
    logger.info("applied %d migration(s): %s", len(applied), " ".join(applied) or "none, schema is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
