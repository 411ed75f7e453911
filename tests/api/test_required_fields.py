"""A PATCH that sets a required field to null is a 422 naming the field, not a conflict."""

from fastapi.testclient import TestClient

API = "/api/v1"


class TestNullForARequiredField:
    def test_a_webhook_url_may_not_be_null(self, client: TestClient) -> None:
        created = client.post(
            f"{API}/webhooks",
            json={
                "url": "https://hooks.example.org/lsphub",
                "events": ["meeting.updated"],
                "secret": "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=",
            },
        )
        assert created.status_code == 201, created.text
        r = client.patch(
            f"{API}/webhooks/{created.json()['id']}",
            json={"url": None},
            headers={"If-Match": created.headers["ETag"]},
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == [{"loc": ["body", "url"], "msg": "may not be null"}]

    def test_a_task_title_may_not_be_null(self, client: TestClient) -> None:
        task = client.get(f"{API}/tasks", params={"limit": 1}).json()["items"][0]
        r = client.patch(f"{API}/tasks/{task['id']}", json={"title": None})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "title"]
        assert client.get(f"{API}/tasks/{task['id']}").json()["title"] == task["title"]
