"""The migration runner against a real PostgreSQL: from empty, re-runs, concurrent runners, refusals."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from functions.shared import migrations
from functions.shared.config import REPO_ROOT
from functions.shared.errors import MigrationError

ALL_VERSIONS = [m.version for m in migrations.discover()]


def _recorded(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT version, checksum FROM schema_migrations ORDER BY 1"))]


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))


@pytest.fixture
def empty(make_database: Callable[[], str], make_engine: Callable[[str], Engine]) -> Engine:
    return make_engine(make_database())


@pytest.fixture
def sql_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sql"
    shutil.copytree(migrations.SQL_DIR, target)
    return target


def test_applies_every_migration_from_empty_then_rerun_is_a_noop(empty: Engine) -> None:
    assert migrations.migrate(empty) == ALL_VERSIONS
    assert [v for v, _ in _recorded(empty)] == ALL_VERSIONS
    assert {m.checksum for m in migrations.discover()} == {c for _, c in _recorded(empty)}
    assert {"users", "tasks", "tags", "task_tags", "recurrence_patterns", "audit_logs", "outbox"} <= _tables(empty)
    before = _recorded(empty)

    assert migrations.migrate(empty) == []
    assert _recorded(empty) == before


def test_concurrent_runners_apply_each_migration_exactly_once(
    make_database: Callable[[], str], make_engine: Callable[[str], Engine]
) -> None:
    url = make_database()
    engines = [make_engine(url) for _ in range(4)]
    start = threading.Barrier(len(engines))
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        start.wait()
        try:
            results.append(migrations.migrate(engine))
        except BaseException as e:  # reported below; a thread must not swallow it
            errors.append(e)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    applied = sorted(v for result in results for v in result)
    assert applied == ALL_VERSIONS
    assert sum(1 for r in results if r) == 1  # one runner did all the work, the others found nothing to do
    assert [v for v, _ in _recorded(engines[0])] == ALL_VERSIONS


def test_a_changed_applied_migration_is_refused_and_nothing_more_runs(empty: Engine, sql_copy: Path) -> None:
    migrations.migrate(empty, sql_copy)
    (sql_copy / "002_tags.sql").write_text((sql_copy / "002_tags.sql").read_text() + "\n-- edited\n")
    (sql_copy / "900_new_table.sql").write_text("CREATE TABLE should_not_exist (id INT);")

    with pytest.raises(MigrationError) as refused:
        migrations.migrate(empty, sql_copy)

    assert (refused.value.version, refused.value.name) == ("002", "tags")
    assert "should_not_exist" not in _tables(empty)


def test_an_applied_migration_whose_file_vanished_is_refused(empty: Engine, sql_copy: Path) -> None:
    migrations.migrate(empty, sql_copy)
    (sql_copy / "010_reminders_notifications.sql").unlink()

    with pytest.raises(MigrationError) as refused:
        migrations.migrate(empty, sql_copy)

    assert refused.value.version == "010"


def test_a_failing_migration_leaves_no_trace_and_later_ones_do_not_run(empty: Engine, sql_copy: Path) -> None:
    (sql_copy / "900_half_done.sql").write_text("CREATE TABLE half_done (id INT);\nSELECT no_such_function();\n")
    (sql_copy / "901_after.sql").write_text("CREATE TABLE after_failure (id INT);")

    with pytest.raises(MigrationError) as failed:
        migrations.migrate(empty, sql_copy)

    assert failed.value.version == "900"
    assert not {"half_done", "after_failure"} & _tables(empty)
    assert [v for v, _ in _recorded(empty)] == ALL_VERSIONS


def test_command_line_entry_point_migrates_the_database_url(make_database: Callable[[], str]) -> None:
    url = make_database()
    env = {**os.environ, "DATABASE_URL": url}

    first = subprocess.run(
        [sys.executable, "-m", "functions.shared.migrations"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    again = subprocess.run(
        [sys.executable, "-m", "functions.shared.migrations"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )

    assert first.returncode == 0, first.stderr
    assert f"applied {len(ALL_VERSIONS)} migration(s)" in first.stderr
    assert again.returncode == 0 and "none, schema is current" in again.stderr
