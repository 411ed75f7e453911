"""``lsphub export``/``import`` with ``--url`` and ``--api-key`` against a live server."""

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import BIN, LiveServer, fresh_database, live_server


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with fresh_database("lsphub_import_remote") as url, live_server(url) as server:
        yield server


def cli(live: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lsphub"), *args, "--url", live.url, "--api-key", live.admin_key],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_edit_import_round_trip_over_http(live: LiveServer, tmp_path: Path) -> None:
    file = tmp_path / "tasks.csv"
    exported = cli(live, "export", "tasks", "-o", str(file))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
    assert rows and list(rows[0])[:3] == ["partnership", "outcome_code", "outcome_title"]

    same = cli(live, "import", "tasks", str(file))
    assert same.returncode == 0, same.stderr
    assert f"0 created, 0 updated, {len(rows)} unchanged" in same.stdout

    rows[0]["title"] = "Edited over the API"
    write(file, rows)
    changed = cli(live, "import", "tasks", str(file))
    assert changed.returncode == 0, changed.stderr
    assert f"0 created, 1 updated, {len(rows) - 1} unchanged" in changed.stdout

    rows[1]["rag"] = "TEAL"
    write(file, rows)
    rejected = cli(live, "import", "tasks", str(file))
    assert rejected.returncode == 1
    assert "TEAL" in rejected.stderr and "nothing was imported" in rejected.stderr


def write(file: Path, rows: list[dict[str, str]]) -> None:
    with file.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_bad_key_could_not_run(live: LiveServer, tmp_path: Path) -> None:
    file = tmp_path / "t.csv"
    file.write_text("partnership\n")
    result = subprocess.run(
        [str(BIN / "lsphub"), "import", "tasks", str(file), "--url", live.url, "--api-key", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "401" in result.stderr
