"""GET /api/v1/laa/export: rows, formats, filters, deltas, ETags and formula escaping."""

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection, Engine, event

from api.laa.service import COLUMNS

EXPORT = "/api/v1/laa/export"
AREA = "E07000078"


def csv_rows(client: TestClient, **params: object) -> list[dict[str, str]]:
    r = client.get(EXPORT, params={"format": "csv", **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


def json_rows(client: TestClient, **params: object) -> list[dict]:
    r = client.get(EXPORT, params={"format": "json", **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in r.text.splitlines() if line]


def local_indicator(client: TestClient, **extra: object) -> dict:
    body = {
        "code": "LOCAL 1",
        "title": "Residents using the new library hub",
        "unit": "percent",
        "polarity": "higher_is_better",
        **extra,
    }
    r = client.post("/api/v1/indicators", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def target(client: TestClient, indicator_id: int, **extra: object) -> dict:
    body = {
        "indicator_id": indicator_id,
        "area": AREA,
        "period": "2030-31",
        "baseline": 40,
        "target": 50,
        **extra,
    }
    r = client.post("/api/v1/laa-targets", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def measure(client: TestClient, indicator_id: int, value: float, **extra: object) -> dict:
    body = {
        "indicator_id": indicator_id,
        "area": AREA,
        "period": "2030-31-Q2",
        "value": value,
        "reported_on": "2030-10-20",
        **extra,
    }
    r = client.post("/api/v1/measurements", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def now() -> str:
    return datetime.now(UTC).isoformat()


class TestRows:
    def test_one_row_per_target_in_documented_column_order(self, client: TestClient) -> None:
        r = client.get(EXPORT)
        header = next(csv.reader(io.StringIO(r.text)))
        assert tuple(header) == COLUMNS
        targets = client.get("/api/v1/laa-targets", params={"limit": 1}).json()["total"]
        rows = csv_rows(client)
        assert len(rows) == targets > 0
        order = {
            i["code"]: i["id"]
            for i in client.get("/api/v1/indicators", params={"limit": 500}).json()["items"]
        }
        keys = [(order[row["code"]], row["area"], row["period"]) for row in rows]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)

    def test_demo_rows_carry_latest_value_rag_and_links(self, client: TestClient) -> None:
        rows = json_rows(client)
        assert all(row["rag"] in {"green", "amber", "red", "no_data"} for row in rows)
        assert all(row["latest_value"] is not None for row in rows)
        assert any(row["outcome_codes"] and row["lead_partnership"] for row in rows)
        assert {row["deleted"] for row in rows} == {False}

    def test_latest_value_is_the_latest_quarter_of_the_year(self, client: TestClient) -> None:
        ind = local_indicator(client)
        target(client, ind["id"])
        measure(client, ind["id"], 42, period="2030-31-Q1", reported_on="2030-07-20")
        measure(client, ind["id"], 47, period="2030-31-Q2", reported_on="2030-10-20")
        measure(client, ind["id"], 99, period="2031-32-Q1", reported_on="2031-07-20")
        (row,) = json_rows(client, indicator="LOCAL 1")
        assert row["latest_value"] == 47 and row["reported_on"] == "2030-10-20"
        assert row["rag"] == "green"
        items = client.get("/api/v1/measurements", params={"indicator_id": ind["id"]}).json()
        newest = max(m["updated_at"] for m in items["items"] if m["period"].startswith("2030-31"))
        assert datetime.fromisoformat(row["updated_at"]) == datetime.fromisoformat(newest)

    def test_quarter_target_only_counts_its_own_quarter(self, client: TestClient) -> None:
        ind = local_indicator(client)
        target(client, ind["id"], period="2030-31-Q3")
        measure(client, ind["id"], 45, period="2030-31-Q2")
        (row,) = json_rows(client, indicator="LOCAL 1")
        assert row["latest_value"] is None and row["rag"] == "no_data"

    def test_a_fixed_number_of_queries_whatever_the_rows(
        self, client: TestClient, query_counter: list[str]
    ) -> None:
        client.get(EXPORT, params={"format": "json"})
        before = len(query_counter)
        ind = local_indicator(client)
        for period in ("2030-31", "2031-32", "2032-33"):
            target(client, ind["id"], period=period)
        query_counter.clear()
        client.get(EXPORT, params={"format": "json"})
        selects = [s for s in query_counter if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) <= 12
        assert len(query_counter) <= before + 2

    def test_each_target_looks_its_values_up_by_its_area(
        self, engine: Engine, db: Connection, client: TestClient, dialect: str
    ) -> None:
        # Without statistics SQLite once read the latest value through the indicator's
        # measurements by date, every one of them for each target: 100,000 rows took a minute.
        if dialect != "sqlite":
            pytest.skip("SQLite's planner without statistics")
        seen: list[tuple[str, Any]] = []

        def keep(conn, cursor, statement, parameters, *_):  # type: ignore[no-untyped-def]
            if "measurement AS recent" in statement:  # the rows' statement
                seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            assert client.get(EXPORT, params={"format": "json"}).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        (statement, parameters), *_ = seen
        plan = [row[3] for row in db.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        lookups = [step for step in plan if step.startswith("SEARCH recent")]
        assert lookups == [
            "SEARCH recent USING INDEX ix_measurement_indicator_area_period "
            "(indicator_id=? AND area=?)"
        ], plan


class TestFilters:
    def test_area_period_and_indicator(self, client: TestClient) -> None:
        ind = local_indicator(client)
        target(client, ind["id"])
        target(client, ind["id"], area="E07000079")
        target(client, ind["id"], period="2031-32")
        assert len(json_rows(client, indicator="LOCAL 1")) == 3
        assert len(json_rows(client, indicator="LOCAL 1", area="E07000079")) == 1
        rows = json_rows(client, indicator="LOCAL 1", period="2031-32")
        assert [r["period"] for r in rows] == ["2031-32"]

    @pytest.mark.parametrize(
        ("name", "value"),
        [("area", "X07000078"), ("period", "2008-10"), ("period", "2008-09-Q5"), ("format", "xml")],
    )
    def test_bad_filters_are_422_naming_the_parameter(
        self, client: TestClient, name: str, value: str
    ) -> None:
        r = client.get(EXPORT, params={name: value})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", name]

    def test_updated_since_needs_a_zone(self, client: TestClient) -> None:
        r = client.get(EXPORT, params={"updated_since": "2030-01-01T00:00:00"})
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "updated_since"]


class TestPartnershipFilter:
    def linked(self, client: TestClient) -> tuple[dict, dict]:
        """LOCAL 1 with a target, linked to an outcome that a partnership leads."""
        outcomes = client.get("/api/v1/outcomes", params={"limit": 500}).json()["items"]
        outcome = next(o for o in outcomes if o["lead_partnership_id"])
        ind = local_indicator(client)
        target(client, ind["id"])
        r = client.put(
            f"/api/v1/indicators/{ind['id']}/links", json={"outcome_ids": [outcome["id"]]}
        )
        assert r.status_code == 200, r.text
        return ind, outcome

    def test_only_indicators_of_outcomes_the_partnership_leads(self, client: TestClient) -> None:
        _, outcome = self.linked(client)
        lead = client.get(f"/api/v1/partnerships/{outcome['lead_partnership_id']}").json()
        rows = json_rows(client, partnership_id=lead["id"])
        assert "LOCAL 1" in {r["code"] for r in rows}
        assert all(lead["name"] in r["lead_partnership"].split("; ") for r in rows)
        everything = json_rows(client)
        assert len(rows) < len(everything)
        expected = [r for r in everything if lead["name"] in r["lead_partnership"].split("; ")]
        assert rows == expected
        csv_codes = {r["code"] for r in csv_rows(client, partnership_id=lead["id"])}
        assert csv_codes == {r["code"] for r in rows}

    def test_other_partnerships_and_unknown_ids_leave_it_out(self, client: TestClient) -> None:
        _, outcome = self.linked(client)
        partnerships = client.get("/api/v1/partnerships", params={"limit": 500}).json()["items"]
        other = next(p for p in partnerships if p["id"] != outcome["lead_partnership_id"])
        assert "LOCAL 1" not in {r["code"] for r in json_rows(client, partnership_id=other["id"])}
        assert json_rows(client, partnership_id=999999) == []
        r = client.get(EXPORT, params={"partnership_id": "x"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "partnership_id"]

    def test_tombstones_follow_the_filter(self, client: TestClient) -> None:
        ind, outcome = self.linked(client)
        doomed = target(client, ind["id"], period="2031-32")
        since = client.get(EXPORT).headers["LSPHub-Snapshot-At"]
        assert client.delete(f"/api/v1/laa-targets/{doomed['id']}").status_code == 204
        lead = outcome["lead_partnership_id"]
        rows = json_rows(client, updated_since=since, partnership_id=lead)
        assert [(r["code"], r["period"]) for r in rows if r["deleted"]] == [("LOCAL 1", "2031-32")]
        partnerships = client.get("/api/v1/partnerships", params={"limit": 500}).json()["items"]
        other = next(p["id"] for p in partnerships if p["id"] != lead)
        assert json_rows(client, updated_since=since, partnership_id=other) == []

    def test_each_partnership_has_its_own_etag(self, client: TestClient) -> None:
        _, outcome = self.linked(client)
        lead = outcome["lead_partnership_id"]
        whole = client.get(EXPORT).headers["ETag"]
        led = client.get(EXPORT, params={"partnership_id": lead}).headers["ETag"]
        assert whole != led
        r = client.get(EXPORT, params={"partnership_id": lead}, headers={"If-None-Match": led})
        assert r.status_code == 304


class TestDelta:
    def test_only_rows_changed_since_with_deletions_as_tombstones(self, client: TestClient) -> None:
        ind = local_indicator(client)
        unchanged = target(client, ind["id"], period="2030-31")
        edited = target(client, ind["id"], period="2031-32")
        measured = target(client, ind["id"], period="2032-33")
        deleted = target(client, ind["id"], period="2033-34")
        old_measurement = measure(client, ind["id"], 41, period="2034-35-Q1")
        target(client, ind["id"], period="2034-35")
        since = client.get(EXPORT).headers["LSPHub-Snapshot-At"]

        assert client.patch(f"/api/v1/laa-targets/{edited['id']}", json={"target": 55}).is_success
        measure(client, ind["id"], 44, period="2032-33-Q1")
        assert client.delete(f"/api/v1/laa-targets/{deleted['id']}").status_code == 204
        assert client.delete(f"/api/v1/measurements/{old_measurement['id']}").status_code == 204
        target(client, ind["id"], period="2035-36")

        rows = json_rows(client, updated_since=since)
        tombstones = [(r["code"], r["period"]) for r in rows if r["deleted"]]
        changed = sorted(r["period"] for r in rows if not r["deleted"])
        assert tombstones == [("LOCAL 1", "2033-34")]
        assert changed == ["2031-32", "2032-33", "2034-35", "2035-36"]
        assert unchanged["period"] not in changed and measured["period"] in changed
        assert rows[0]["deleted"] is True, "tombstones come first"
        # CSV cannot carry deletions; it lists the changed rows only.
        assert sorted(r["period"] for r in csv_rows(client, updated_since=since)) == changed

    def test_relinking_an_indicator_changes_its_rows(self, client: TestClient) -> None:
        ind = local_indicator(client)
        target(client, ind["id"])
        since = client.get(EXPORT).headers["LSPHub-Snapshot-At"]
        assert json_rows(client, updated_since=since) == []
        outcome = client.get("/api/v1/outcomes", params={"limit": 1}).json()["items"][0]
        r = client.put(
            f"/api/v1/indicators/{ind['id']}/links", json={"outcome_ids": [outcome["id"]]}
        )
        assert r.status_code == 200, r.text
        (row,) = json_rows(client, updated_since=since)
        assert row["outcome_codes"] == outcome["code"]


class TestEtag:
    def test_unchanged_data_is_304_and_a_change_is_200(self, client: TestClient) -> None:
        first = client.get(EXPORT, params={"format": "json"})
        etag = first.headers["ETag"]
        again = client.get(EXPORT, params={"format": "json"}, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        delta = client.get(
            EXPORT,
            params={"format": "json", "updated_since": now()},
            headers={"If-None-Match": etag},
        )
        assert delta.status_code == 304, "the ETag names the data set, not the delta window"
        some = client.get("/api/v1/laa-targets", params={"limit": 1}).json()["items"][0]
        client.patch(f"/api/v1/laa-targets/{some['id']}", json={"stretch": 1})
        changed = client.get(EXPORT, params={"format": "json"}, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag

    def test_deleting_a_measurement_changes_the_etag(self, client: TestClient) -> None:
        etag = client.get(EXPORT).headers["ETag"]
        some = client.get("/api/v1/measurements", params={"limit": 1}).json()["items"][0]
        assert client.delete(f"/api/v1/measurements/{some['id']}").status_code == 204
        assert client.get(EXPORT, headers={"If-None-Match": etag}).status_code == 200

    def test_filters_and_format_have_their_own_etag(self, client: TestClient) -> None:
        tags = {
            client.get(EXPORT, params=params).headers["ETag"]
            for params in ({}, {"format": "json"}, {"area": AREA}, {"indicator": "NI 1"})
        }
        assert len(tags) == 4


class TestFormulaInjection:
    TITLE = '=HYPERLINK("http://example.org","click")'

    def test_csv_cells_are_escaped(self, client: TestClient) -> None:
        ind = local_indicator(client, code="+LOCAL", title=self.TITLE)
        target(client, ind["id"])
        (row,) = csv_rows(client, indicator="+LOCAL")
        assert row["title"] == "'" + self.TITLE
        assert row["code"] == "'+LOCAL"
        (raw,) = json_rows(client, indicator="+LOCAL")
        assert raw["title"] == self.TITLE, "JSON carries the data as it is"

    @pytest.mark.parametrize("start", ["-", "@", "\t", "\r"])
    def test_every_dangerous_start(self, client: TestClient, start: str) -> None:
        ind = local_indicator(client, title=f"{start}cmd")
        target(client, ind["id"])
        (row,) = csv_rows(client, indicator="LOCAL 1")
        assert row["title"] == f"'{start}cmd"

    def test_xlsx_has_the_header_and_escaped_text(self, client: TestClient) -> None:
        ind = local_indicator(client, title=self.TITLE)
        target(client, ind["id"])
        measure(client, ind["id"], 45)
        r = client.get(EXPORT, params={"format": "xlsx", "indicator": "LOCAL 1"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(r.content), read_only=True)["LAA"]
        header, row = list(sheet.iter_rows(values_only=True))
        assert header == COLUMNS
        values = dict(zip(header, row, strict=True))
        assert values["title"] == "'" + self.TITLE
        assert values["latest_value"] == 45 and values["rag"] == "green"


class TestAccess:
    @pytest.mark.parametrize("role", ["county", "officer", "member", "partner"])
    def test_readers(self, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
        assert as_role(role).get(EXPORT).status_code == 200

    def test_anonymous_is_401(self, anon: TestClient) -> None:
        r = anon.get(EXPORT)
        assert r.status_code == 401
        assert r.json()["type"] == "/problems/unauthorized"
