"""Backups: ``lsphub export-all`` then ``lsphub restore`` into an empty database round-trips."""

import json
from pathlib import Path

import pytest

from tests.live import create_admin_key, fresh_database, lsphub


@pytest.fixture(scope="module")
def backup(live_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    create_admin_key(live_db)  # an API key hash must survive the round trip too
    path = tmp_path_factory.mktemp("backup") / "lsphub.json"
    lsphub(live_db, "export-all", str(path))
    return path


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class TestRoundTrip:
    def test_export_restore_export_is_equal(self, backup: Path, tmp_path: Path) -> None:
        first = load(backup)
        assert first["format"] == "lsphub-backup"
        tables = first["tables"]
        for name in ("user", "api_key", "task", "status_update", "meeting", "audit_event"):
            assert tables[name], f"no {name} rows in the backup"
        assert all(row["key_hash"] for row in tables["api_key"])
        assert all(row["password_hash"] for row in tables["user"])

        with fresh_database("lsphub_hard_restore", seed=False) as empty:
            lsphub(empty, "restore", str(backup))
            again = tmp_path / "again.json"
            lsphub(empty, "export-all", str(again))
            restored = load(again)
            for name, rows in first["tables"].items():
                assert restored["tables"][name] == rows, name
            assert restored == first
            # ids continue after the restored ones (PostgreSQL sequences were moved on)
            create_admin_key(empty)

    def test_restore_refuses_a_database_with_data(self, backup: Path, live_db: str) -> None:
        with pytest.raises(RuntimeError, match="not empty"):
            lsphub(live_db, "restore", str(backup))

    def test_restore_refuses_something_else(self, tmp_path: Path, live_db: str) -> None:
        other = tmp_path / "other.json"
        other.write_text('{"tables": {}}', encoding="utf-8")
        with pytest.raises(RuntimeError, match="not an lsphub-backup"):
            lsphub(live_db, "restore", str(other))
