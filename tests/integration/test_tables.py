"""tables.py mirrors the schema that sql/ builds: same tables, columns and nullability."""

from __future__ import annotations

from sqlalchemy import Connection, text

from functions.shared.tables import metadata


def test_every_table_and_column_matches_the_migrated_schema(conn: Connection) -> None:
    rows = conn.execute(
        text(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name <> 'schema_migrations'"
        )
    )
    in_database = {(table, column, nullable) for table, column, nullable in rows}
    in_code = {(t.name, c.name, bool(c.nullable) and not c.primary_key) for t in metadata.sorted_tables for c in t.c}

    assert in_code == in_database
