"""Migration files are discovered in version order, and badly named or duplicate versions are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from functions.shared import migrations
from functions.shared.errors import MigrationError


def test_the_repository_migrations_are_numbered_without_gaps() -> None:
    versions = [int(m.version) for m in migrations.discover()]

    assert versions == list(range(len(versions)))


def test_order_is_by_version_and_checksum_tracks_content(tmp_path: Path) -> None:
    (tmp_path / "010_later.sql").write_text("SELECT 2;")
    (tmp_path / "002_earlier.sql").write_text("SELECT 1;")

    found = migrations.discover(tmp_path)

    assert [(m.version, m.name) for m in found] == [("002", "earlier"), ("010", "later")]
    assert found[0].checksum != migrations.Migration("002", "earlier", "SELECT 1; ").checksum


@pytest.mark.parametrize("name", ["2_short.sql", "002-dash.sql", "002_Upper.sql", "abc_tags.sql"])
def test_badly_named_files_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("SELECT 1;")

    with pytest.raises(MigrationError, match="NNN_lower_snake"):
        migrations.discover(tmp_path)


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    (tmp_path / "003_one.sql").write_text("SELECT 1;")
    (tmp_path / "003_two.sql").write_text("SELECT 2;")

    with pytest.raises(MigrationError) as duplicate:
        migrations.discover(tmp_path)

    assert duplicate.value.version == "003"
