"""Bulk import (issue: bulk import): formats, validation, idempotent re-runs, dry runs, access."""

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from api.core import clock
from tests.factories import TASK_HEADER

PROBLEM = "application/problem+json"


def export_csv(client: TestClient, kind: str) -> bytes:
    r = client.get(f"/api/v1/exports/{kind}", params={"format": "csv"})
    assert r.status_code == 200, r.text
    return r.content


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows: list[dict[str, Any]], header: list[str] | None = None, **kw: Any) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]), **kw)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def upload(
    client: TestClient,
    kind: str,
    data: bytes,
    name: str = "file.csv",
    headers: dict[str, str] | None = None,
    **params: Any,
) -> Any:
    return client.post(
        f"/api/v1/imports/{kind}",
        files={"file": (name, data)},
        params=params,
        headers=headers or {},
    )


def new_task(ref: str, **extra: Any) -> dict[str, Any]:
    row = {
        "partnership": "safer",
        "outcome_code": "9.9",
        "outcome_title": "Fewer repeat burglaries",
        "action_ref": "9.9.1",
        "action_title": "Target-harden homes",
        "task_ref": ref,
        "title": f"Fit locks in street {ref}",
        "target": "200 homes",
        "position": "",
        "rag": "green",
        "planned_improvement": "",
        "deadline": "2027-03-31",
        "lead_organisation": "",
        "owner": "",
        "reported_on": "",
    }
    row.update(extra)
    return row


def managed_slug(officer: Any, client: TestClient) -> str:
    """The slug of the first partnership the demo officer manages."""
    me = officer.get("/api/v1/me").json()
    managed = {m["partnership_id"] for m in me["memberships"] if m["role"] == "officer"}
    slugs = {p["id"]: p["slug"] for p in client.get("/api/v1/partnerships").json()["items"]}
    return str(slugs[sorted(managed)[0]])


class TestRoundTrip:
    def test_exported_tasks_import_back_unchanged(self, client: TestClient) -> None:
        data = export_csv(client, "tasks")
        rows = rows_of(data)
        assert list(rows[0]) == TASK_HEADER
        r = upload(client, "tasks", data, "tasks.csv")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["rows"] == len(rows) > 50
        assert (body["created"], body["updated"], body["deleted"]) == (0, 0, 0)
        assert body["unchanged"] == len(rows)
        assert body["import_id"] is None

    @pytest.mark.parametrize(
        "kind",
        ["organisations", "people", "meetings", "indicators", "laa-targets", "measurements"],
    )
    def test_every_kind_round_trips(self, client: TestClient, kind: str) -> None:
        data = export_csv(client, kind)
        r = upload(client, kind, data, f"{kind}.csv")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["rows"] > 0
        assert body["unchanged"] == body["rows"], body

    @pytest.mark.parametrize("fmt", ["json", "xlsx"])
    def test_json_and_xlsx_exports_round_trip(self, client: TestClient, fmt: str) -> None:
        r = client.get("/api/v1/exports/tasks", params={"format": fmt})
        assert r.status_code == 200
        if fmt == "json":
            assert list(r.json()[0]) == TASK_HEADER
        result = upload(client, "tasks", r.content, f"tasks.{fmt}")
        assert result.status_code == 200, result.text
        assert result.json()["unchanged"] == result.json()["rows"] > 0


class TestTaskImport:
    def test_creates_outcome_action_and_tasks_then_rerun_is_a_no_op(
        self, client: TestClient, safer_slug: str
    ) -> None:
        rows = [new_task("a", partnership=safer_slug), new_task("b", partnership=safer_slug)]
        first = upload(client, "tasks", to_csv(rows), "new.csv")
        assert first.status_code == 200, first.text
        body = first.json()
        assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
        assert body["import_id"] is not None
        outcome = client.get("/api/v1/outcomes", params={"limit": 500}).json()["items"]
        assert any(o["code"] == "9.9" for o in outcome)
        tasks = client.get("/api/v1/tasks", params={"q": "Fit locks", "limit": 10}).json()
        assert tasks["total"] == 2
        assert {t["rag"] for t in tasks["items"]} == {"green"}

        again = upload(client, "tasks", to_csv(rows), "new.csv").json()
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
        assert again["import_id"] is None and again["duplicate_of"] == body["import_id"]
        history = client.get("/api/v1/imports", params={"kind": "tasks"}).json()
        assert [i["id"] for i in history["items"]].count(body["import_id"]) == 1
        assert history["items"][0]["counts"]["created"] == 2

    def test_status_change_appends_a_status_update(
        self, client: TestClient, safer_slug: str
    ) -> None:
        rows = [new_task("a", partnership=safer_slug)]
        assert upload(client, "tasks", to_csv(rows)).status_code == 200
        task = client.get("/api/v1/tasks", params={"q": "Fit locks in street a"}).json()["items"][0]
        before = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()["total"]
        rows[0].update(rag="RED", planned_improvement="Recovery plan")
        body = upload(client, "tasks", to_csv(rows)).json()
        assert (body["updated"], body["unchanged"]) == (1, 0)
        updates = client.get(f"/api/v1/tasks/{task['id']}/status-updates").json()
        assert updates["total"] == before + 1
        latest = max(updates["items"], key=lambda u: u["id"])
        assert latest["rag"] == "red" and latest["planned_improvement"] == "Recovery plan"
        assert latest["reported_on"] == clock.today().isoformat()
        after = client.get(f"/api/v1/tasks/{task['id']}").json()
        assert after["rag"] == "red" and after["version"] == task["version"] + 1

    def test_title_change_updates_without_history(self, client: TestClient) -> None:
        rows = rows_of(export_csv(client, "tasks"))
        rows[0]["title"] = "A brand new title"
        body = upload(client, "tasks", to_csv(rows, TASK_HEADER)).json()
        assert (body["updated"], body["unchanged"]) == (1, len(rows) - 1)

    def test_dry_run_reports_the_diff_and_writes_nothing(self, client: TestClient) -> None:
        rows = rows_of(export_csv(client, "tasks"))
        old = rows[3]["rag"]
        rows[3]["rag"] = "complete" if old != "COMPLETE" else "red"
        r = upload(client, "tasks", to_csv(rows, TASK_HEADER), dry_run="true")
        body = r.json()
        assert body["dry_run"] is True and body["updated"] == 1 and body["changes_total"] == 1
        change = body["changes"][0]
        assert change["row"] == 5  # header is row 1
        assert change["before"] == {"rag": old.lower() or None}
        assert change["after"] == {"rag": rows[3]["rag"].lower()}
        again = upload(client, "tasks", to_csv(rows, TASK_HEADER), dry_run="true").json()
        assert again["updated"] == 1  # still pending: nothing was written

    def test_lead_organisation_by_exact_name(self, client: TestClient, safer_slug: str) -> None:
        org = client.get("/api/v1/organisations", params={"limit": 1}).json()["items"][0]
        rows = [new_task("a", partnership=safer_slug, lead_organisation=org["name"].upper())]
        assert upload(client, "tasks", to_csv(rows)).status_code == 200
        task = client.get("/api/v1/tasks", params={"q": "Fit locks in street a"}).json()["items"][0]
        assert task["lead_organisation_id"] == org["id"]

    def test_partnership_option_fills_blank_cells(
        self, client: TestClient, safer_slug: str
    ) -> None:
        rows = [new_task("a", partnership="")]
        r = upload(client, "tasks", to_csv(rows), partnership=safer_slug)
        assert r.status_code == 200, r.text
        rows = [new_task("b", partnership="strategic")]
        r = upload(client, "tasks", to_csv(rows), partnership=safer_slug)
        assert r.status_code == 422
        assert r.json()["errors"][0]["column"] == "partnership"


class TestTaskOwners:
    @pytest.fixture
    def org(self, client: TestClient) -> dict[str, Any]:
        r = client.post(
            "/api/v1/organisations",
            json={"name": "Lockwell Housing", "sector": "voluntary_community"},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    @staticmethod
    def person(client: TestClient, name: str, org_id: int | None, email: str | None) -> int:
        body = {"name": name, "organisation_id": org_id, "email": email}
        r = client.post("/api/v1/people", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    @staticmethod
    def task(client: TestClient, ref: str) -> dict[str, Any]:
        found = client.get("/api/v1/tasks", params={"q": f"Fit locks in street {ref}"}).json()
        return dict(found["items"][0])

    def test_owner_by_email_or_name_exported_as_the_name_and_blank_clears(
        self, client: TestClient, safer_slug: str, org: dict[str, Any]
    ) -> None:
        owner = self.person(client, "Oona Fairweather", org["id"], "oona.fairweather@example.org")
        lead = {"partnership": safer_slug, "lead_organisation": org["slug"]}
        rows = [
            new_task("a", **lead, owner="OONA.FAIRWEATHER@example.org"),
            new_task("b", **lead, owner="oona fairweather"),
        ]
        r = upload(client, "tasks", to_csv(rows))
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 2
        for ref in "ab":
            task = self.task(client, ref)
            assert (task["owner_person_id"], task["owner_name"]) == (owner, "Oona Fairweather")
        exported = [
            row for row in rows_of(export_csv(client, "tasks")) if row["title"].startswith("Fit")
        ]
        assert {row["owner"] for row in exported} == {"Oona Fairweather"}
        assert "oona.fairweather@example.org" not in export_csv(client, "tasks").decode()
        again = upload(client, "tasks", to_csv(rows)).json()
        assert (again["updated"], again["unchanged"]) == (0, 2)

        rows[0]["owner"] = ""
        body = upload(client, "tasks", to_csv(rows)).json()
        assert (body["updated"], body["unchanged"]) == (1, 1)
        assert self.task(client, "a")["owner_person_id"] is None
        without = [{k: v for k, v in row.items() if k != "owner"} for row in rows]
        body = upload(client, "tasks", to_csv(without)).json()  # no column: owners kept
        assert (body["updated"], body["unchanged"]) == (0, 2)
        assert self.task(client, "b")["owner_person_id"] == owner

    def test_owner_errors_name_the_row_and_column_and_nothing_is_written(
        self, client: TestClient, safer_slug: str, org: dict[str, Any]
    ) -> None:
        self.person(client, "Piers Ambrose", org["id"], None)
        self.person(client, "Piers Ambrose", None, None)  # a namesake
        self.person(client, "Quentin Marsh", None, "quentin.marsh@example.org")  # not of org
        lead = {"partnership": safer_slug, "lead_organisation": org["slug"]}
        # References first: an unknown owner stops the file before the rules are checked.
        r = upload(client, "tasks", to_csv([new_task("a", **lead, owner="nobody@example.org")]))
        assert r.status_code == 422
        assert r.headers["content-type"].startswith(PROBLEM)
        assert [(e["row"], e["column"], e["message"]) for e in r.json()["errors"]] == [
            (2, "owner", "no person with this e-mail or name")
        ]
        rows = [
            new_task("b", **lead, owner="Piers Ambrose"),
            new_task("c", **lead, owner="quentin.marsh@example.org"),
            new_task("d", partnership=safer_slug, owner="quentin.marsh@example.org"),
        ]
        r = upload(client, "tasks", to_csv(rows))
        assert r.status_code == 422
        errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
        assert set(errors) == {(2, "owner"), (3, "owner")}  # row 4 has no lead: any owner
        assert "ambiguous" in errors[(2, "owner")]
        assert "lead organisation's people" in errors[(3, "owner")]
        assert client.get("/api/v1/tasks", params={"q": "Fit locks"}).json()["total"] == 0

    def test_a_new_lead_the_kept_owner_is_not_of_is_refused(
        self, client: TestClient, safer_slug: str, org: dict[str, Any]
    ) -> None:
        self.person(client, "Rhoda Quill", org["id"], None)
        rows = [new_task("a", partnership=safer_slug, owner="Rhoda Quill")]
        assert upload(client, "tasks", to_csv(rows)).status_code == 200
        other = client.get("/api/v1/organisations", params={"limit": 1}).json()["items"][0]
        moved = [{**rows[0], "lead_organisation": other["slug"]}]
        del moved[0]["owner"]
        r = upload(client, "tasks", to_csv(moved))
        assert r.status_code == 422
        assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "owner")]
        r = upload(client, "tasks", to_csv([{**moved[0], "owner": ""}]))
        assert r.status_code == 200, r.text
        task = self.task(client, "a")
        assert (task["lead_organisation_id"], task["owner_person_id"]) == (other["id"], None)

    def test_an_officer_names_owners_only_by_the_e_mails_they_may_see(
        self, as_role: Any, client: TestClient, org: dict[str, Any]
    ) -> None:
        officer = as_role("officer")
        own = managed_slug(officer, client)
        self.person(client, "Sabine Thorne", None, "sabine.thorne@example.org")
        rows = [new_task("a", partnership=own, owner="sabine.thorne@example.org")]
        r = upload(officer, "tasks", to_csv(rows))
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"] == "no person with this e-mail or name"
        rows[0]["owner"] = "Sabine Thorne"
        r = upload(officer, "tasks", to_csv(rows))
        assert r.status_code == 200, r.text


class TestValidation:
    def test_three_bad_rows_among_ten_thousand(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task(f"t{i}", partnership=safer_slug) for i in range(10_000)]
        rows[17]["rag"] = "purple"
        rows[4_242]["deadline"] = "31st of never"
        rows[9_998]["partnership"] = "no-such-partnership"
        r = upload(client, "tasks", to_csv(rows), "big.csv")
        assert r.status_code == 422
        assert r.headers["content-type"] == PROBLEM
        body = r.json()
        assert body["type"] == "/problems/import-rejected"
        assert body["error_count"] == 3
        found = [(e["row"], e["column"], e["value"]) for e in body["errors"]]
        assert found == [
            (19, "rag", "purple"),
            (4_244, "deadline", "31st of never"),
            (10_000, "partnership", "no-such-partnership"),
        ]
        assert all(e["message"] for e in body["errors"])
        tasks = client.get("/api/v1/tasks", params={"q": "Fit locks", "limit": 1}).json()
        assert tasks["total"] == 0
        assert client.get("/api/v1/imports").json()["total"] == 0

    def test_error_list_is_capped_with_a_count(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task(f"t{i}", partnership=safer_slug, rag="blue") for i in range(300)]
        body = upload(client, "tasks", to_csv(rows)).json()
        assert body["error_count"] == 300 and len(body["errors"]) == 200

    def test_missing_required_column_and_unknown_columns(self, client: TestClient) -> None:
        data = b"Partnership,Outcome Code,ACTION_REF,task ref,colour\nsafer,1,1,a,x\n"
        body = upload(client, "tasks", data).json()
        assert {"row": 1, "column": "title"} in [
            {"row": e["row"], "column": e["column"]} for e in body["errors"]
        ]
        assert body["unknown_columns"] == ["colour"]

    def test_duplicate_natural_key_in_file(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task("a", partnership=safer_slug), new_task("a", partnership=safer_slug)]
        body = upload(client, "tasks", to_csv(rows)).json()
        assert body["errors"][0]["row"] == 3
        assert "row 2" in body["errors"][0]["message"]

    def test_new_outcome_needs_a_title(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task("a", partnership=safer_slug, outcome_title="")]
        body = upload(client, "tasks", to_csv(rows)).json()
        assert [(e["column"], e["message"]) for e in body["errors"]] == [
            ("outcome_title", "required: the outcome is new")
        ]

    def test_partnership_without_strategy_is_refused(self, client: TestClient) -> None:
        r = client.post(
            "/api/v1/partnerships",
            json={"name": "Orphan Group", "slug": "orphan", "kind": "delivery"},
        )
        assert r.status_code == 201, r.text
        body = upload(client, "tasks", to_csv([new_task("a", partnership="orphan")])).json()
        assert "no strategy" in body["errors"][0]["message"]


class TestFormats:
    def test_windows_1252_semicolon_csv(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task("a", partnership=safer_slug, title="Café outreach \u2013 £5 vouchers")]
        data = to_csv(rows, delimiter=";").decode().encode("cp1252")
        r = upload(client, "tasks", data, "excel.csv")
        assert r.status_code == 200, r.text
        items = client.get("/api/v1/tasks", params={"q": "Café outreach"}).json()["items"]
        assert items[0]["title"] == "Café outreach \u2013 £5 vouchers"

    def test_utf8_bom_and_quoted_newlines(self, client: TestClient, safer_slug: str) -> None:
        rows = [new_task("a", partnership=safer_slug, position="Line one\nLine two")]
        data = b"\xef\xbb\xbf" + to_csv(rows)
        assert upload(client, "tasks", data).status_code == 200
        task = client.get("/api/v1/tasks", params={"q": "Fit locks in street a"}).json()["items"][0]
        assert task["position"] == "Line one\nLine two"

    def test_xlsx_named_sheet(self, client: TestClient, safer_slug: str) -> None:
        book = Workbook()
        book.active.title = "Notes"
        sheet = book.create_sheet("Tasks")
        sheet.append(TASK_HEADER)
        from datetime import datetime

        row = new_task("a", partnership=safer_slug)
        row["deadline"] = datetime(2027, 3, 31)
        sheet.append([row[h] or None for h in TASK_HEADER])
        out = io.BytesIO()
        book.save(out)
        r = upload(client, "tasks", out.getvalue(), "plan.xlsx", sheet="Tasks")
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 1
        task = client.get("/api/v1/tasks", params={"q": "Fit locks in street a"}).json()["items"][0]
        assert task["deadline"] == "2027-03-31"
        missing = upload(client, "tasks", out.getvalue(), "plan.xlsx", sheet="Nope")
        assert missing.status_code == 422 and missing.json()["type"] == "/problems/unreadable-file"

    def test_json_body(self, client: TestClient, safer_slug: str) -> None:
        r = client.post("/api/v1/imports/tasks", json=[new_task("a", partnership=safer_slug)])
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 1

    def test_formula_cells_stored_as_given_and_escaped_on_export(
        self, client: TestClient, safer_slug: str
    ) -> None:
        rows = [new_task("a", partnership=safer_slug, target='=HYPERLINK("x")')]
        assert upload(client, "tasks", to_csv(rows)).status_code == 200
        task = client.get("/api/v1/tasks", params={"q": "Fit locks in street a"}).json()["items"][0]
        assert task["target"] == '=HYPERLINK("x")'
        exported = export_csv(client, "tasks")
        mine = next(r for r in rows_of(exported) if r["title"] == "Fit locks in street a")
        assert mine["target"] == '\'=HYPERLINK("x")'
        assert upload(client, "tasks", exported).json()["updated"] == 0

    def test_upload_size_is_capped(self, client: TestClient) -> None:
        from api.core.settings import get_settings

        limit = get_settings().max_upload_bytes
        r = client.post(
            "/api/v1/imports/tasks",
            content=b"x" * 10,
            headers={"Content-Type": "text/csv", "Content-Length": str(limit + 1)},
        )
        assert r.status_code == 413


class TestOtherKinds:
    def test_people_with_memberships(self, client: TestClient, safer_slug: str) -> None:
        rows = [
            {
                "Email": "New.Person@Example.org",
                "Name": "New Person",
                "Partnership": safer_slug,
                "Started On": "2026-01-01",
                "Role": "Vice chair",
            },
            {"Email": "new.person@example.org", "Name": "New Person", "Partnership": ""},
        ]
        r = upload(client, "people", to_csv(rows))
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 2
        people = client.get("/api/v1/people", params={"q": "new.person"}).json()["items"]
        assert [p["email"] for p in people] == ["new.person@example.org"]
        members = client.get("/api/v1/memberships", params={"person_id": people[0]["id"]}).json()[
            "items"
        ]
        assert [(m["role"], m["voting"]) for m in members] == [("vice_chair", True)]
        again = upload(client, "people", to_csv(rows)).json()
        assert again["unchanged"] == 2

    def test_second_open_membership_is_a_row_error(
        self, client: TestClient, safer_slug: str
    ) -> None:
        rows = rows_of(export_csv(client, "people"))
        current = next(r for r in rows if r["partnership"] and not r["ended_on"])
        again = {**current, "started_on": "2026-06-01"}
        body = upload(client, "people", to_csv([again])).json()
        assert body["type"] == "/problems/import-rejected"
        assert body["errors"][0]["column"] == "started_on"
        assert "already a member since" in body["errors"][0]["message"]

    def test_meetings_with_agenda(self, client: TestClient, safer_slug: str) -> None:
        rows = [
            {
                "partnership": safer_slug,
                "starts_at": "2027-02-03T18:30",
                "title": "Spring meeting",
                "agenda_position": n,
                "agenda_title": f"Item {n}",
            }
            for n in (1, 2)
        ]
        body = upload(client, "meetings", to_csv(rows)).json()
        assert body["created"] == 2, body
        meetings = client.get("/api/v1/meetings", params={"q": "Spring meeting"}).json()["items"]
        assert meetings[0]["starts_at"].startswith("2027-02-03T18:30")  # GMT in February
        rows[1]["agenda_title"] = "Item two"
        body = upload(client, "meetings", to_csv(rows)).json()
        assert (body["updated"], body["unchanged"]) == (1, 1)

    def test_measurements_need_a_known_indicator(self, client: TestClient) -> None:
        rows = [
            {
                "indicator_code": "NI 999",
                "area": "E07000078",
                "period": "2009-10",
                "reported_on": "2010-04-01",
                "value": "12.5",
            }
        ]
        body = upload(client, "measurements", to_csv(rows)).json()
        assert body["errors"][0]["column"] == "indicator_code"
        rows[0]["indicator_code"] = "NI 1"
        body = upload(client, "measurements", to_csv(rows)).json()
        assert body["created"] == 1

    def test_organisations_match_by_org_id(self, client: TestClient) -> None:
        rows = [{"name": "Riverside Food Bank", "sector": "Voluntary community",
                 "org_id": "GB-CHC-999001"}]  # fmt: skip
        created = upload(client, "organisations", to_csv(rows)).json()
        assert created["created"] == 1
        rows[0]["name"] = "Riverside Food Bank CIO"
        body = upload(client, "organisations", to_csv(rows)).json()
        assert (body["created"], body["updated"]) == (0, 1)


class TestAccess:
    def test_officer_imports_into_own_partnership_only(
        self, as_role: Any, client: TestClient
    ) -> None:
        officer = as_role("officer")
        own = managed_slug(officer, client)
        r = upload(officer, "tasks", to_csv([new_task("a", partnership=own)]))
        assert r.status_code == 200, r.text
        r = upload(officer, "tasks", to_csv([new_task("a", partnership="strategic")]))
        assert r.status_code == 422
        assert r.json()["errors"][0]["message"] == "you may not import into this partnership"

    def test_officer_may_not_import_reference_data(self, as_role: Any) -> None:
        r = upload(as_role("officer"), "indicators", b"code,title\nX,Y\n")
        assert r.status_code == 403

    @pytest.mark.parametrize("role", ["member", "partner", "county"])
    def test_others_may_not_import(self, as_role: Any, role: str) -> None:
        assert upload(as_role(role), "tasks", b"a,b\n1,2\n").status_code == 403

    def test_api_keys_need_the_import_scope(
        self, client: TestClient, anon: TestClient, safer_slug: str
    ) -> None:
        def key(scopes: list[str]) -> dict[str, str]:
            r = client.post(
                "/api/v1/api-keys",
                json={"name": "Import script", "role": "admin", "scopes": scopes},
            )
            assert r.status_code == 201, r.text
            return {"Authorization": f"Bearer {r.json()['key']}"}

        data = to_csv([new_task("a", partnership=safer_slug)])
        without = upload(anon, "tasks", data, headers=key(["read", "write:all"]))
        assert without.status_code == 403
        with_scope = upload(anon, "tasks", data, headers=key(["read", "import"]))
        assert with_scope.status_code == 200, with_scope.text
        assert with_scope.json()["created"] == 1

    def test_anonymous_is_401(self, anon: TestClient) -> None:
        assert upload(anon, "tasks", b"a\n1\n").status_code == 401

    def test_unknown_kind_is_404(self, client: TestClient) -> None:
        assert upload(client, "spaceships", b"a\n1\n").status_code == 404

    def test_import_is_audited(self, client: TestClient, safer_slug: str) -> None:
        body = upload(client, "tasks", to_csv([new_task("a", partnership=safer_slug)])).json()
        events = client.get(
            "/api/v1/audit-events", params={"resource": "import_record", "limit": 5}
        ).json()
        assert any(e["resource_id"] == str(body["import_id"]) for e in events["items"])


class TestExports:
    def test_members_export_only_their_partnerships(self, as_role: Any, client: TestClient) -> None:
        everything = {r["partnership"] for r in rows_of(export_csv(client, "tasks"))}
        member = as_role("member")
        me = member.get("/api/v1/me").json()
        slugs = {p["id"]: p["slug"] for p in client.get("/api/v1/partnerships").json()["items"]}
        mine = {slugs[m["partnership_id"]] for m in me["memberships"]}
        seen = {r["partnership"] for r in rows_of(export_csv(member, "tasks"))}
        assert seen and seen <= mine and seen < everything

    def test_county_exports_indicator_data_only(self, as_role: Any) -> None:
        county = as_role("county")
        assert county.get("/api/v1/exports/measurements").status_code == 200
        assert county.get("/api/v1/exports/tasks").status_code == 403
        assert as_role("partner").get("/api/v1/exports/people").status_code == 403

    def test_xlsx_export_keeps_formula_text_as_text(
        self, client: TestClient, safer_slug: str
    ) -> None:
        from openpyxl import load_workbook

        rows = [new_task("a", partnership=safer_slug, target="=1+1")]
        assert upload(client, "tasks", to_csv(rows)).status_code == 200
        r = client.get("/api/v1/exports/tasks", params={"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(r.content)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
        assert cells and all(c.data_type == "s" for c in cells)


class TestIdempotencyKey:
    def test_same_key_replays_the_first_response(self, client: TestClient, safer_slug: str) -> None:
        data = to_csv([new_task("a", partnership=safer_slug)])
        headers = {"Idempotency-Key": "import-1"}
        first = upload(client, "tasks", data, headers=headers)
        second = upload(client, "tasks", data, headers=headers)
        assert first.json() == second.json() and first.json()["created"] == 1
        assert second.headers.get("Idempotent-Replayed") == "true"
        other = upload(client, "tasks", to_csv([new_task("b", partnership=safer_slug)]),
                       headers=headers)  # fmt: skip
        assert other.status_code == 422


def test_kinds_are_documented(client: TestClient) -> None:
    kinds = {k["name"]: k for k in client.get("/api/v1/imports/kinds").json()}
    assert kinds["tasks"]["key"] == ["partnership", "outcome_code", "action_ref", "task_ref"]
    assert [c["name"] for c in kinds["tasks"]["columns"]] == TASK_HEADER
    schema = client.get("/api/v1/openapi.json").json()
    description = schema["paths"]["/api/v1/imports/{kind}"]["post"]["description"]
    assert "`lead_organisation`" in description and "### `measurements`" in description
    assert json.dumps(schema).count("create_import") == 1


def test_readme_tables_match_the_column_specs() -> None:
    from pathlib import Path

    from api.imports.columns import help_table
    from api.imports.kinds import KINDS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for kind in KINDS.values():
        assert help_table(kind.columns) in readme, f"README table for {kind.name} is stale"
