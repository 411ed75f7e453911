"""An import killed with SIGKILL halfway through writing leaves no partial rows (DESIGN §10).

``lsphub import`` runs in a subprocess against a scratch database (a file on SQLite, a
database of its own beside the test database on PostgreSQL); it is killed as soon as it
reports that task rows are being written, then the database is checked for leftovers and the
same import is run to completion.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.import_bench import generate, prepare  # noqa: E402

ROWS = 40_000
TABLES = ("task", "action", "outcome", "status_update", "import_record", "action_plan")


@pytest.fixture
def scratch_url(dialect: str, tmp_path: Path) -> Iterator[str]:
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'kill.db'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{base.database}_kill"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no CREATE DATABASE right: nothing to test with
        admin.dispose()
        pytest.skip(f"cannot create a scratch database: {exc}")
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    finally:
        engine.dispose()


def lsphub(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LSPHUB_DATABASE_URL": url, "LSPHUB_ENV": "dev"}
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "lsphub"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_import_leaves_no_partial_rows(scratch_url: str, tmp_path: Path) -> None:
    prepare(scratch_url)
    file = tmp_path / "tasks.csv"
    generate(file, ROWS)
    before = counts(scratch_url)

    proc = lsphub(scratch_url, "import", "tasks", str(file))
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    for line in proc.stderr:  # progress lines: "writing tasks 5000/40000"
        seen = line
        if line.startswith("writing tasks") or time.monotonic() > deadline:
            break
    assert seen.startswith("writing tasks"), f"never started writing tasks: {seen!r}"
    done, total = seen.split()[-1].split("/")
    assert 0 < int(done) < int(total) == ROWS  # really halfway
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert counts(scratch_url) == before  # nothing of the import survived

    rerun = lsphub(scratch_url, "import", "tasks", str(file))
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    after = counts(scratch_url)
    assert after["task"] == before["task"] + ROWS
    assert after["import_record"] == before["import_record"] + 1


def test_cli_exit_codes(scratch_url: str, tmp_path: Path) -> None:
    prepare(scratch_url)
    good = tmp_path / "tasks.csv"
    generate(good, 20)
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace(",GREEN,", ",TEAL,"))

    dry = lsphub(scratch_url, "import", "tasks", str(good), "--dry-run")
    out, err = dry.communicate(timeout=120)
    assert dry.returncode == 0, err
    assert "Dry run tasks: 20 rows" in out and counts(scratch_url)["task"] == 0

    rejected = lsphub(scratch_url, "import", "tasks", str(bad))
    out, err = rejected.communicate(timeout=120)
    assert rejected.returncode == 1
    assert "TEAL" in err and "nothing was imported" in err

    missing = lsphub(scratch_url, "import", "tasks", str(tmp_path / "nope.csv"))
    missing.communicate(timeout=60)
    assert missing.returncode == 2

    unknown = lsphub(scratch_url, "import", "spaceships", str(good))
    unknown.communicate(timeout=60)
    assert unknown.returncode == 2
