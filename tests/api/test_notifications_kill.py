"""The mail worker killed with SIGKILL in the middle of a batch loses nothing and sends
nothing twice (issue 19).

``lsphub send-mail`` runs as a process against a database of its own (a SQLite file, or a
scratch PostgreSQL database) and a real SMTP server that takes a moment to answer each message.
It is killed while the server is considering the fifth of twelve messages (not yet accepted:
no 250 was sent). After the lease runs out a second run sends the rest: every message arrives
exactly once.
"""

import signal
import subprocess
import time

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.notifications.models import MessageStatus, OutboxMessage
from api.notifications.outbox import build_message
from tests.live import BIN, ROOT, _base_env, fresh_database
from tests.mail_server import smtp_server

MESSAGES = 12
LEASE_SECONDS = 2


def _queue(url: str) -> None:
    engine = create_engine(url)
    try:
        with Session(engine) as session, session.begin():
            session.add_all(
                build_message(
                    to=f"member{i}@example.org",
                    subject=f"Message {i}",
                    template="minutes",
                    context={
                        "person": f"Member {i}",
                        "meeting": {"partnership": "P", "title": "M", "when": "w", "url": "u"},
                    },
                    category="other",  # type: ignore[arg-type]
                    dedupe_key=f"kill-test:{i}",
                )
                for i in range(MESSAGES)
            )
    finally:
        engine.dispose()


def _statuses(url: str) -> dict[str, MessageStatus]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return {
                m.message_id: MessageStatus(m.status)
                for m in session.scalars(select(OutboxMessage))
            }
    finally:
        engine.dispose()


def test_sigkill_mid_batch_loses_nothing_and_sends_nothing_twice() -> None:
    with fresh_database("lsphub_mailkill", seed=False) as url, smtp_server() as smtp:
        _queue(url)
        env = _base_env(
            url, {"LSPHUB_SMTP_URL": smtp.url, "LSPHUB_MAIL_LEASE_SECONDS": str(LEASE_SECONDS)}
        )
        smtp.handler.delay = 0.3
        proc = subprocess.Popen(
            [str(BIN / "lsphub"), "send-mail"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not (smtp.handler.count() >= 4 and smtp.handler.in_flight()):
            assert proc.poll() is None, "the worker ended before it could be killed"
            assert time.monotonic() < deadline, "the worker never got going"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        time.sleep(smtp.handler.delay + 0.2)  # the server drops the message in flight

        accepted = [r.message["Message-ID"] for r in smtp.received]
        statuses = _statuses(url)
        assert 4 <= len(accepted) < MESSAGES  # really halfway
        assert {m for m, s in statuses.items() if s == MessageStatus.sent} == set(accepted)

        time.sleep(LEASE_SECONDS)  # what the dead worker claimed is due again
        smtp.handler.delay = 0
        rerun = subprocess.run(
            [str(BIN / "lsphub"), "send-mail"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr
        received = [r.message["Message-ID"] for r in smtp.received]
        assert len(received) == len(set(received)) == MESSAGES  # every one, once
        assert set(_statuses(url).values()) == {MessageStatus.sent}
