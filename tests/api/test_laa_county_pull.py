"""The example county client (examples/county_pull.py) against the app: full pull, 304, delta."""

import csv
import importlib.util
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def county_pull() -> ModuleType:
    spec = importlib.util.spec_from_file_location("county_pull", ROOT / "examples/county_pull.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["county_pull"] = module
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_full_pull_then_not_modified_then_exact_delta(
    county_pull: ModuleType, client: TestClient, as_role, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    county = as_role("county")
    out = tmp_path / "laa.csv"
    no_overlap = timedelta(0)

    full = county_pull.pull(county, out, overlap=no_overlap)
    total = client.get("/api/v1/laa-targets", params={"limit": 1}).json()["total"]
    assert full.kind == "full" and full.total_rows == total == len(read(out))
    assert list(read(out)[0])[:4] == ["code", "title", "area", "period"]

    assert county_pull.pull(county, out, overlap=no_overlap).kind == "not_modified"

    targets = client.get("/api/v1/laa-targets", params={"limit": 4, "sort": "id"}).json()["items"]
    edited, measured, deleted = targets[:3]
    code_of = {
        i["id"]: i["code"]
        for i in client.get("/api/v1/indicators", params={"limit": 500}).json()["items"]
    }

    def key(t: dict) -> tuple[str, str, str]:
        return (code_of[t["indicator_id"]], t["area"], t["period"])

    assert client.patch(f"/api/v1/laa-targets/{edited['id']}", json={"target": 77}).is_success
    r = client.post(
        "/api/v1/measurements",
        json={
            "indicator_id": measured["indicator_id"],
            "area": measured["area"],
            "period": f"{measured['period'][:7]}-Q4",
            "value": 33,
            "reported_on": "2035-01-01",
        },
    )
    assert r.status_code == 201, r.text
    assert client.delete(f"/api/v1/laa-targets/{deleted['id']}").status_code == 204
    created = client.post(
        "/api/v1/laa-targets",
        json={
            "indicator_id": edited["indicator_id"],
            "area": "E07000078",
            "period": "2034-35",
            "baseline": 10,
            "target": 20,
        },
    ).json()

    delta = county_pull.pull(county, out, overlap=no_overlap)
    assert delta.kind == "delta"
    assert sorted(delta.changed) == sorted([key(edited), key(measured), key(created)])
    assert delta.deleted == [key(deleted)]

    rows = {(r["code"], r["area"], r["period"]): r for r in read(out)}
    assert len(rows) == total  # one deleted, one created
    assert key(deleted) not in rows
    assert float(rows[key(edited)]["target"]) == 77
    assert float(rows[key(measured)]["latest_value"]) == 33
    assert rows[key(measured)]["reported_on"] == "2035-01-01"

    fresh = tmp_path / "fresh.csv"
    county_pull.pull(county, fresh, overlap=no_overlap)
    assert read(fresh) == read(out), "full pull and full-then-delta agree"
    assert county_pull.pull(county, out, overlap=no_overlap).kind == "not_modified"
