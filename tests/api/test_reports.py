"""Performance reports, strategy progress and freshness (issue 6, DESIGN §6).

The central fixture enters a sub-group's plan the way an officer would from the paper form:
three outcomes, eleven tasks with mixed RAG, reported at two meetings two months apart.
"""

import csv
import io
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.core import clock, compiled
from api.core.db import SessionLocal
from api.reports import performance
from api.reports.schemas import PerformanceReport
from tests.factories import big_plan

SUMMARY_KEYS = ("green", "amber", "red", "complete", "not_rated")

TODAY = clock.today()
MEETING = TODAY - timedelta(days=20)  # the meeting the paper was written for
EARLIER = MEETING - timedelta(days=61)  # the meeting before
AFTER = MEETING + timedelta(days=10)  # an update after the paper went out

# outcome code -> tasks: (ref, title, status at EARLIER or None, status at MEETING)
# status = (rag, position, planned improvement)
PLAN = {
    "7.1": (
        "More people feel they can influence decisions in their area",
        "Deliver the community engagement framework",
        [
            ("a", "Publish the engagement framework", ("amber", "Draft out", None),
             ("green", "Adopted by the executive", None)),
            ("b", "Train 40 staff in engagement methods", ("green", "20 trained", None),
             ("green", "38 trained", None)),
            ("c", "Run three neighbourhood forums", ("red", "No venue", "Use the library"),
             ("amber", "One forum held", None)),
            ("d", "Survey residents on influence (NI 4)", None,
             ("red", "Survey contract delayed", "Re-tender by January")),
        ],
    ),
    "7.2": (
        "More people volunteer",
        "Carry out the volunteering strategy",
        [
            ("a", "Open a volunteer brokerage service", ("amber", "Premises found", None),
             ("green", "Open three days a week", None)),
            ("b", "Recruit 200 new volunteers", ("amber", "85 recruited", None),
             ("amber", "140 recruited", None)),
            ("c", "Hold a volunteers' week celebration", ("green", "Planned", None),
             ("complete", "Held in June, 300 attended", None)),
            ("d", "Employer-supported volunteering scheme", None,
             (None, "Not started: awaiting funding decision", None)),
        ],
    ),
    "7.3": (
        "A stronger voluntary and community sector",
        "Agree and apply the local compact",
        [
            ("a", "Sign the compact", ("amber", "Consultation open", None),
             ("amber", "Two partners yet to sign", None)),
            ("b", "Three-year funding for key groups", ("amber", "Under review", None),
             ("red", "Budget cut proposed", "Raise at the strategic partnership")),
            ("c", "Commissioning training for the sector", ("red", "Trainer left", "Recruit"),
             ("green", "Two sessions delivered", None)),
        ],
    ),
}  # fmt: skip

# What the paper form showed at each meeting.
AT_MEETING = {
    "7.1": {"green": 2, "amber": 1, "red": 1, "complete": 0, "not_rated": 0, "total": 4},
    "7.2": {"green": 1, "amber": 1, "red": 0, "complete": 1, "not_rated": 1, "total": 4},
    "7.3": {"green": 1, "amber": 1, "red": 1, "complete": 0, "not_rated": 0, "total": 3},
}
AT_EARLIER = {
    "7.1": {"green": 1, "amber": 1, "red": 1, "complete": 0, "not_rated": 0, "total": 3},
    "7.2": {"green": 1, "amber": 2, "red": 0, "complete": 0, "not_rated": 0, "total": 3},
    "7.3": {"green": 0, "amber": 2, "red": 1, "complete": 0, "not_rated": 0, "total": 3},
}


@dataclass
class SubGroup:
    partnership_id: int
    partnership_name: str
    officer_name: str
    officer_email: str
    outcome_ids: dict[str, int]
    task_ids: dict[str, int]  # "7.1d" -> id
    strategy_id: int


def ok(r: object, status: int = 201) -> dict:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    return r.json()  # type: ignore[attr-defined]


def status_body(status: tuple, day: date) -> dict:
    rag, position, improvement = status
    body = {"rag": rag, "position": position, "reported_on": day.isoformat()}
    if improvement:
        body["planned_improvement"] = improvement
    return body


@pytest.fixture
def subgroup(client: TestClient) -> SubGroup:
    """The plan entered through the API from the paper forms of two meetings."""
    org = client.get("/api/v1/organisations", params={"limit": 1}).json()["items"][0]
    partnership = ok(
        client.post(
            "/api/v1/partnerships",
            json={
                "name": "Stronger Communities Partnership",
                "slug": "stronger-communities",
                "kind": "thematic",
            },
        )
    )
    pid = partnership["id"]
    person = ok(
        client.post(
            "/api/v1/people",
            json={"name": "Martha Quillfeather", "email": "martha.quillfeather@example.org"},
        )
    )
    ok(
        client.post(
            "/api/v1/memberships",
            json={
                "person_id": person["id"],
                "partnership_id": pid,
                "role": "officer",
                "voting": False,
                "started_on": (EARLIER - timedelta(days=200)).isoformat(),
            },
        )
    )
    strategy_id = client.get("/api/v1/strategies").json()["items"][0]["id"]
    plan = ok(
        client.post("/api/v1/action-plans", json={"partnership_id": pid, "title": "2008-11 plan"})
    )
    outcome_ids: dict[str, int] = {}
    task_ids: dict[str, int] = {}
    for code, (title, action_title, tasks) in PLAN.items():
        outcome = ok(
            client.post(
                "/api/v1/outcomes",
                json={
                    "strategy_id": strategy_id,
                    "code": code,
                    "title": title,
                    "achieve": f"By 2011: {title.lower()}",
                    "how": "Through the sub-group's action plan",
                    "lead_partnership_id": pid,
                },
            )
        )
        outcome_ids[code] = outcome["id"]
        action = ok(
            client.post(
                "/api/v1/actions",
                json={
                    "action_plan_id": plan["id"],
                    "outcome_id": outcome["id"],
                    "ref": f"{code}.1",
                    "title": action_title,
                },
            )
        )
        for ref, task_title, _, _ in tasks:
            task = ok(
                client.post(
                    "/api/v1/tasks",
                    json={
                        "action_id": action["id"],
                        "ref": ref,
                        "title": task_title,
                        "target": "By March",
                        "lead_organisation_id": org["id"],
                    },
                )
            )
            task_ids[f"{code}{ref}"] = task["id"]
    for day, index in ((EARLIER, 2), (MEETING, 3)):
        for code, (_, _, tasks) in PLAN.items():
            for task in tasks:
                if task[index] is not None:
                    path = f"/api/v1/tasks/{task_ids[code + task[0]]}/status-updates"
                    ok(client.post(path, json=status_body(task[index], day)))
    # After the paper went out, 7.1d recovered to amber.
    ok(
        client.post(
            f"/api/v1/tasks/{task_ids['7.1d']}/status-updates",
            json=status_body(("amber", "Contract let", None), AFTER),
        )
    )
    return SubGroup(
        pid,
        partnership["name"],
        person["name"],
        person["email"],
        outcome_ids,
        task_ids,
        strategy_id,
    )


def report(client: TestClient, sg: SubGroup, day: date | None, **headers: str) -> object:
    params = {"as_of": day.isoformat()} if day else {}
    return client.get(
        f"/api/v1/partnerships/{sg.partnership_id}/performance-report",
        params=params,
        headers=headers,
    )


def summaries(body: dict) -> dict[str, dict]:
    return {
        s["code"]: {k: v for k, v in s["summary"].items() if k != "stale"} for s in body["outcomes"]
    }


class TestPaperForm:
    def test_counts_as_of_the_meeting_match_the_paper(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        body = ok(report(client, subgroup, MEETING), 200)
        assert summaries(body) == AT_MEETING
        assert body["summary"]["total"] == 11
        assert [s["code"] for s in body["outcomes"]] == ["7.1", "7.2", "7.3"]

    def test_each_outcome_carries_date_sub_group_and_contact(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        body = ok(report(client, subgroup, MEETING), 200)
        for section in body["outcomes"]:
            assert section["date"] == MEETING.isoformat()
            assert section["sub_group"] == subgroup.partnership_name
            assert section["contact"]["name"] == subgroup.officer_name
            assert section["contact"]["email"] == subgroup.officer_email
        assert body["as_of"] == MEETING.isoformat()
        assert body["scope"] == {
            "kind": "partnership",
            "id": subgroup.partnership_id,
            "name": subgroup.partnership_name,
        }

    def test_tasks_show_what_was_reported_by_that_date(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        body = ok(report(client, subgroup, MEETING), 200)
        section = body["outcomes"][0]
        action = section["actions"][0]
        assert action["ref"] == "7.1.1"
        tasks = {t["ref"]: t for t in action["tasks"]}
        assert list(tasks) == ["a", "b", "c", "d"]
        d = tasks["d"]
        assert (d["rag"], d["position"], d["planned_improvement"]) == (
            "red",
            "Survey contract delayed",
            "Re-tender by January",
        )
        assert d["reported_on"] == MEETING.isoformat()
        assert d["target"] == "By March" and d["lead_organisation"]
        not_rated = body["outcomes"][1]["actions"][0]["tasks"][3]
        assert not_rated["rag"] is None
        assert not_rated["position"] == "Not started: awaiting funding decision"

    def test_earlier_dates_give_earlier_states(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        body = ok(report(client, subgroup, EARLIER), 200)
        assert summaries(body) == AT_EARLIER
        between = ok(report(client, subgroup, MEETING - timedelta(days=1)), 200)
        assert summaries(between) == AT_EARLIER
        before = ok(report(client, subgroup, EARLIER - timedelta(days=1)), 200)
        assert before["outcomes"] == [] and before["summary"]["total"] == 0

    def test_later_updates_do_not_change_the_meeting_report(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        now = ok(report(client, subgroup, None), 200)
        assert now["as_of"] == clock.today().isoformat()  # not TODAY: the run may pass midnight
        assert now["summary"]["red"] == 1 and now["summary"]["amber"] == 4
        d_now = now["outcomes"][0]["actions"][0]["tasks"][3]
        assert (d_now["rag"], d_now["reported_on"]) == ("amber", AFTER.isoformat())
        assert summaries(ok(report(client, subgroup, MEETING), 200)) == AT_MEETING

    def test_a_task_without_an_update_by_the_date_is_not_rated(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        """A task created today with no update counts today as not rated, position null."""
        some = ok(report(client, subgroup, None), 200)["outcomes"][2]["actions"][0]
        ok(
            client.post(
                "/api/v1/tasks",
                json={"action_id": some["id"], "ref": "d", "title": "Map the sector"},
            )
        )
        body = ok(report(client, subgroup, None), 200)
        section = body["outcomes"][2]
        new = section["actions"][0]["tasks"][3]
        assert (new["ref"], new["rag"], new["position"], new["stale"]) == ("d", None, None, True)
        assert section["summary"]["not_rated"] == 1 and section["summary"]["total"] == 4
        assert summaries(ok(report(client, subgroup, MEETING), 200)) == AT_MEETING

    def test_led_outcome_without_actions_is_listed_empty(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        ok(
            client.post(
                "/api/v1/outcomes",
                json={
                    "strategy_id": subgroup.strategy_id,
                    "code": "7.10",
                    "title": "Residents know how to get involved",
                    "lead_partnership_id": subgroup.partnership_id,
                },
            )
        )
        body = ok(report(client, subgroup, None), 200)
        assert [s["code"] for s in body["outcomes"]] == ["7.1", "7.2", "7.3", "7.10"]
        assert body["outcomes"][-1]["actions"] == []
        assert body["outcomes"][-1]["summary"]["total"] == 0


class TestSummaryInvariant:
    @pytest.mark.parametrize("days_ago", [0, 45, 130, 400])
    def test_counts_add_up_to_the_total_for_every_partnership(
        self, client: TestClient, days_ago: int
    ) -> None:
        day = (TODAY - timedelta(days=days_ago)).isoformat()
        partnerships = client.get("/api/v1/partnerships", params={"limit": 100}).json()["items"]
        seen_tasks = 0
        for p in partnerships:
            body = ok(
                client.get(
                    f"/api/v1/partnerships/{p['id']}/performance-report", params={"as_of": day}
                ),
                200,
            )
            overall = dict.fromkeys((*SUMMARY_KEYS, "total", "stale"), 0)
            for section in body["outcomes"]:
                s = section["summary"]
                tasks = [t for a in section["actions"] for t in a["tasks"]]
                assert sum(s[k] for k in SUMMARY_KEYS) == s["total"] == len(tasks)
                assert s["stale"] == sum(t["stale"] for t in tasks)
                for key in overall:
                    overall[key] += s[key]
            assert body["summary"] == overall
            seen_tasks += body["summary"]["total"]
        if days_ago == 0:
            assert seen_tasks == client.get("/api/v1/tasks").json()["total"]

    def test_today_matches_the_tasks_current_status(self, client: TestClient) -> None:
        """As of today each task shows its current fields."""
        tasks = {
            t["id"]: t for t in client.get("/api/v1/tasks", params={"limit": 500}).json()["items"]
        }
        plan = client.get("/api/v1/action-plans", params={"limit": 1}).json()["items"][0]
        body = ok(
            client.get(f"/api/v1/partnerships/{plan['partnership_id']}/performance-report"), 200
        )
        for section in body["outcomes"]:
            for action in section["actions"]:
                for t in action["tasks"]:
                    current = tasks[t["id"]]
                    assert (t["rag"], t["position"]) == (current["rag"], current["position"])
                    assert t["reported_on"] == current["last_reported_on"]


class TestFormats:
    def test_csv_has_one_row_per_task(self, client: TestClient, subgroup: SubGroup) -> None:
        r = report(client, subgroup, MEETING, Accept="text/csv")
        assert r.status_code == 200  # type: ignore[attr-defined]
        assert r.headers["content-type"].startswith("text/csv")  # type: ignore[attr-defined]
        rows = list(csv.DictReader(io.StringIO(r.text)))  # type: ignore[attr-defined]
        assert len(rows) == 11
        assert {r["sub_group"] for r in rows} == {subgroup.partnership_name}
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["rag"] or "not_rated"] = counts.get(row["rag"] or "not_rated", 0) + 1
        assert counts == {"green": 4, "amber": 3, "red": 2, "complete": 1, "not_rated": 1}
        d = next(row for row in rows if row["outcome_code"] == "7.1" and row["task_ref"] == "d")
        assert d["planned_improvement"] == "Re-tender by January"

    def test_csv_download_path_and_formula_escaping(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        ok(
            client.patch(
                f"/api/v1/tasks/{subgroup.task_ids['7.1a']}",
                json={"title": '=HYPERLINK("http://x")'},
            ),
            200,
        )
        r = client.get(f"/api/v1/partnerships/{subgroup.partnership_id}/performance-report.csv")
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert any(row["task_title"] == '\'=HYPERLINK("http://x")' for row in rows)

    def test_html_print_view(self, client: TestClient, subgroup: SubGroup) -> None:
        ok(
            client.patch(
                f"/api/v1/tasks/{subgroup.task_ids['7.1b']}",
                json={"title": "Train <b>staff</b>"},
            ),
            200,
        )
        for r in (
            client.get(
                f"/api/v1/partnerships/{subgroup.partnership_id}/performance-report.html",
                params={"as_of": MEETING.isoformat()},
            ),
            report(client, subgroup, MEETING, Accept="text/html"),
        ):
            assert r.status_code == 200  # type: ignore[attr-defined]
            html = r.text  # type: ignore[attr-defined]
            assert r.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
            assert "Outcome 7.1: More people feel they can influence" in html
            assert subgroup.officer_name in html and subgroup.officer_email in html
            assert "Train &lt;b&gt;staff&lt;/b&gt;" in html  # escaped, not markup
            assert "@page" in html  # print stylesheet
            assert html.count('class="summary"') == 4  # one per outcome + overall

    def test_json_is_the_default_and_browsers_get_html(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        assert report(client, subgroup, None).headers["content-type"] == "application/json"  # type: ignore[attr-defined]
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        r = report(client, subgroup, None, Accept=browser)
        assert r.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
        r = report(client, subgroup, None, Accept="text/csv;q=0.5, application/json")
        assert r.headers["content-type"] == "application/json"  # type: ignore[attr-defined]

    def test_json_is_what_the_model_writes(self, client: TestClient, subgroup: SubGroup) -> None:
        """The JSON is written from the database's values without validating them
        (``api.reports.performance.ReportData``): byte for byte what the model would write,
        for every partnership's and outcome's report of the demo and the sub-group, today
        and on past dates (with tasks not yet created, not yet rated, stale and not)."""
        partnerships = client.get("/api/v1/partnerships", params={"limit": 500}).json()
        outcomes = client.get("/api/v1/outcomes", params={"limit": 500}).json()
        paths = [
            f"/api/v1/partnerships/{p['id']}/performance-report" for p in partnerships["items"]
        ]
        paths += [f"/api/v1/outcomes/{o['id']}/performance-report" for o in outcomes["items"]]
        seen: dict[str, int] = {}
        for path in paths:
            for day in (None, AFTER, MEETING, EARLIER, EARLIER - timedelta(days=1)):
                params = {"as_of": day.isoformat()} if day else {}
                r = client.get(path, params=params)
                assert r.status_code == 200, r.text
                model = PerformanceReport.model_validate_json(r.content)
                assert r.content == model.model_dump_json().encode(), path
                for name, count in model.summary.model_dump().items():
                    seen[name] = seen.get(name, 0) + count
        assert all(seen[name] > 0 for name in (*SUMMARY_KEYS, "stale")), seen
        assert seen["total"] > seen["stale"] > 0

    def test_compiled_statements_answer_as_through_sqlalchemy(
        self,
        client: TestClient,
        subgroup: SubGroup,
        db: Connection,
        dialect: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """On PostgreSQL a partnership's report sends its statements to the driver as
        compiled once (``api.core.compiled``), the report date's end through UTCDateTime's
        bind processor; every report must be byte for byte what SQLAlchemy's execution
        gives, in a session whose time zone is not UTC, and a missing partnership a 404."""
        statements = (
            performance._partnership_rows_statement(lateral=True, current=True),
            performance._partnership_rows_statement(lateral=True, current=False),
            performance._PARTNERSHIP_OFFICERS,
            performance._PARTNERSHIP_OUTCOMES,
        )
        if dialect == "postgresql":
            db.exec_driver_sql("SET LOCAL TIME ZONE 'Pacific/Auckland'")
            engine = db.engine
            sent = [compiled.compile_select(s, engine.dialect) for s in statements]
            assert all(c is not None for c in sent)
            assert any(name == "end_of_day" for name, _ in sent[0].bind_processors)
        partnerships = client.get("/api/v1/partnerships", params={"limit": 500}).json()
        paths = [
            f"/api/v1/partnerships/{p['id']}/performance-report" for p in partnerships["items"]
        ]
        paths.append(f"/api/v1/partnerships/{max(p['id'] for p in partnerships['items']) + 1}"
                     "/performance-report")  # fmt: skip
        days = (None, AFTER, MEETING, EARLIER, EARLIER - timedelta(days=1))
        answers = {}
        for path in paths:
            for day in days:
                params = {"as_of": day.isoformat()} if day else {}
                answers[path, day] = client.get(path, params=params)

        def executed(connection: Connection, stmt: object, params: dict | None = None) -> object:
            return connection.execute(stmt, dict(params or {})).all()

        monkeypatch.setattr(performance, "fetch_all", executed)
        for (path, day), compiled_answer in answers.items():
            params = {"as_of": day.isoformat()} if day else {}
            through = client.get(path, params=params)
            assert compiled_answer.status_code == through.status_code, (path, day)
            assert compiled_answer.content == through.content, (path, day)
        assert answers[paths[-1], None].status_code == 404
        assert sum(a.status_code == 200 for a in answers.values()) == len(days) * (len(paths) - 1)

    def test_bad_date_is_422(self, client: TestClient, subgroup: SubGroup) -> None:
        r = client.get(
            f"/api/v1/partnerships/{subgroup.partnership_id}/performance-report",
            params={"as_of": "31/12/2008"},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["loc"] == ["query", "as_of"]


class TestOutcomeReport:
    def test_one_outcome_across_partnerships(self, client: TestClient, subgroup: SubGroup) -> None:
        other = client.get("/api/v1/action-plans", params={"limit": 1}).json()["items"][0]
        action = ok(
            client.post(
                "/api/v1/actions",
                json={
                    "action_plan_id": other["id"],
                    "outcome_id": subgroup.outcome_ids["7.1"],
                    "ref": "X.1",
                    "title": "Support the engagement framework",
                },
            )
        )
        task = ok(client.post("/api/v1/tasks", json={"action_id": action["id"], "ref": "a",
                                                     "title": "Share venues"}))  # fmt: skip
        ok(
            client.post(
                f"/api/v1/tasks/{task['id']}/status-updates",
                json={"rag": "green", "position": "Venues listed",
                      "reported_on": MEETING.isoformat()},
            )
        )  # fmt: skip
        r = client.get(
            f"/api/v1/outcomes/{subgroup.outcome_ids['7.1']}/performance-report",
            params={"as_of": MEETING.isoformat()},
        )
        body = ok(r, 200)
        assert body["scope"]["kind"] == "outcome"
        by_group = {s["partnership_id"]: s for s in body["outcomes"]}
        assert set(by_group) == {subgroup.partnership_id, other["partnership_id"]}
        mine = by_group[subgroup.partnership_id]
        assert {k: v for k, v in mine["summary"].items() if k != "stale"} == AT_MEETING["7.1"]
        assert by_group[other["partnership_id"]]["summary"]["green"] == 1
        assert body["summary"]["total"] == 5
        assert all(s["code"] == "7.1" for s in body["outcomes"])

    def test_outcome_report_as_csv(self, client: TestClient, subgroup: SubGroup) -> None:
        r = client.get(
            f"/api/v1/outcomes/{subgroup.outcome_ids['7.3']}/performance-report",
            params={"as_of": MEETING.isoformat()},
            headers={"Accept": "text/csv"},
        )
        assert len(list(csv.DictReader(io.StringIO(r.text)))) == 3

    def test_missing_outcome_is_404(self, client: TestClient) -> None:
        r = client.get("/api/v1/outcomes/2147483647/performance-report")
        assert r.status_code == 404


class TestReportAccess:
    def test_roles(self, client: TestClient, as_role, anon: TestClient) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        mine = member.get("/api/v1/dashboard").json()["partnerships"]
        mine_ids = {p["id"] for p in mine}
        assert mine_ids
        everyone = client.get("/api/v1/partnerships", params={"limit": 100}).json()["items"]
        not_mine = next(p["id"] for p in everyone if p["id"] not in mine_ids)
        path = "/api/v1/partnerships/{}/performance-report"
        assert member.get(path.format(next(iter(mine_ids)))).status_code == 200
        assert member.get(path.format(not_mine)).status_code == 404
        assert as_role("county").get(path.format(not_mine)).status_code == 200
        assert as_role("partner").get(path.format(next(iter(mine_ids)))).status_code == 403
        assert anon.get(path.format(not_mine)).status_code == 401
        assert client.get(path.format(2147483647)).status_code == 404

    def test_outcome_report_shows_only_the_callers_partnerships(
        self, client: TestClient, as_role
    ) -> None:  # type: ignore[no-untyped-def]
        member = as_role("member")
        mine = {p["id"] for p in member.get("/api/v1/dashboard").json()["partnerships"]}
        for outcome in client.get("/api/v1/outcomes", params={"limit": 100}).json()["items"]:
            body = ok(member.get(f"/api/v1/outcomes/{outcome['id']}/performance-report"), 200)
            assert {s["partnership_id"] for s in body["outcomes"]} <= mine


class TestQueryBudget:
    def _big_plan(self, db: Connection, tasks: int) -> int:
        """A partnership whose plan has ``tasks`` tasks with three updates each."""
        with SessionLocal() as s, s.begin():
            pid, _ = big_plan(
                s,
                tasks,
                name="Big Plan Partnership",
                slug="big-plan",
                plan_title="Big plan",
                latest=TODAY - timedelta(days=60),
            )
            return pid

    def test_a_plan_of_1000_tasks_takes_at_most_10_queries(
        self, client: TestClient, db: Connection, query_counter: list[str]
    ) -> None:
        pid = self._big_plan(db, 1000)
        for as_of in (TODAY, TODAY - timedelta(days=70)):
            query_counter.clear()
            started = time.perf_counter()
            r = client.get(
                f"/api/v1/partnerships/{pid}/performance-report",
                params={"as_of": as_of.isoformat()},
            )
            elapsed = time.perf_counter() - started
            body = ok(r, 200)
            assert body["summary"]["total"] == 1000
            assert len(body["outcomes"]) == 10
            queries = [q for q in query_counter if "SAVEPOINT" not in q.upper()]
            assert len(queries) <= 10, queries
            print(f"\n1,000-task report as of {as_of}: {len(queries)} queries, {elapsed:.3f}s")
        today = ok(client.get(f"/api/v1/partnerships/{pid}/performance-report"), 200)
        # Update n=2 (today) has rag index (i + 2) % 5: 200 tasks in each state.
        assert {k: today["summary"][k] for k in SUMMARY_KEYS} == dict.fromkeys(SUMMARY_KEYS, 200)


class TestStrategyProgress:
    def test_progress_table(self, client: TestClient, subgroup: SubGroup) -> None:
        r = client.get(
            f"/api/v1/strategies/{subgroup.strategy_id}/progress",
            params={"as_of": MEETING.isoformat()},
        )
        body = ok(r, 200)
        assert [p["position"] for p in body["principles"]] == [1, 2, 3]
        outcomes = {o["code"]: o for g in body["priorities"] for o in g["outcomes"]}
        mine = outcomes["7.1"]
        assert mine["achieve"].startswith("By 2011")
        assert mine["how"] == "Through the sub-group's action plan"
        assert mine["lead_partnership"] == subgroup.partnership_name
        assert {k: v for k, v in mine["summary"].items() if k != "stale"} == AT_MEETING["7.1"]
        assert mine["rag"] == "amber"  # 2 green, 1 amber, 1 red -> 0.625
        assert outcomes["7.2"]["rag"] == "green"  # green, amber, complete -> 0.83
        latest = mine["latest_updates"]
        assert len(latest) == 3 and all(u["reported_on"] == MEETING.isoformat() for u in latest)
        # Outcomes without a priority are grouped last.
        assert body["priorities"][-1]["priority_id"] is None
        grouped = sum(len(g["outcomes"]) for g in body["priorities"])
        assert (
            grouped
            == client.get("/api/v1/outcomes", params={"strategy_id": subgroup.strategy_id}).json()[
                "total"
            ]
        )

    def test_counts_and_latest_updates_agree_with_every_partnerships_report(
        self, client: TestClient, subgroup: SubGroup
    ) -> None:
        """Per outcome, the progress table's counts are the sums of the partnerships' reports
        and its latest updates are their three newest tasks (date, then id, newest first)."""
        strategy = client.get("/api/v1/strategies").json()["items"][0]
        progress = ok(client.get(f"/api/v1/strategies/{strategy['id']}/progress"), 200)
        sums: dict[int, dict[str, int]] = {}
        tasks: dict[int, list[tuple[str, int, str, str | None, str | None]]] = {}
        partnerships = client.get("/api/v1/partnerships", params={"limit": 500}).json()["items"]
        for partnership in partnerships:
            body = ok(
                client.get(f"/api/v1/partnerships/{partnership['id']}/performance-report"), 200
            )
            for section in body["outcomes"]:
                total = sums.setdefault(section["outcome_id"], dict.fromkeys(section["summary"], 0))
                for key, value in section["summary"].items():
                    total[key] += value
                tasks.setdefault(section["outcome_id"], []).extend(
                    (t["reported_on"], t["id"], f"{a['ref']}{t['ref']}", t["rag"], t["position"])
                    for a in section["actions"]
                    for t in a["tasks"]
                    if t["reported_on"]
                )
        checked = 0
        for group in progress["priorities"]:
            for outcome in group["outcomes"]:
                expected = sums.get(outcome["outcome_id"])
                if expected is None:
                    assert outcome["summary"]["total"] == 0
                    continue
                assert outcome["summary"] == expected
                newest = sorted(tasks[outcome["outcome_id"]], reverse=True)[:3]
                assert [
                    (u["reported_on"], u["task_id"], u["ref"], u["rag"], u["position"])
                    for u in outcome["latest_updates"]
                ] == newest
                checked += len(newest)
        assert checked > 20

    def test_linked_indicators_latest_value_against_target(self, client: TestClient) -> None:
        strategy = client.get("/api/v1/strategies").json()["items"][0]
        body = ok(client.get(f"/api/v1/strategies/{strategy['id']}/progress"), 200)
        first = body["priorities"][0]["outcomes"][0]
        assert first["code"] == "1.1"
        ni1 = next(i for i in first["indicators"] if i["code"] == "NI 1")
        measurements = client.get(
            "/api/v1/measurements",
            params={"indicator_id": ni1["indicator_id"], "limit": 500},
        ).json()["items"]
        latest = max(measurements, key=lambda m: (m["reported_on"], m["id"]))
        assert ni1["latest_value"] == latest["value"]
        assert ni1["latest_period"] == latest["period"]
        assert ni1["target"] is not None and latest["period"].startswith(ni1["target_period"])
        higher = ni1["polarity"] == "higher_is_better"
        expected = latest["value"] >= ni1["target"] if higher else latest["value"] <= ni1["target"]
        assert ni1["met"] is expected
        assert ni1["rag"] in ("green", "amber", "red")

    def test_roll_up_counts_every_task_of_the_strategy(self, client: TestClient) -> None:
        strategy = client.get("/api/v1/strategies").json()["items"][0]
        body = ok(client.get(f"/api/v1/strategies/{strategy['id']}/progress"), 200)
        assert body["summary"]["total"] == client.get("/api/v1/tasks").json()["total"]

    def test_query_count_is_bounded(self, client: TestClient, query_counter: list[str]) -> None:
        strategy = client.get("/api/v1/strategies").json()["items"][0]
        query_counter.clear()
        ok(client.get(f"/api/v1/strategies/{strategy['id']}/progress"), 200)
        queries = [q for q in query_counter if "SAVEPOINT" not in q.upper()]
        # as of today the counts and the newest updates are two statements, each from indexes
        assert len(queries) <= 11, queries

    def test_missing_strategy_is_404(self, client: TestClient) -> None:
        assert client.get("/api/v1/strategies/2147483647/progress").status_code == 404


class TestFreshness:
    def test_matches_the_stale_filter(self, client: TestClient) -> None:
        body = ok(client.get("/api/v1/freshness"), 200)
        stale = client.get("/api/v1/tasks", params={"stale": True, "limit": 500}).json()["items"]
        by_org: dict[int | None, int] = {}
        for t in stale:
            by_org[t["lead_organisation_id"]] = by_org.get(t["lead_organisation_id"], 0) + 1
        reported = {o["organisation_id"]: o["stale"] for o in body["organisations"] if o["stale"]}
        assert reported == by_org
        for o in body["organisations"]:
            assert o["updated_this_cycle"] + o["stale"] == o["led_tasks"]
            assert o["share_updated"] == round(o["updated_this_cycle"] / o["led_tasks"], 4)
        shares = [o["share_updated"] for o in body["organisations"]]
        assert shares == sorted(shares)  # whom to chase first

    def test_one_partnership(self, client: TestClient, subgroup: SubGroup) -> None:
        body = ok(
            client.get("/api/v1/freshness", params={"partnership_id": subgroup.partnership_id}),
            200,
        )
        # 11 tasks, one complete: 10 open, all updated at the last meeting.
        assert [(o["led_tasks"], o["stale"]) for o in body["organisations"]] == [(10, 0)]

    def test_access(self, as_role) -> None:  # type: ignore[no-untyped-def]
        assert as_role("partner").get("/api/v1/freshness").status_code == 403
        member = as_role("member").get("/api/v1/freshness")
        assert member.status_code == 200
        everyone = as_role("admin").get("/api/v1/freshness").json()["organisations"]
        assert sum(o["led_tasks"] for o in member.json()["organisations"]) < sum(
            o["led_tasks"] for o in everyone
        )
