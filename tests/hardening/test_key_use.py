"""An API key's last use is recorded (to the minute) on a live server, where the request's
session and the bookkeeping write have connections of their own, as in production."""

from datetime import UTC, datetime, timedelta

from tests.live import LiveServer


def test_last_use_is_recorded_without_changing_the_keys_version(live: LiveServer) -> None:
    with live.client() as admin:
        created = admin.post("/api/v1/api-keys", json={"name": "Key use", "role": "county"})
        assert created.status_code == 201, created.text
        key, url = created.json()["key"], f"/api/v1/api-keys/{created.json()['id']}"
        before = admin.get(url).json()
        assert before["last_used_at"] is None

        started = datetime.now(UTC) - timedelta(seconds=1)
        with live.client() as county:
            county.headers["Authorization"] = f"Bearer {key}"
            assert county.get("/api/v1/me").status_code == 200  # a read
            assert county.get("/api/v1/indicators").status_code == 200

        used = admin.get(url).json()
        assert used["last_used_at"] is not None
        assert started <= datetime.fromisoformat(used["last_used_at"]) <= datetime.now(UTC)
        # Bookkeeping, not an edit: the version (ETag) and updated_at stay as they were.
        assert (used["version"], used["updated_at"]) == (before["version"], before["updated_at"])
        events = admin.get("/api/v1/audit-events", params={"resource": "api_key"}).json()
        assert all(
            e["action"] != "update" for e in events["items"] if e["resource_id"] == str(used["id"])
        )
