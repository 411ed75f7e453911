"""Papers in the LSP report form at /api/v1/reports, attachable to agenda items."""

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def indicator_ids(client: TestClient, n: int) -> list[int]:
    items = client.get("/api/v1/indicators", params={"limit": n}).json()["items"]
    return [i["id"] for i in items]


def paper(partnership_id: int | None, **extra: object) -> dict:
    return {
        "partnership_id": partnership_id,
        "title": "Performance report: quarter 2",
        "description": "Progress against the action plan",
        "purpose": "To note progress and agree the planned improvements",
        "circulation": "Members of the sub-group",
        "author": "Partnership officer",
        "contact": "officer@example.org, 01234 567890",
        "published_on": "2008-10-01",
        "target_audience": "Sub-group members",
        "cross_reference": "Community strategy outcome 2.1",
        "narrative": "Two tasks are red; recovery plans are attached.",
        "decision_required": "Agree the recovery plans",
        **extra,
    }


def a_partnership(client: TestClient) -> int:
    return client.get("/api/v1/partnerships", params={"limit": 1}).json()["items"][0]["id"]


class TestCrud:
    def test_create_read_with_indicators(self, client: TestClient) -> None:
        ids = indicator_ids(client, 2)
        r = client.post("/api/v1/reports", json=paper(a_partnership(client), indicator_ids=ids))
        assert r.status_code == 201, r.text
        body = r.json()
        assert r.headers["location"] == f"/api/v1/reports/{body['id']}"
        assert r.headers["etag"] == '"1"'
        assert body["indicator_ids"] == sorted(ids)
        got = client.get(r.headers["location"])
        assert got.status_code == 200 and got.json() == body
        assert got.headers["etag"] == '"1"'
        for field in ("purpose", "circulation", "narrative", "decision_required"):
            assert got.json()[field] == paper(None)[field]

    def test_list_filters(self, client: TestClient) -> None:
        ids = indicator_ids(client, 3)
        pid = a_partnership(client)
        one = client.post("/api/v1/reports", json=paper(pid, indicator_ids=ids[:1])).json()
        two = client.post(
            "/api/v1/reports", json=paper(None, title="Annual review", indicator_ids=ids[1:])
        ).json()
        page = client.get("/api/v1/reports", params={"indicator_id": ids[0]}).json()
        found = {r["id"]: r for r in page["items"]}
        assert one["id"] in found and two["id"] not in found
        assert all(ids[0] in r["indicator_ids"] for r in found.values())
        page = client.get("/api/v1/reports", params={"q": "annual review"}).json()
        assert [r["id"] for r in page["items"]] == [two["id"]]
        page = client.get("/api/v1/reports", params={"partnership_id": pid}).json()
        assert one["id"] in {r["id"] for r in page["items"]}
        assert set(page) == {"items", "total", "limit", "offset"}

    def test_patch_replaces_links_and_bumps_the_version(self, client: TestClient) -> None:
        ids = indicator_ids(client, 3)
        created = client.post("/api/v1/reports", json=paper(None, indicator_ids=ids[:2])).json()
        path = f"/api/v1/reports/{created['id']}"
        r = client.patch(path, json={"indicator_ids": ids[2:]}, headers={"If-Match": '"1"'})
        assert r.status_code == 200, r.text
        assert r.json()["indicator_ids"] == ids[2:]
        assert r.json()["version"] == 2 and r.headers["etag"] == '"2"'
        stale = client.patch(path, json={"title": "New"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        r = client.patch(path, json={"title": "New"})
        assert r.json()["title"] == "New" and r.json()["indicator_ids"] == ids[2:]

    def test_missing_indicator_is_422_naming_the_field(self, client: TestClient) -> None:
        r = client.post("/api/v1/reports", json=paper(None, indicator_ids=[2147483647]))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "indicator_ids"]

    def test_title_is_required_and_unknown_fields_refused(self, client: TestClient) -> None:
        body = paper(None)
        del body["title"]
        assert client.post("/api/v1/reports", json=body).status_code == 422
        r = client.post("/api/v1/reports", json=paper(None, secret="x"))
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


class TestDemo:
    def test_demo_meetings_carry_performance_report_papers(self, client: TestClient) -> None:
        papers = client.get("/api/v1/reports", params={"limit": 100}).json()["items"]
        assert len(papers) == 5  # one per active thematic group
        assert all(p["indicator_ids"] and p["decision_required"] for p in papers)
        items = client.get("/api/v1/agenda-items", params={"limit": 500}).json()["items"]
        attached = {i["report_id"] for i in items if i["report_id"] is not None}
        assert attached == {p["id"] for p in papers}


class TestAgendaItems:
    def test_attach_to_an_agenda_item_then_delete_needs_detaching(self, client: TestClient) -> None:
        created = client.post("/api/v1/reports", json=paper(None)).json()
        item = client.get("/api/v1/agenda-items", params={"limit": 1}).json()["items"][0]
        r = client.patch(f"/api/v1/agenda-items/{item['id']}", json={"report_id": created["id"]})
        assert r.status_code == 200 and r.json()["report_id"] == created["id"]
        r = client.delete(f"/api/v1/reports/{created['id']}")
        assert r.status_code == 409 and r.json()["type"] == "/problems/in-use"
        client.patch(f"/api/v1/agenda-items/{item['id']}", json={"report_id": None})
        assert client.delete(f"/api/v1/reports/{created['id']}").status_code == 204
        assert client.get(f"/api/v1/reports/{created['id']}").status_code == 404

    def test_deleting_a_paper_removes_its_indicator_links(self, client: TestClient) -> None:
        ids = indicator_ids(client, 1)
        created = client.post("/api/v1/reports", json=paper(None, indicator_ids=ids)).json()
        assert client.delete(f"/api/v1/reports/{created['id']}").status_code == 204
        left = client.get("/api/v1/reports", params={"indicator_id": ids[0]}).json()
        assert created["id"] not in {r["id"] for r in left["items"]}


class TestAccess:
    def test_county_reads_every_paper_but_writes_none(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        created = client.post("/api/v1/reports", json=paper(a_partnership(client))).json()
        county = as_role("county")
        assert county.get(f"/api/v1/reports/{created['id']}").status_code == 200
        assert county.post("/api/v1/reports", json=paper(None)).status_code == 403

    def test_members_see_their_partnerships_papers_only(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        mine = {p["id"] for p in member.get("/api/v1/dashboard").json()["partnerships"]}
        everyone = client.get("/api/v1/partnerships", params={"limit": 100}).json()["items"]
        other = next(p["id"] for p in everyone if p["id"] not in mine)
        theirs = client.post("/api/v1/reports", json=paper(other)).json()
        ours = client.post("/api/v1/reports", json=paper(next(iter(mine)))).json()
        general = client.post("/api/v1/reports", json=paper(None)).json()
        assert member.get(f"/api/v1/reports/{theirs['id']}").status_code == 404
        assert member.get(f"/api/v1/reports/{ours['id']}").status_code == 200
        assert member.get(f"/api/v1/reports/{general['id']}").status_code == 200
        listed = {r["id"] for r in member.get("/api/v1/reports").json()["items"]}
        assert theirs["id"] not in listed and ours["id"] in listed
        assert member.post("/api/v1/reports", json=paper(next(iter(mine)))).status_code == 403

    def test_officers_write_their_partnerships_papers(self, as_role) -> None:  # type: ignore[no-untyped-def]
        officer = as_role("officer")
        mine = officer.get("/api/v1/dashboard").json()["partnerships"]
        managed = next(p["id"] for p in mine if p["role"] == "officer")
        r = officer.post("/api/v1/reports", json=paper(managed))
        assert r.status_code == 201, r.text
        assert officer.post("/api/v1/reports", json=paper(None)).status_code == 403

    def test_partner_keys_read_no_papers(self, as_role) -> None:  # type: ignore[no-untyped-def]
        assert as_role("partner").get("/api/v1/reports").status_code == 403

    def test_anonymous_is_401(self, anon: TestClient) -> None:
        assert anon.get("/api/v1/reports").status_code == 401
