"""Indicators, their links, LAA targets and measurements: validation and who may do what."""

import pytest
from fastapi.testclient import TestClient

AREA = "E07000078"


def indicator(client: TestClient, unit: str = "percent", code: str = "LOCAL 7") -> dict:
    r = client.post(
        "/api/v1/indicators",
        json={"code": code, "title": "Local test", "unit": unit, "polarity": "higher_is_better"},
    )
    assert r.status_code == 201, r.text
    return r.json()


def target_body(indicator_id: int, **extra: object) -> dict:
    return {
        "indicator_id": indicator_id,
        "area": AREA,
        "period": "2030-31",
        "baseline": 10,
        "target": 20,
        **extra,
    }


def measurement_body(indicator_id: int, **extra: object) -> dict:
    return {
        "indicator_id": indicator_id,
        "area": AREA,
        "period": "2030-31-Q1",
        "value": 12,
        "reported_on": "2030-07-15",
        **extra,
    }


class TestCatalogue:
    def test_national_indicators_are_loaded(self, client: TestClient) -> None:
        r = client.get("/api/v1/indicators", params={"national": True, "limit": 500})
        codes = {i["code"] for i in r.json()["items"]}
        assert {"NI 1", "NI 4", "NI 6", "NI 186"} <= codes


class TestAreaAndPeriod:
    @pytest.mark.parametrize("area", ["E0700007", "X07000078", "e07000078", "E070000789"])
    def test_area_must_be_an_ons_code(self, client: TestClient, area: str) -> None:
        ind = indicator(client)
        r = client.post("/api/v1/laa-targets", json=target_body(ind["id"], area=area))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "area"]

    @pytest.mark.parametrize("area", ["E07000078", "W06000015", "S12000033", "N09000003"])
    def test_area_in_every_nation(self, client: TestClient, area: str) -> None:
        ind = indicator(client)
        assert client.post("/api/v1/laa-targets", json=target_body(ind["id"], area=area)).is_success

    @pytest.mark.parametrize("period", ["2008-10", "2008", "2008-09-Q0", "2008-09-Q5", "08-09"])
    def test_bad_periods(self, client: TestClient, period: str) -> None:
        ind = indicator(client)
        r = client.post("/api/v1/measurements", json=measurement_body(ind["id"], period=period))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "period"]

    @pytest.mark.parametrize("period", ["2008-09", "2008-09-Q4", "1999-00", "2099-00-Q1"])
    def test_good_periods(self, client: TestClient, period: str) -> None:
        ind = indicator(client)
        r = client.post("/api/v1/measurements", json=measurement_body(ind["id"], period=period))
        assert r.status_code == 201, r.text


class TestValuesByUnit:
    @pytest.mark.parametrize(
        ("unit", "value", "ok"),
        [
            ("count", 3, True),
            ("count", 0, True),
            ("count", 2.5, False),
            ("count", -1, False),
            ("percent", 0, True),
            ("percent", 100, True),
            ("percent", 100.01, False),
            ("percent", -0.1, False),
            ("rate_per_1000", 0, True),
            ("rate_per_100000", 512.3, True),
            ("rate_per_1000", -0.5, False),
            ("number", -7.5, True),
        ],
    )
    def test_measurement_value(self, client: TestClient, unit: str, value: float, ok: bool) -> None:
        ind = indicator(client, unit=unit)
        r = client.post("/api/v1/measurements", json=measurement_body(ind["id"], value=value))
        if ok:
            assert r.status_code == 201, r.text
        else:
            assert r.status_code == 422
            assert r.json()["errors"][0]["loc"] == ["body", "value"]

    def test_target_values_are_checked_too(self, client: TestClient) -> None:
        ind = indicator(client, unit="count")
        r = client.post("/api/v1/laa-targets", json=target_body(ind["id"], stretch=20.5))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "stretch"]

    def test_an_update_is_checked_against_the_unit(self, client: TestClient) -> None:
        ind = indicator(client, unit="percent")
        created = client.post("/api/v1/measurements", json=measurement_body(ind["id"])).json()
        r = client.patch(f"/api/v1/measurements/{created['id']}", json={"value": 140})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "value"]


class TestTargets:
    def test_one_target_per_indicator_area_and_period(self, client: TestClient) -> None:
        ind = indicator(client)
        assert client.post("/api/v1/laa-targets", json=target_body(ind["id"])).status_code == 201
        r = client.post("/api/v1/laa-targets", json=target_body(ind["id"], target=30))
        assert r.status_code == 409
        assert r.json()["type"] == "/problems/duplicate"
        other = target_body(ind["id"], period="2030-31-Q1")
        assert client.post("/api/v1/laa-targets", json=other).status_code == 201

    def test_the_natural_key_cannot_be_patched(self, client: TestClient) -> None:
        ind = indicator(client)
        created = client.post("/api/v1/laa-targets", json=target_body(ind["id"])).json()
        r = client.patch(f"/api/v1/laa-targets/{created['id']}", json={"area": "E07000079"})
        assert r.status_code == 422

    def test_missing_indicator_is_named(self, client: TestClient) -> None:
        r = client.post("/api/v1/laa-targets", json=target_body(999_999))
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "indicator_id"]

    def test_filters(self, client: TestClient) -> None:
        ind = indicator(client)
        client.post("/api/v1/laa-targets", json=target_body(ind["id"]))
        client.post("/api/v1/laa-targets", json=target_body(ind["id"], area="E07000079"))
        r = client.get("/api/v1/laa-targets", params={"indicator_id": ind["id"], "area": AREA})
        assert [t["area"] for t in r.json()["items"]] == [AREA]


class TestMeasurements:
    def test_reporter_is_the_caller(self, client: TestClient, as_role) -> None:  # type: ignore[no-untyped-def]
        ind = indicator(client)
        body = measurement_body(ind["id"])
        r = as_role("officer").post("/api/v1/measurements", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["reported_by"].startswith("user:")
        r = client.post("/api/v1/measurements", json={**body, "reported_by": "someone else"})
        assert r.status_code == 422, "reported_by is set by the server"

    def test_source_and_note_are_kept(self, client: TestClient) -> None:
        ind = indicator(client)
        body = measurement_body(ind["id"], source="Place Survey", note="Provisional")
        r = client.post("/api/v1/measurements", json=body)
        assert r.json()["source"] == "Place Survey" and r.json()["note"] == "Provisional"


class TestLinks:
    def test_demo_links_and_replacing_them(self, client: TestClient) -> None:
        ni1 = client.get("/api/v1/indicators", params={"code": "NI 1"}).json()["items"][0]
        links = client.get(f"/api/v1/indicators/{ni1['id']}/links")
        assert links.status_code == 200
        etag = links.headers["ETag"]
        outcomes = client.get("/api/v1/outcomes", params={"limit": 2}).json()["items"]
        tasks = client.get("/api/v1/tasks", params={"limit": 3}).json()["items"]
        body = {"outcome_ids": [o["id"] for o in outcomes], "task_ids": [t["id"] for t in tasks]}
        r = client.put(
            f"/api/v1/indicators/{ni1['id']}/links", json=body, headers={"If-Match": etag}
        )
        assert r.status_code == 200, r.text
        assert r.json()["outcome_ids"] == sorted(body["outcome_ids"])
        assert r.json()["task_ids"] == sorted(body["task_ids"])
        assert r.json()["version"] == ni1["version"] + 1
        for outcome in outcomes:
            listed = client.get("/api/v1/indicators", params={"outcome_id": outcome["id"]})
            assert ni1["id"] in [i["id"] for i in listed.json()["items"]]
        listed = client.get("/api/v1/indicators", params={"task_id": tasks[0]["id"]})
        assert ni1["id"] in [i["id"] for i in listed.json()["items"]]
        stale = client.put(
            f"/api/v1/indicators/{ni1['id']}/links", json=body, headers={"If-Match": etag}
        )
        assert stale.status_code == 412

    def test_an_indicator_may_belong_to_nothing(self, client: TestClient) -> None:
        ind = indicator(client)
        r = client.put(f"/api/v1/indicators/{ind['id']}/links", json={})
        assert r.status_code == 200
        assert r.json()["outcome_ids"] == [] and r.json()["task_ids"] == []

    def test_unknown_ids_are_named(self, client: TestClient) -> None:
        ind = indicator(client)
        r = client.put(f"/api/v1/indicators/{ind['id']}/links", json={"task_ids": [999_999]})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["body", "task_ids"]

    def test_only_admins_set_links(self, as_role) -> None:  # type: ignore[no-untyped-def]
        r = as_role("officer").put("/api/v1/indicators/1/links", json={})
        assert r.status_code == 403


class TestCountyAccess:
    @pytest.mark.parametrize(
        "path", ["indicators", "laa-targets", "measurements", "indicators/1/links", "laa/export"]
    )
    def test_county_reads_laa_data(self, as_role, path: str) -> None:  # type: ignore[no-untyped-def]
        assert as_role("county").get(f"/api/v1/{path}").status_code == 200

    @pytest.mark.parametrize("path", ["tasks", "partnerships", "organisations", "webhooks"])
    def test_county_reads_nothing_else(self, as_role, path: str) -> None:  # type: ignore[no-untyped-def]
        r = as_role("county").get(f"/api/v1/{path}")
        assert r.status_code == 403
        assert r.json()["type"] == "/problems/forbidden"

    def test_county_writes_nothing(self, as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        ind = indicator(client)
        county = as_role("county")
        assert (
            county.post("/api/v1/measurements", json=measurement_body(ind["id"])).status_code == 403
        )
        assert county.post("/api/v1/laa-targets", json=target_body(ind["id"])).status_code == 403
        assert county.delete(f"/api/v1/indicators/{ind['id']}").status_code == 403

    def test_members_read_but_do_not_record(self, as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
        ind = indicator(client)
        member = as_role("member")
        assert member.get("/api/v1/measurements").status_code == 200
        assert (
            member.post("/api/v1/measurements", json=measurement_body(ind["id"])).status_code == 403
        )
