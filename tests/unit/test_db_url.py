"""DATABASE_URL in libpq form becomes a pg8000 URL, Unix socket folders included."""

from __future__ import annotations

import pytest

from functions.shared.db import server_error, sqlalchemy_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db.example:6543/taskfn", "postgresql+pg8000://u:p@db.example:6543/taskfn"),
        ("postgres://u:p@db/taskfn", "postgresql+pg8000://u:p@db/taskfn"),
        ("postgresql+psycopg://u@db/taskfn", "postgresql+pg8000://u@db/taskfn"),
        (
            "postgresql://postgres:@/taskfn?host=/work/.data/pg",
            "postgresql+pg8000://postgres:@/taskfn?unix_sock=/work/.data/pg/.s.PGSQL.5432",
        ),
        (
            "postgresql://postgres@:5433/taskfn?host=/run/pg",
            "postgresql+pg8000://postgres@/taskfn?unix_sock=/run/pg/.s.PGSQL.5433",
        ),
        ("postgresql://u@/taskfn?host=db.internal", "postgresql+pg8000://u@db.internal/taskfn"),
    ],
)
def test_maps_to_pg8000(given: str, expected: str) -> None:
    assert sqlalchemy_url(given).render_as_string(hide_password=False).replace("%2F", "/") == expected


def test_rejects_other_databases() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        sqlalchemy_url("mysql://u@db/taskfn")


def test_server_error_reads_postgres_fields() -> None:
    class FakeDriverError(Exception):
        pass

    class Wrapped(Exception):
        orig = FakeDriverError({"C": "23514", "M": "violates check", "n": "ck_tasks_status", "t": "tasks"})

    error = server_error(Wrapped())

    assert error is not None and error.is_integrity_violation
    assert (error.constraint, error.table) == ("ck_tasks_status", "tasks")
    assert server_error(ValueError("not from the server")) is None
