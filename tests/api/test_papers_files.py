"""Papers as files (issue 16 part 3): uploads sniffed and capped, stored once per content in
chunks, downloads only for those who may read the paper, papers on an agenda kept."""

import asyncio
import hashlib
import math
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.core.db import SessionLocal
from api.core.settings import get_settings
from api.papers import service
from api.papers.models import CHUNK_BYTES
from tests import papers_files as files
from tests.api.governance_fixtures import API, ok

PDF = "application/pdf"


def own_partnership(db: Connection) -> int:
    """A partnership the demo officer manages and the demo member belongs to."""
    return db.execute(
        text(
            "SELECT o.partnership_id FROM membership o JOIN membership m "
            "ON m.partnership_id = o.partnership_id "
            "JOIN \"user\" uo ON uo.person_id = o.person_id AND uo.email = 'officer@example.org' "
            "JOIN \"user\" um ON um.person_id = m.person_id AND um.email = 'member@example.org' "
            "WHERE o.role IN ('officer', 'chair', 'vice_chair') AND o.ended_on IS NULL "
            "AND m.ended_on IS NULL ORDER BY o.partnership_id LIMIT 1"
        )
    ).scalar_one()


def foreign_partnership(db: Connection) -> int:
    """A partnership neither the demo officer nor the demo member belongs to."""
    return db.execute(
        text(
            "SELECT min(id) FROM partnership WHERE id NOT IN (SELECT m.partnership_id "
            'FROM membership m JOIN "user" u ON u.person_id = m.person_id '
            "WHERE u.email IN ('officer@example.org', 'member@example.org'))"
        )
    ).scalar_one()


def new_paper(client: TestClient, partnership_id: int, **extra: Any) -> int:
    body = {"partnership_id": partnership_id, "title": "Housing needs survey", **extra}
    return ok(client.post(f"{API}/reports", json=body), 201)["id"]


def upload(
    client: TestClient, report_id: int, data: bytes, name: str = "paper.pdf", ctype: str = PDF
) -> Any:
    return client.put(f"{API}/reports/{report_id}/file", files={"file": (name, data, ctype)})


def blob_rows(db: Connection, data: bytes) -> tuple[int, int]:
    sha = hashlib.sha256(data).hexdigest()
    blobs = db.execute(text("SELECT count(*) FROM paper_blob WHERE sha256 = :s"), {"s": sha})
    chunks = db.execute(text("SELECT count(*) FROM paper_chunk WHERE sha256 = :s"), {"s": sha})
    return blobs.scalar_one(), chunks.scalar_one()


def a_meeting(client: TestClient, partnership_id: int) -> int:
    body = {
        "partnership_id": partnership_id,
        "title": "Sub-group meeting",
        "starts_at": "2030-03-04T14:00:00Z",
        "public": False,
    }
    return ok(client.post(f"{API}/meetings", json=body), 201)["id"]


def on_agenda(client: TestClient, meeting_id: int, report_id: int, title: str = "Paper") -> int:
    body = {"meeting_id": meeting_id, "title": title, "report_id": report_id}
    return ok(client.post(f"{API}/agenda-items", json=body), 201)["id"]


class TestUpload:
    @pytest.mark.parametrize(
        ("name", "make", "ctype"),
        [
            ("paper.pdf", files.pdf, PDF),
            ("chart.png", files.png, "image/png"),
            ("photo.JPG", files.jpeg, "image/jpeg"),
            ("report.docx", files.docx, "application/octet-stream"),
            (
                "figures.xlsx",
                files.xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("minutes.odt", files.odt, "application/vnd.oasis.opendocument.text"),
        ],
    )
    def test_each_accepted_type_round_trips(
        self, client: TestClient, db: Connection, name: str, make: Any, ctype: str
    ) -> None:
        report = new_paper(client, own_partnership(db))
        data = make()
        r = upload(client, report, data, name, ctype)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["name"] == name and body["size"] == len(data)
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        got = client.get(body["download_url"])
        assert got.status_code == 200 and got.content == data
        assert got.headers["content-type"].startswith(body["content_type"])
        assert got.headers["etag"] == f'"{body["sha256"]}"'
        again = client.get(body["download_url"], headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304

    @pytest.mark.parametrize(
        ("name", "data", "ctype"),
        [
            ("paper.pdf", files.png(), PDF),  # a PNG dressed as a PDF
            ("paper.pdf", files.pdf(), "image/png"),  # declared type disagrees
            ("paper.docx", files.pdf(), PDF),  # extension disagrees
            ("report.docx", files.plain_zip(), "application/octet-stream"),  # any zip
            ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 60, PDF),  # an executable
            ("paper.odt", files.docx(), "application/vnd.oasis.opendocument.text"),
        ],
    )
    def test_spoofed_type_is_422_and_stores_nothing(
        self, client: TestClient, db: Connection, name: str, data: bytes, ctype: str
    ) -> None:
        report = new_paper(client, own_partnership(db))
        r = upload(client, report, data, name, ctype)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] in (
            "/problems/file-type-mismatch",
            "/problems/unsupported-file-type",
        )
        assert r.json()["errors"][0]["loc"] == ["body", "file"]
        assert blob_rows(db, data) == (0, 0)
        assert client.get(f"{API}/reports/{report}/file").status_code == 404

    def test_oversize_is_413(
        self, client: TestClient, db: Connection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "max_paper_bytes", 1000)
        report = new_paper(client, own_partnership(db))
        at_limit = files.pdf(pad=1000 - len(files.pdf()))
        assert len(at_limit) == 1000
        assert upload(client, report, at_limit).status_code == 201
        over = files.pdf(pad=1001 - len(files.pdf()))
        r = upload(client, report, over)
        assert r.status_code == 413 and r.json()["type"] == "/problems/payload-too-large"
        assert blob_rows(db, over) == (0, 0)
        assert client.get(f"{API}/reports/{report}/file").content == at_limit

    def test_identical_files_are_stored_once(self, client: TestClient, db: Connection) -> None:
        pid = own_partnership(db)
        data = files.pdf(pad=2 * CHUNK_BYTES + 10)  # three chunks
        one, two = new_paper(client, pid), new_paper(client, pid, title="Copy")
        assert upload(client, one, data, "a.pdf").status_code == 201
        assert upload(client, two, data, "b.pdf").status_code == 201
        assert blob_rows(db, data) == (1, math.ceil(len(data) / CHUNK_BYTES)) == (1, 3)
        assert client.get(f"{API}/reports/{two}/file").content == data
        # Removing one copy keeps the bytes for the other; removing both frees them.
        assert client.delete(f"{API}/reports/{one}/file").status_code == 204
        assert blob_rows(db, data) == (1, 3)
        assert client.delete(f"{API}/reports/{two}/file").status_code == 204
        assert blob_rows(db, data) == (0, 0)

    def test_replacing_a_file_frees_the_old_bytes_and_bumps_the_version(
        self, client: TestClient, db: Connection
    ) -> None:
        report = new_paper(client, own_partnership(db))
        first, second = files.pdf("first"), files.pdf("second")
        assert upload(client, report, first).status_code == 201
        version = client.get(f"{API}/reports/{report}").json()["version"]
        r = upload(client, report, second, "second.pdf")
        assert r.status_code == 200 and r.json()["name"] == "second.pdf"
        assert client.get(f"{API}/reports/{report}").json()["version"] == version + 1
        assert blob_rows(db, first) == (0, 0)
        assert client.get(f"{API}/reports/{report}/file").content == second

    def test_a_failed_transaction_leaves_nothing(
        self, client: TestClient, db: Connection, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        report = new_paper(client, own_partnership(db))
        data = files.pdf(pad=CHUNK_BYTES)  # two chunks written before the failure

        def fail(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(service.audit, "record", fail)
        r = upload(client, report, data)
        assert r.status_code == 500
        monkeypatch.undo()
        assert blob_rows(db, data) == (0, 0)
        assert client.get(f"{API}/reports/{report}/file").status_code == 404

    def test_file_name_is_cleaned(self, client: TestClient, db: Connection) -> None:
        report = new_paper(client, own_partnership(db))
        r = upload(client, report, files.pdf(), "C:\\Users\\me\\..\\Plan 2030.pdf")
        assert r.status_code == 201 and r.json()["name"] == "Plan 2030.pdf"
        got = client.get(f"{API}/reports/{report}/file")
        assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''Plan%202030.pdf"

    def test_a_missing_file_part_is_422(self, client: TestClient, db: Connection) -> None:
        report = new_paper(client, own_partnership(db))
        r = client.put(f"{API}/reports/{report}/file", data={"other": "x"})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


class TestWhoMay:
    def test_officer_uploads_member_reads_partner_and_outsider_do_not(
        self, client: TestClient, db: Connection, as_role: Any
    ) -> None:
        report = new_paper(client, own_partnership(db))
        officer, member, partner = as_role("officer"), as_role("member"), as_role("partner")
        assert upload(member, report, files.pdf()).status_code == 403
        assert upload(officer, report, files.pdf()).status_code == 201
        assert member.get(f"{API}/reports/{report}/file").status_code == 200
        assert partner.get(f"{API}/reports/{report}/file").status_code == 403
        assert member.delete(f"{API}/reports/{report}/file").status_code == 403

    def test_download_by_someone_who_may_not_see_the_meeting_is_404(
        self, client: TestClient, db: Connection, as_role: Any
    ) -> None:
        foreign = foreign_partnership(db)
        report = new_paper(client, foreign)
        meeting = a_meeting(client, foreign)
        on_agenda(client, meeting, report)
        assert upload(client, report, files.pdf("private")).status_code == 201
        for role in ("officer", "member"):
            who = as_role(role)
            assert who.get(f"{API}/meetings/{meeting}").status_code == 404
            r = who.get(f"{API}/reports/{report}/file")
            assert r.status_code == 404, role
            assert r.headers["content-type"] == "application/problem+json"
            assert b"private" not in r.content
            assert upload(who, report, files.pdf()).status_code == 404
            assert who.delete(f"{API}/reports/{report}/file").status_code == 404
        assert as_role("county").get(f"{API}/reports/{report}/file").status_code == 200


class TestOnAgenda:
    def test_a_paper_on_an_agenda_cannot_be_deleted(
        self, client: TestClient, db: Connection
    ) -> None:
        pid = own_partnership(db)
        report = new_paper(client, pid)
        assert upload(client, report, files.pdf()).status_code == 201
        item = on_agenda(client, a_meeting(client, pid), report)
        r = client.delete(f"{API}/reports/{report}")
        assert r.status_code == 409 and r.json()["type"] == "/problems/in-use"
        r = client.delete(f"{API}/reports/{report}/file")
        assert r.status_code == 409 and r.json()["type"] == "/problems/paper-on-agenda"
        assert client.get(f"{API}/reports/{report}/file").status_code == 200
        # Off the agenda, the paper and its file go, and so do the bytes (swept).
        ok(client.patch(f"{API}/agenda-items/{item}", json={"report_id": None}))
        assert client.delete(f"{API}/reports/{report}").status_code == 204
        assert blob_rows(db, files.pdf()) == (1, 1)
        with SessionLocal() as session, session.begin():
            assert service.sweep_orphan_blobs(session, None) >= 1  # type: ignore[arg-type]
        assert blob_rows(db, files.pdf()) == (0, 0)


# -- memory: a large upload and download never hold the file ------------------------------------

LARGE = 24 * 1024 * 1024
PIECE = 64 * 1024
BOUNDARY = "papermemorytestboundary"


def _piece(i: int) -> bytes:
    return (b"%PDF-1.4\n" + bytes(PIECE - 9)) if i == 0 else bytes([i % 251]) * PIECE


async def _call(app: FastAPI, method: str, path: str, headers: list[tuple[bytes, bytes]],
                body: AsyncIterator[bytes]) -> tuple[int, int, str]:  # fmt: skip
    """One request straight into the ASGI app, the body fed piece by piece; returns status,
    bytes received and their SHA-256, keeping none of them."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "scheme": "http",
        "root_path": "",
    }
    pending = body.__aiter__()
    done = False
    status, received, digest = 0, 0, hashlib.sha256()

    async def receive() -> dict[str, Any]:
        nonlocal done
        if done:
            await asyncio.sleep(3600)
        try:
            return {"type": "http.request", "body": await pending.__anext__(), "more_body": True}
        except StopAsyncIteration:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, received
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            received += len(message.get("body", b""))
            digest.update(message.get("body", b""))

    await app(scope, receive, send)
    return status, received, digest.hexdigest()


class TestMemory:
    def test_large_upload_and_download_stay_flat(
        self, app: FastAPI, client: TestClient, db: Connection, credentials: dict[str, str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setattr(get_settings(), "max_paper_bytes", 2 * LARGE)
        report = new_paper(client, own_partnership(db))
        pieces = LARGE // PIECE
        expected = hashlib.sha256()
        for i in range(pieces):
            expected.update(_piece(i))
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="large.pdf"\r\nContent-Type: {PDF}\r\n\r\n'
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()

        async def multipart() -> AsyncIterator[bytes]:
            yield head
            for i in range(pieces):
                yield _piece(i)
            yield tail

        auth = (b"authorization", f"Bearer {credentials['admin']}".encode())
        upload_headers = [
            auth,
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(len(head) + LARGE + len(tail)).encode()),
        ]

        async def nothing() -> AsyncIterator[bytes]:
            return
            yield b""

        path = f"/api/v1/reports/{report}/file"
        tracemalloc.start()
        try:
            status, _, _ = asyncio.run(_call(app, "PUT", path, upload_headers, multipart()))
            _, upload_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            got = asyncio.run(_call(app, "GET", path, [auth], nothing()))
            _, download_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert status == 201
        assert got == (200, LARGE, expected.hexdigest())
        # Well below the file's 24 MiB: a few chunks in flight at most.
        assert upload_peak < LARGE / 6, upload_peak
        assert download_peak < LARGE / 6, download_peak
        mib = 2**20
        print(f"\npeak {upload_peak / mib:.1f} MiB up, {download_peak / mib:.1f} MiB down")
