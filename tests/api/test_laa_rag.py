"""RAG against the straight-line trajectory, at every boundary, for both polarities.

Target 2030-31 for area E07000078. Higher is better: baseline 40 -> target 50, so the Q2
trajectory point is 45 and the amber band (5 % of the distance 10) is 0.5 wide. Lower is
better: baseline 50 -> target 40, Q2 point 45, same band on the other side.
"""

import json

import pytest
from fastapi.testclient import TestClient

from api.core.settings import get_settings
from api.laa.rag import LaaRag, expected_value, rag

EXPORT = "/api/v1/laa/export"
AREA = "E07000078"


def rag_of(
    client: TestClient,
    polarity: str,
    value: float | None,
    *,
    value_period: str = "2030-31-Q2",
    target_period: str = "2030-31",
) -> str:
    higher = polarity == "higher_is_better"
    r = client.post(
        "/api/v1/indicators",
        json={"code": "LOCAL RAG", "title": "Test", "unit": "number", "polarity": polarity},
    )
    assert r.status_code == 201, r.text
    indicator_id = r.json()["id"]
    r = client.post(
        "/api/v1/laa-targets",
        json={
            "indicator_id": indicator_id,
            "area": AREA,
            "period": target_period,
            "baseline": 40 if higher else 50,
            "target": 50 if higher else 40,
        },
    )
    assert r.status_code == 201, r.text
    if value is not None:
        r = client.post(
            "/api/v1/measurements",
            json={
                "indicator_id": indicator_id,
                "area": AREA,
                "period": value_period,
                "value": value,
                "reported_on": "2030-10-20",
            },
        )
        assert r.status_code == 201, r.text
    r = client.get(EXPORT, params={"format": "json", "indicator": "LOCAL RAG"})
    assert r.status_code == 200, r.text
    (line,) = r.text.splitlines()
    return str(json.loads(line)["rag"])


HIGHER = [
    (46.0, "green"),  # ahead
    (45.0, "green"),  # exactly on the trajectory
    (44.99, "amber"),  # just behind
    (44.5, "amber"),  # exactly at the edge of the band
    (44.49, "red"),  # just outside the band
    (30.0, "red"),
]
LOWER = [
    (44.0, "green"),
    (45.0, "green"),
    (45.01, "amber"),
    (45.5, "amber"),
    (45.51, "red"),
    (60.0, "red"),
]


class TestRagThroughTheExport:
    @pytest.mark.parametrize(("value", "expected"), HIGHER)
    def test_higher_is_better(self, client: TestClient, value: float, expected: str) -> None:
        assert rag_of(client, "higher_is_better", value) == expected

    @pytest.mark.parametrize(("value", "expected"), LOWER)
    def test_lower_is_better(self, client: TestClient, value: float, expected: str) -> None:
        assert rag_of(client, "lower_is_better", value) == expected

    @pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better"])
    def test_no_measurement_is_no_data(self, client: TestClient, polarity: str) -> None:
        assert rag_of(client, polarity, None) == "no_data"

    @pytest.mark.parametrize(
        ("polarity", "value", "expected"),
        [
            ("higher_is_better", 50, "green"),
            ("higher_is_better", 49.5, "amber"),
            ("higher_is_better", 49.49, "red"),
            ("lower_is_better", 40, "green"),
            ("lower_is_better", 40.5, "amber"),
            ("lower_is_better", 40.51, "red"),
        ],
    )
    def test_a_full_year_value_is_compared_with_the_target(
        self, client: TestClient, polarity: str, value: float, expected: str
    ) -> None:
        assert rag_of(client, polarity, value, value_period="2030-31") == expected

    def test_a_quarter_target_is_compared_with_its_target(self, client: TestClient) -> None:
        result = rag_of(
            client, "higher_is_better", 49.6, value_period="2030-31-Q2", target_period="2030-31-Q2"
        )
        assert result == "amber"

    def test_the_tolerance_is_a_setting(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "laa_rag_tolerance", 0.10)
        assert rag_of(client, "higher_is_better", 44.0) == "amber"  # band is now 1.0
        assert rag_of_again(client, 43.99) == "red"


def rag_of_again(client: TestClient, value: float) -> str:
    """Replace the measurement of the indicator made by :func:`rag_of` and read the RAG."""
    items = client.get("/api/v1/measurements", params={"area": AREA, "limit": 500}).json()["items"]
    (measurement,) = [m for m in items if m["reported_on"] == "2030-10-20"]
    r = client.patch(f"/api/v1/measurements/{measurement['id']}", json={"value": value})
    assert r.status_code == 200, r.text
    r = client.get(EXPORT, params={"format": "json", "indicator": "LOCAL RAG"})
    return str(json.loads(r.text)["rag"])


class TestTrajectory:
    @pytest.mark.parametrize(("quarter", "point"), [(1, 42.5), (2, 45.0), (3, 47.5), (4, 50.0)])
    def test_quarter_n_is_n_quarters_of_the_way(self, quarter: int, point: float) -> None:
        assert expected_value(40, 50, "2030-31", f"2030-31-Q{quarter}") == point

    def test_whole_period_is_the_target(self) -> None:
        assert expected_value(40, 50, "2030-31", "2030-31") == 50
        assert expected_value(40, 50, "2030-31-Q3", "2030-31-Q3") == 50

    def test_no_distance_means_no_amber_band(self) -> None:
        common = {"baseline": 40, "target": 40, "target_period": "2030-31", "tolerance": 0.05}
        kw = {"polarity": "higher_is_better", "value_period": "2030-31-Q2", **common}
        assert rag(value=40, **kw) == LaaRag.green  # type: ignore[arg-type]
        assert rag(value=39.99, **kw) == LaaRag.red  # type: ignore[arg-type]
