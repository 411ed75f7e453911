"""``lsphub audit verify`` on committed databases: the demo data passes, a database tampered
with behind the API's back fails naming the event, migration 0004 chains the events an
installation already holds exactly as the service would have, concurrent writers end in one
chain, and ``lsphub worker`` links what a crash left pending."""

import json
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.hardening.conftest import is_postgres
from tests.live import fresh_database, live_server, lsphub, run, verified_chain
from tests.tamper import triggers_dropped


@pytest.fixture(scope="module")
def chained_db() -> Iterator[str]:
    """Demo data plus the events of issuing (and revoking) the demo keys."""
    with fresh_database("lsphub_hard_chain") as url:
        lsphub(url, "demo-credentials")
        lsphub(url, "demo-credentials")
        yield url


def set_principal(url: str, seq: int, principal: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn, triggers_dropped(conn):
            conn.execute(
                text("UPDATE audit_event SET principal = :p WHERE seq = :s"),
                {"p": principal, "s": seq},
            )
    finally:
        engine.dispose()


def event_at(url: str, seq: int) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM audit_event WHERE seq = :s"), {"s": seq})
            return dict(row.mappings().one())
    finally:
        engine.dispose()


class TestVerifyCommand:
    def test_the_demo_data_passes(self, chained_db: str) -> None:
        count, tip = verified_chain(chained_db)
        assert count >= 5
        assert tip.startswith(f"{count}:")

    def test_a_tampered_event_fails_it_by_id(self, chained_db: str) -> None:
        count, _ = verified_chain(chained_db)
        target = event_at(chained_db, count // 2)
        set_principal(chained_db, target["seq"], "user:1")
        try:
            done = run(chained_db, "lsphub", "audit", "verify")
            assert done.returncode == 1, done.stdout + done.stderr
            assert done.stdout.startswith(f"BROKEN after {target['seq'] - 1} good events")
            assert f"event id {target['id']} (seq {target['seq']})" in done.stdout
            assert f"stored {target['hash']}" in done.stdout
        finally:
            set_principal(chained_db, target["seq"], target["principal"])
        verified_chain(chained_db)

    def test_an_anchor_from_before_a_removal_fails_it(self, chained_db: str) -> None:
        count, tip = verified_chain(chained_db)
        assert "OK" in lsphub(chained_db, "audit", "verify", "--anchor", tip)
        done = run(chained_db, "lsphub", "audit", "verify", "--anchor", f"{count + 1}:{'a' * 64}")
        assert done.returncode == 1 and "events were rewritten or removed" in done.stdout
        done = run(chained_db, "lsphub", "audit", "verify", "--anchor", "not-an-anchor")
        assert done.returncode == 2 and "SEQ:HASH" in done.stderr


class TestMigration:
    def test_existing_events_are_chained_as_the_service_chains_them(self, chained_db: str) -> None:
        """Down to 0001 drops the chain (and the triggers); up to head rebuilds it, identical."""
        before = verified_chain(chained_db)
        for step in (("downgrade", "0001"), ("upgrade", "head")):
            done = run(chained_db, "alembic", *step)
            assert done.returncode == 0, done.stderr
        assert verified_chain(chained_db) == before
        with pytest.raises(AssertionError, match="append-only"):
            set_principal_without_dropping(chained_db)


def set_principal_without_dropping(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET principal = 'x'"))
    except Exception as exc:
        raise AssertionError(str(exc)) from exc
    finally:
        engine.dispose()


class TestBackup:
    def test_a_restored_backup_has_the_same_chain(self, chained_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
        backup = tmp_path / "backup.json"
        lsphub(chained_db, "export-all", str(backup))
        events = json.loads(backup.read_text(encoding="utf-8"))["tables"]["audit_event"]
        with fresh_database("lsphub_hard_chain_restore", seed=False) as empty:
            lsphub(empty, "restore", str(backup))
            newest = max(events, key=lambda e: e["seq"])
            assert verified_chain(empty) == (len(events), f"{newest['seq']}:{newest['hash']}")
            assert verified_chain(empty) == verified_chain(chained_db)


def count_events(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one())
    finally:
        engine.dispose()


class TestLinking:
    def test_concurrent_writers_end_in_one_gapless_chain(self) -> None:
        """32 threads post status updates at once through two workers: each request's events
        are linked after its commit, by whichever linker comes first, into one chain."""
        if not is_postgres(os.environ.get("TEST_DATABASE_URL", "")):
            pytest.skip("SQLite links in the writer's own transaction; no race to lose")
        writers = 32
        with fresh_database("lsphub_hard_link") as url, live_server(url, workers=2) as live:
            before, _ = verified_chain(url)
            with live.client() as client:
                tasks = client.get("/api/v1/tasks", params={"limit": writers}).json()["items"]
            barrier = threading.Barrier(writers)

            def post(i: int) -> httpx.Response:
                with live.client() as client:
                    client.get("/health")
                    barrier.wait(timeout=60)
                    return client.post(
                        f"/api/v1/tasks/{tasks[i]['id']}/status-updates",
                        json={"position": f"Racing writer {i}"},
                    )

            with ThreadPoolExecutor(max_workers=writers) as pool:
                responses = list(pool.map(post, range(writers)))
            assert [r.status_code for r in responses] == [201] * writers, responses[0].text
            after, _ = verified_chain(url)  # every stored event linked, no gap, no break
            assert after == count_events(url) >= before + writers
            assert "Traceback" not in live.log(), live.log()[-4000:]

    def test_the_worker_links_what_a_crash_left_pending(self) -> None:
        with fresh_database("lsphub_hard_pending") as url:
            before, _ = verified_chain(url)
            engine = create_engine(url)
            try:
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            "INSERT INTO audit_event (at, principal, action, resource) "
                            "VALUES (:at, 'cli', 'create', 'crash')"
                        ),
                        {"at": "2026-12-02 12:00:00+00:00"},
                    )
            finally:
                engine.dispose()
            out = lsphub(url, "audit", "verify")
            assert re.fullmatch(
                rf"OK: {before} events; tip \S+; 1 pending \(not linked yet\)\n", out
            )
            lsphub(url, "worker", "--once")
            assert verified_chain(url)[0] == before + 1
