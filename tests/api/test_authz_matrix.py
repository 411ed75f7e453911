"""Authorisation matrix (DESIGN §5): every OpenAPI operation x role -> expected status class.

The operations come from the live OpenAPI schema, so a new operation without a row in
EXPECTED fails ``test_every_operation_has_a_row``. To add an operation:

1. add ``"<operation_id>": <row>`` to EXPECTED; use a preset (READ_STAFF, MANAGE, ...) or
   ``row(officer="2xx", member="403", ...)``; statuses are "2xx", "401", "403", "404", ...;
2. for POST/PUT/PATCH add a valid body to BODIES (a function of the Demo ids);
3. if the path has a parameter other than ids of resources listed in OWN, add it to PARAMS.

Path ids come from OWN: for ``/meetings/{meeting_id}/...`` the id is OWN["meetings"], an
object in the partnership the demo officer manages, the demo member belongs to and the
demo partner's organisation sits on ("own" data). ``delete_*`` operations act on a fresh
object, created by the admin with the matching ``create_*`` body, unless listed in
DELETE_EXISTING. Every test runs in a rolled-back transaction, and every successful write must
leave an audit event carrying the request's id.

The second dimension, *out of scope* (``test_out_of_scope``), runs every operation that names
an object owned by a partnership as the demo officer, member and partner against the objects
of a partnership none of them belongs to (FOREIGN); see the section below.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import api.models  # noqa: F401  (every table, for the fingerprint)
from api.core import clock
from api.main import create_app
from tests.papers_files import pdf

ROLES = ("anonymous", "admin", "officer", "member", "partner", "county")
WRITE_METHODS = {"post", "put", "patch", "delete"}


def row(
    *,
    anonymous: str = "401",
    admin: str = "2xx",
    officer: str = "403",
    member: str = "403",
    partner: str = "403",
    county: str = "403",
) -> dict[str, str]:
    return {
        "anonymous": anonymous,
        "admin": admin,
        "officer": officer,
        "member": member,
        "partner": partner,
        "county": county,
    }


PUBLIC = row(anonymous="2xx", officer="2xx", member="2xx", partner="2xx", county="2xx")
ANY_PRINCIPAL = row(officer="2xx", member="2xx", partner="2xx", county="2xx")
READ_ALL = ANY_PRINCIPAL  # reference data the county reads too
READ_STAFF = row(officer="2xx", member="2xx", partner="2xx")  # not the county
ADMIN_ONLY = row()
MANAGE = row(officer="2xx")  # admins and the partnership's officers
DIRECTORY_WRITE = row(officer="2xx")  # organisations, people: officers add and correct
NOT_VISIBLE = "404"
READ_REPORTS = row(officer="2xx", member="2xx", county="2xx")  # partner keys read no reports

EXPECTED: dict[str, dict[str, str]] = {
    # health
    "health": PUBLIC,
    "ready": PUBLIC,
    # auth
    "create_token": PUBLIC,
    "logout": row(officer="2xx", member="2xx", partner="403", county="403"),
    "get_me": ANY_PRINCIPAL,
    "list_users": ADMIN_ONLY,
    "list_administrators": ANY_PRINCIPAL,
    "create_user": ADMIN_ONLY,
    "get_user": ADMIN_ONLY,
    "update_user": ADMIN_ONLY,
    "deactivate_user": ADMIN_ONLY,
    "reset_user_password": ADMIN_ONLY,
    # the token is the credential: a made-up one is refused whoever sends it
    "set_password": row(
        anonymous="422", admin="422", officer="422", member="422", partner="422", county="422"
    ),
    # officers issue partner keys to organisations on partnerships they manage, and see
    # only the keys they issued (the own key here was issued on the command line)
    "list_api_keys": row(officer="2xx"),
    "create_api_key": row(officer="2xx"),
    "get_api_key": row(officer=NOT_VISIBLE),
    "revoke_api_key": row(officer=NOT_VISIBLE),
    "list_audit_events": ADMIN_ONLY,
    "get_audit_event": ADMIN_ONLY,
    "get_audit_facets": ADMIN_ONLY,
    # directory
    "list_organisations": READ_STAFF,
    "get_organisation": READ_STAFF,
    "create_organisation": DIRECTORY_WRITE,
    "update_organisation": DIRECTORY_WRITE,
    "delete_organisation": ADMIN_ONLY,
    "list_people": READ_STAFF,
    "get_person": READ_STAFF,
    "create_person": DIRECTORY_WRITE,
    "update_person": DIRECTORY_WRITE,
    "delete_person": ADMIN_ONLY,
    # partnerships
    "list_partnerships": READ_STAFF,
    "get_partnership": READ_STAFF,
    "create_partnership": ADMIN_ONLY,
    "update_partnership": MANAGE,
    # a fresh partnership has no members: nobody but the admin sees it
    "delete_partnership": row(officer=NOT_VISIBLE, member=NOT_VISIBLE, partner=NOT_VISIBLE),
    "list_memberships": READ_STAFF,
    "get_membership": READ_STAFF,
    "create_membership": MANAGE,
    "update_membership": MANAGE,
    "delete_membership": MANAGE,
    "get_resignation_terms": READ_STAFF,
    # meetings
    "list_meetings": READ_STAFF,
    "get_meeting": READ_STAFF,
    "create_meeting": MANAGE,
    "update_meeting": MANAGE,
    "delete_meeting": MANAGE,
    "list_agenda_items": READ_STAFF,
    "get_agenda_item": READ_STAFF,
    "create_agenda_item": MANAGE,
    "update_agenda_item": MANAGE,
    "delete_agenda_item": MANAGE,
    "list_meeting_agenda_items": READ_STAFF,
    "reorder_meeting_agenda_items": MANAGE,
    # the own meeting's minutes are approved already: permission is checked before state
    "approve_meeting_minutes": row(admin="409", officer="409"),
    "list_meeting_attendance": READ_STAFF,
    # members send their own apologies only before a meeting; the own meeting is past
    "record_meeting_attendance": MANAGE,
    "delete_meeting_attendance": MANAGE,
    "list_meeting_decisions": READ_STAFF,
    "get_meeting_decision": READ_STAFF,
    "create_meeting_decision": MANAGE,
    # the agenda pack and papers as files (api/papers)
    "get_agenda_pack": READ_STAFF,
    "publish_agenda_pack": MANAGE,
    "attach_performance_report_paper": MANAGE,
    # the own meeting was held: nothing to adjourn; its minutes are approved: frozen
    "adjourn_meeting": row(admin="409", officer="409"),
    "list_meeting_substitution_limits": READ_STAFF,
    "get_meeting_minutes": READ_STAFF,
    "write_meeting_minute": row(admin="409", officer="409"),
    # the member's own membership was not ended by the substitution limit
    "reinstate_membership": row(admin="409", officer="409"),
    # terms of reference, membership rules, governance
    "get_terms_of_reference": READ_STAFF,
    "replace_terms_of_reference": MANAGE,
    "list_terms_of_reference_versions": READ_STAFF,
    # the demo member also sits on the strategic partnership, which the officer does not
    # manage: the change would end that membership
    "record_employer_change": row(officer="403"),
    "get_partnership_governance": row(officer="2xx"),
    "get_governance": row(officer="2xx"),
    # feeds: public calendars need no login; the personal feed needs a person
    "get_partnership_calendar": PUBLIC,
    "get_public_calendar": PUBLIC,
    "get_my_calendar_feed": row(
        admin="422", officer="2xx", member="2xx", partner="422", county="422"
    ),
    "issue_my_calendar_feed": row(
        admin="422", officer="2xx", member="2xx", partner="422", county="422"
    ),
    # the demo people have no feed yet: nothing to revoke
    "revoke_my_calendar_feed": row(
        admin="422", officer="404", member="404", partner="422", county="422"
    ),
    "get_private_calendar": row(
        anonymous="404", admin="404", officer="404", member="404", partner="404", county="404"
    ),
    "export_popolo": READ_STAFF,
    # notifications: preferences need a person; unsubscribe links need a signed token (the
    # matrix's is not one); the Outbox is the administrators' (the demo outbox is empty)
    "get_my_notifications": row(
        admin="422", officer="2xx", member="2xx", partner="422", county="422"
    ),
    "update_my_notifications": row(
        admin="422", officer="2xx", member="2xx", partner="422", county="422"
    ),
    "show_unsubscribe": row(
        anonymous="404", admin="404", officer="404", member="404", partner="404", county="404"
    ),
    "unsubscribe": row(
        anonymous="404", admin="404", officer="404", member="404", partner="404", county="404"
    ),
    "list_outbox_messages": ADMIN_ONLY,
    "get_outbox_message": row(admin="404"),
    # strategy: every staff role reads it; the strategic partnership's officers write it
    # (the demo officer is not one of them)
    "list_strategies": READ_STAFF,
    "get_strategy": READ_STAFF,
    "create_strategy": ADMIN_ONLY,
    "update_strategy": ADMIN_ONLY,
    "delete_strategy": ADMIN_ONLY,
    "list_principles": READ_STAFF,
    "get_principle": READ_STAFF,
    "create_principle": ADMIN_ONLY,
    "update_principle": ADMIN_ONLY,
    "delete_principle": ADMIN_ONLY,
    "list_priorities": READ_STAFF,
    "get_priority": READ_STAFF,
    "create_priority": ADMIN_ONLY,
    "update_priority": ADMIN_ONLY,
    "delete_priority": ADMIN_ONLY,
    "list_outcomes": READ_STAFF,
    "get_outcome": READ_STAFF,
    # the officers of an outcome's lead partnership keep it too: the own outcome is led by
    # the officer's partnership; the created one (and the one deleted) names no lead
    "create_outcome": ADMIN_ONLY,
    "update_outcome": MANAGE,
    "delete_outcome": ADMIN_ONLY,
    # action plans
    "list_action_plans": READ_STAFF,
    "get_action_plan": READ_STAFF,
    "create_action_plan": MANAGE,
    "update_action_plan": MANAGE,
    "delete_action_plan": MANAGE,
    "list_actions": READ_STAFF,
    "get_action": READ_STAFF,
    "create_action": MANAGE,
    "update_action": MANAGE,
    "delete_action": MANAGE,
    # tasks: the own task is led by the demo member's (= partner's) organisation
    "list_tasks": READ_STAFF,
    "get_task": READ_STAFF,
    "create_task": MANAGE,
    "update_task": row(officer="2xx", member="2xx", partner="2xx"),  # body: status fields only
    # a fresh task has no lead organisation: the partner does not see it
    "delete_task": row(officer="2xx", partner=NOT_VISIBLE),
    "create_status_update": row(officer="2xx", member="2xx", partner="2xx"),
    "list_status_updates": READ_STAFF,
    # the worklist: a principal without an organisation (the demo admin) gets an empty one
    "list_my_tasks": READ_STAFF,
    # reports (papers and performance reports): staff of the partnership and the county
    # read them, partner keys do not; the partnership's officers write papers
    "list_reports": READ_REPORTS,
    "get_report": READ_REPORTS,
    "create_report": MANAGE,
    "update_report": MANAGE,
    "delete_report": MANAGE,
    "get_performance_report": READ_REPORTS,
    "get_performance_report_html": READ_REPORTS,
    "get_performance_report_csv": READ_REPORTS,
    "get_outcome_performance_report": READ_REPORTS,
    "get_strategy_progress": READ_REPORTS,
    "get_freshness": READ_REPORTS,
    "get_report_index": READ_REPORTS,
    "upload_report_file": MANAGE,
    "download_report_file": READ_REPORTS,
    # the own paper is on an agenda: permission is checked before state
    "delete_report_file": row(admin="409", officer="409"),
    "get_dashboard": ANY_PRINCIPAL,
    # every principal searches; each sees only the kinds and records it may read
    "search": ANY_PRINCIPAL,
    # indicators
    "list_indicators": READ_ALL,
    "get_indicator": READ_ALL,
    "create_indicator": ADMIN_ONLY,
    "update_indicator": ADMIN_ONLY,
    "delete_indicator": ADMIN_ONLY,
    "get_indicator_links": READ_ALL,
    "set_indicator_links": ADMIN_ONLY,
    # LAA data: every role reads (the county with laa:read); admins and officers record it
    "list_laa_targets": READ_ALL,
    "get_laa_target": READ_ALL,
    "create_laa_target": row(officer="2xx"),
    "update_laa_target": row(officer="2xx"),
    "delete_laa_target": row(officer="2xx"),
    "list_measurements": READ_ALL,
    "get_measurement": READ_ALL,
    "create_measurement": row(officer="2xx"),
    "update_measurement": row(officer="2xx"),
    "delete_measurement": row(officer="2xx"),
    "export_laa": READ_ALL,
    # bulk import/export (kind = tasks): admins, and officers into partnerships they manage
    "list_import_kinds": ANY_PRINCIPAL,
    "create_import": row(officer="2xx"),
    "list_imports": row(officer="2xx"),
    "export_kind": row(officer="2xx", member="2xx"),
    # webhooks
    "list_webhooks": ADMIN_ONLY,
    "get_webhook": ADMIN_ONLY,
    "create_webhook": ADMIN_ONLY,
    "update_webhook": ADMIN_ONLY,
    "delete_webhook": ADMIN_ONLY,
    "list_webhook_deliveries": ADMIN_ONLY,
    "redeliver_webhook_delivery": ADMIN_ONLY,
    "redeliver_failed_webhook_deliveries": ADMIN_ONLY,
    "rotate_webhook_secret": ADMIN_ONLY,
}

# -- demo ids ----------------------------------------------------------------------------------


@dataclass
class Demo:
    partnership: int  # managed by the officer, the member belongs, the partner org sits on it
    organisation: int  # the member's organisation = the partner key's organisation
    person: int  # the member's person
    outsider: int  # a person with no membership of the own partnership
    task: int  # a task of the own partnership, led by the member's organisation
    ids: dict[str, int]  # OWN resolved: path segment -> id


# Path segment -> SQL giving the id used for ``{..._id}`` after that segment. Parameters:
# :partnership, :organisation, :person, :task (see Demo).
OWN: dict[str, str] = {
    "organisations": "SELECT :organisation",
    "people": "SELECT :person",
    "partnerships": "SELECT :partnership",
    "memberships": "SELECT min(id) FROM membership WHERE partnership_id = :partnership "
    "AND person_id = :person",
    "meetings": "SELECT min(id) FROM meeting WHERE partnership_id = :partnership",
    "agenda-items": "SELECT min(a.id) FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id "
    "WHERE m.partnership_id = :partnership",
    "strategies": "SELECT min(id) FROM strategy",
    "principles": "SELECT min(id) FROM principle",
    "priorities": "SELECT min(id) FROM priority",
    "outcomes": "SELECT a.outcome_id FROM action a JOIN task t ON t.action_id = a.id "
    "WHERE t.id = :task",
    "action-plans": "SELECT a.action_plan_id FROM action a JOIN task t ON t.action_id = a.id "
    "WHERE t.id = :task",
    "actions": "SELECT action_id FROM task WHERE id = :task",
    "tasks": "SELECT :task",
    "indicators": "SELECT min(id) FROM indicator",
    "laa-targets": "SELECT min(id) FROM laa_target",
    "measurements": "SELECT min(id) FROM measurement",
    "webhooks": "SELECT min(id) FROM webhook",
    "deliveries": "SELECT min(id) FROM webhook_delivery",
    "outbox-messages": "SELECT coalesce(min(id), 999999) FROM outbox_message",
    "users": "SELECT id FROM \"user\" WHERE email = 'member@example.org'",
    "api-keys": "SELECT min(id) FROM api_key WHERE role = 'partner'",
    "audit-events": "SELECT max(id) FROM audit_event",
    "attendance": "SELECT min(id) FROM membership WHERE partnership_id = :partnership "
    "AND person_id = :person",
    "reports": "SELECT min(id) FROM report WHERE partnership_id = :partnership",
    "decisions": "SELECT min(id) FROM decision WHERE meeting_id = "
    "(SELECT min(id) FROM meeting WHERE partnership_id = :partnership)",
    # /meetings/{id}/minutes/{agenda_item_id}: an item of the own meeting
    "minutes": "SELECT min(id) FROM agenda_item WHERE meeting_id = "
    "(SELECT min(id) FROM meeting WHERE partnership_id = :partnership)",
}

# Path parameters that are not ids: name -> value.
PARAMS: dict[str, str] = {"token": "0-not-a-feed-token", "kind": "tasks"}

# Required query parameters: operation id -> parameters.
QUERY_PARAMS: dict[str, dict[str, Any]] = {"search": {"q": "partnership"}}

# Request bodies for writes, as functions of the demo ids.
BODIES: dict[str, Callable[[Demo], Any]] = {
    "create_token": lambda d: {"email": "admin@example.org", "password": "demo-admin-pass"},
    "create_user": lambda d: {
        "email": "matrix.user@example.org",
        "name": "Matrix User",
        "password": "a-long-enough-password",
        "role": "member",
    },
    "update_user": lambda d: {"name": "Demo Member (renamed)"},
    "set_password": lambda d: {"token": "made-up-token", "password": "a-long-enough-password"},
    "create_api_key": lambda d: {
        "name": "Matrix partner key",
        "role": "partner",
        "organisation_id": d.organisation,
    },
    # the own partnership is the officer's, the first thematic group of the demo
    "create_import": lambda d: [
        {
            "partnership": "safer-communities",
            "outcome_code": "M.1",
            "outcome_title": "Matrix outcome",
            "action_ref": "M.1.1",
            "action_title": "Matrix action",
            "task_ref": "a",
            "title": "Matrix task",
        }
    ],
    "create_organisation": lambda d: {"name": "Matrix Trust", "sector": "voluntary_community"},
    "update_organisation": lambda d: {"website": "https://matrix.example.org"},
    "create_person": lambda d: {"name": "Matrix Person", "email": "matrix.person@example.org"},
    "update_person": lambda d: {"job_title": "Coordinator"},
    "create_partnership": lambda d: {"name": "Matrix Partnership", "kind": "delivery"},
    "update_partnership": lambda d: {"purpose": "Checked by the authorisation matrix."},
    "create_membership": lambda d: {
        "person_id": d.outsider,
        "partnership_id": d.partnership,
        "started_on": "2026-01-01",
    },
    "update_membership": lambda d: {"represents": "Voluntary sector network"},
    "create_meeting": lambda d: {
        "partnership_id": d.partnership,
        "title": "Matrix meeting",
        "starts_at": "2026-03-01T10:00:00+00:00",
    },
    "update_meeting": lambda d: {"location": "Town Hall"},
    "create_agenda_item": lambda d: {"meeting_id": d.ids["meetings"], "title": "Matrix item"},
    "update_agenda_item": lambda d: {"presenter": "The chair"},
    # the own meeting's four demo agenda items, reversed
    "reorder_meeting_agenda_items": lambda d: {
        "item_ids": [d.ids["agenda-items"] + n for n in (3, 2, 1, 0)]
    },
    "approve_meeting_minutes": lambda d: {"approved_by_meeting_id": d.ids["meetings"] + 1},
    "record_meeting_attendance": lambda d: {"status": "apologies"},
    "create_meeting_decision": lambda d: {"text": "Matrix motion", "method": "consensus"},
    "adjourn_meeting": lambda d: {
        "starts_at": "2040-03-01T10:00:00+00:00",
        "reason": "Not quorate after thirty minutes",
    },
    "write_meeting_minute": lambda d: {"text": "Matrix minute"},
    "reinstate_membership": lambda d: {"reason": "Agreed by the chair"},
    "replace_terms_of_reference": lambda d: {"quorum": 4},
    "record_employer_change": lambda d: {
        "organisation_id": None,
        "changed_on": clock.today().isoformat(),
    },
    "create_strategy": lambda d: {"title": "Matrix strategy"},
    "update_strategy": lambda d: {"period": "2008-2021"},
    "create_principle": lambda d: {"strategy_id": d.ids["strategies"], "text": "Be fair"},
    "update_principle": lambda d: {"position": 9},
    "create_priority": lambda d: {"strategy_id": d.ids["strategies"], "text": "Housing"},
    "update_priority": lambda d: {"position": 9},
    "create_outcome": lambda d: {
        "strategy_id": d.ids["strategies"],
        "code": "99.9",
        "title": "Matrix outcome",
    },
    "update_outcome": lambda d: {"how": "By checking the matrix."},
    "create_action_plan": lambda d: {"partnership_id": d.partnership, "title": "Matrix plan"},
    "update_action_plan": lambda d: {"period": "2026-2027"},
    "create_action": lambda d: {
        "action_plan_id": d.ids["action-plans"],
        "outcome_id": d.ids["outcomes"],
        "ref": "9.9",
        "title": "Matrix action",
    },
    "update_action": lambda d: {"title": "Matrix action (renamed)"},
    "create_task": lambda d: {"action_id": d.ids["actions"], "ref": "z", "title": "Matrix task"},
    "update_task": lambda d: {"position": "Checked by the matrix"},
    "create_status_update": lambda d: {"rag": "amber", "position": "Some delay"},
    "update_my_notifications": lambda d: {"categories": {"digest": True}},
    "unsubscribe": lambda d: {},
    "create_report": lambda d: {"partnership_id": d.partnership, "title": "Matrix paper"},
    "update_report": lambda d: {"narrative": "Checked by the matrix"},
    "upload_report_file": lambda d: None,  # a multipart file: see FILES
    "attach_performance_report_paper": lambda d: {},
    "create_indicator": lambda d: {
        "code": "LOCAL 99",
        "title": "Matrix indicator",
        "unit": "count",
        "polarity": "higher_is_better",
    },
    "update_indicator": lambda d: {"title": "Matrix indicator (renamed)"},
    "set_indicator_links": lambda d: {"outcome_ids": [d.ids["outcomes"]], "task_ids": [d.task]},
    "create_laa_target": lambda d: {
        "indicator_id": d.ids["indicators"],
        "area": "E07000078",
        "period": "2040-41",
        "baseline": 10,
        "target": 20,
    },
    "update_laa_target": lambda d: {"stretch": 25},
    "create_measurement": lambda d: {
        "indicator_id": d.ids["indicators"],
        "area": "E07000078",
        "period": "2040-41-Q1",
        "value": 12,
        "reported_on": "2040-07-01",
    },
    "update_measurement": lambda d: {"note": "Checked by the matrix"},
    "create_webhook": lambda d: {
        "url": "https://hooks.example.org/matrix",
        "events": ["measurement.created"],
        "secret": "whsec_bWF0cml4LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm",
    },
    "update_webhook": lambda d: {"description": "Checked by the matrix"},
    "redeliver_webhook_delivery": lambda d: None,
}

# delete_* operations that act on the OWN object instead of a fresh one.
DELETE_EXISTING: set[str] = {
    "deactivate_user",
    "revoke_api_key",
    "delete_meeting_attendance",
    "revoke_my_calendar_feed",
    "delete_report_file",
}

# Writes whose body is a multipart upload: op id -> the ``files`` of the request.
FILES: dict[str, Callable[[], Any]] = {
    "upload_report_file": lambda: {"file": ("matrix.pdf", pdf("Matrix paper"), "application/pdf")},
}


def _send(
    client: TestClient, op: "Operation", url: str, body: Any, headers: dict[str, str], **kw: Any
) -> Any:
    """The request, with the operation's body as JSON or, for uploads, as a multipart file."""
    payload = {"files": FILES[op.id]()} if op.id in FILES else {"json": body}
    return client.request(op.method.upper(), url, headers=headers, **payload, **kw)


# -- the operations, from the live schema --------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    has_body: bool


def _operations() -> list[Operation]:
    schema = create_app().openapi()
    return sorted(
        (
            Operation(op["operationId"], method, path, "requestBody" in op)
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
        ),
        key=lambda o: o.id,
    )


OPERATIONS = _operations()
BY_ID = {o.id: o for o in OPERATIONS}


def test_every_operation_has_a_row() -> None:
    missing = sorted(o.id for o in OPERATIONS if o.id not in EXPECTED)
    stale = sorted(set(EXPECTED) - set(BY_ID))
    assert not missing, f"add rows to EXPECTED in tests/api/test_authz_matrix.py: {missing}"
    assert not stale, f"EXPECTED lists operations the API no longer has: {stale}"
    for op_id, expected in EXPECTED.items():
        assert set(expected) == set(ROLES), op_id


def test_every_write_has_a_body() -> None:
    missing = sorted(
        o.id for o in OPERATIONS if o.has_body and o.id in EXPECTED and o.id not in BODIES
    )
    assert not missing, f"add request bodies to BODIES: {missing}"


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_keys(credentials: dict[str, str]) -> dict[str, str | None]:
    return {"anonymous": None, **credentials}


@pytest.fixture
def demo(db: Connection) -> Demo:
    q = db.execute
    member = q(
        text("SELECT person_id, organisation_id FROM \"user\" WHERE email = 'member@example.org'")
    ).one()
    officer_person = q(
        text("SELECT person_id FROM \"user\" WHERE email = 'officer@example.org'")
    ).scalar_one()
    partnership = q(
        text(
            "SELECT o.partnership_id FROM membership o JOIN membership m "
            "ON m.partnership_id = o.partnership_id "
            "WHERE o.person_id = :officer AND o.role IN ('officer', 'chair', 'vice_chair') "
            "AND o.ended_on IS NULL AND m.person_id = :member AND m.ended_on IS NULL "
            "ORDER BY o.partnership_id LIMIT 1"
        ),
        {"officer": officer_person, "member": member.person_id},
    ).scalar_one()
    task = q(
        text(
            "SELECT min(t.id) FROM task t JOIN action a ON a.id = t.action_id "
            "JOIN action_plan p ON p.id = a.action_plan_id WHERE p.partnership_id = :p"
        ),
        {"p": partnership},
    ).scalar_one()
    # Make sure the own task is led by the member's organisation (rolled back after the test).
    q(
        text("UPDATE task SET lead_organisation_id = :org WHERE id = :task"),
        {"org": member.organisation_id, "task": task},
    )
    outsider = q(
        text(
            "SELECT min(id) FROM person WHERE id NOT IN "
            "(SELECT person_id FROM membership WHERE partnership_id = :p)"
        ),
        {"p": partnership},
    ).scalar_one()
    params = {
        "partnership": partnership,
        "organisation": member.organisation_id,
        "person": member.person_id,
        "task": task,
    }
    ids = {}
    for segment, sql in OWN.items():
        names = {k: v for k, v in params.items() if f":{k}" in sql}
        ids[segment] = q(text(sql), names).scalar()
    return Demo(partnership, member.organisation_id, member.person_id, outsider, task, ids)


def _url(op: Operation, demo: Demo, override: dict[str, int] | None = None) -> str:
    parts = op.path.split("/")
    for i, part in enumerate(parts):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if override and name in override:
                parts[i] = str(override[name])
            elif name in PARAMS:
                parts[i] = PARAMS[name]
            else:
                segment = parts[i - 1]
                assert segment in OWN, f"add '{segment}' to OWN for {op.id}"
                value = demo.ids[segment]
                assert value is not None, f"OWN['{segment}'] found no row"
                parts[i] = str(value)
    return "/".join(parts)


def _fresh(op: Operation, admin: TestClient, demo: Demo) -> dict[str, int]:
    """Create the object a delete_* operation acts on, as the admin."""
    collection = op.path.rsplit("/", 1)[0]
    creators = [o for o in OPERATIONS if o.method == "post" and o.path == collection]
    assert creators, f"no create operation for {op.id}: list it in DELETE_EXISTING"
    creator = creators[0]
    r = admin.post(_url(creator, demo), json=BODIES[creator.id](demo))
    assert r.status_code == 201, f"{creator.id} as admin: {r.status_code} {r.text}"
    name = op.path.rsplit("/", 1)[1][1:-1]
    return {name: r.json()["id"]}


def _matches(status: int, expected: str) -> bool:
    return str(status)[0] == expected[0] if expected.endswith("xx") else str(status) == expected


CASES = [
    pytest.param(op, role, id=f"{op.id}-{role}")
    for op in OPERATIONS
    if op.id in EXPECTED
    for role in ROLES
]


@pytest.fixture
def clients(app: FastAPI, demo_keys: dict[str, str | None]) -> Iterator[dict[str, TestClient]]:
    made = {
        role: TestClient(
            app,
            headers={"Authorization": f"Bearer {key}"} if key else {},
            raise_server_exceptions=False,
        )
        for role, key in demo_keys.items()
    }
    yield made


@pytest.mark.parametrize(("op", "role"), CASES)
def test_matrix(
    op: Operation, role: str, demo: Demo, clients: dict[str, TestClient], db: Connection
) -> None:
    override = None
    if op.method == "delete" and op.id not in DELETE_EXISTING:
        override = _fresh(op, clients["admin"], demo)
    url = _url(op, demo, override)
    body = BODIES[op.id](demo) if op.id in BODIES else None
    request_id = f"matrix-{op.id}-{role}"
    r = _send(
        clients[role],
        op,
        url,
        body,
        {"X-Request-ID": request_id},
        params=QUERY_PARAMS.get(op.id),
    )
    expected = EXPECTED[op.id][role]
    assert _matches(r.status_code, expected), (
        f"{op.id} as {role}: expected {expected}, got {r.status_code} {r.text[:300]}"
    )
    if r.status_code >= 400:
        assert r.headers["content-type"] == "application/problem+json"
    if op.method in WRITE_METHODS and r.is_success and op.path.startswith("/api/"):
        audited = db.execute(
            text("SELECT count(*) FROM audit_event WHERE request_id = :r"), {"r": request_id}
        ).scalar_one()
        assert audited >= 1, f"{op.id} as {role} wrote without an audit event"


# -- out of scope: objects of a partnership the caller does not belong to ---------------------
#
# DESIGN §5 "object scope": every operation that names an object owned by a partnership (a
# path id, a body reference, an action such as employer-change or reorder) is run as the demo
# officer, member and partner against objects of FOREIGN, a partnership none of them belongs
# to and the partner's organisation does not sit on (the demo's Healthier Communities
# Partnership). Reads answer 404; writes 403 or 404 (422 naming the field for a reference in
# the body); nothing is written; and no answer carries the contact details of the foreign
# partnership's people.

SCOPED_ROLES = ("officer", "member", "partner")

# Path segment -> SQL giving an object of :foreign. Parameters: :foreign, :own (the demo
# officer's partnership), :org (the partner's organisation), :officer and :member (persons).
FOREIGN: dict[str, str] = {
    "partnerships": "SELECT :foreign",
    "memberships": "SELECT min(id) FROM membership WHERE partnership_id = :foreign",
    # a held meeting with an agenda, attendance and a decision (made private below)
    "meetings": "SELECT min(m.id) FROM meeting m JOIN decision d ON d.meeting_id = m.id "
    "JOIN agenda_item a ON a.meeting_id = m.id WHERE m.partnership_id = :foreign",
    "agenda-items": "SELECT min(id) FROM agenda_item WHERE meeting_id = :meetings",
    "attendance": "SELECT min(membership_id) FROM attendance WHERE meeting_id = :meetings",
    "decisions": "SELECT min(id) FROM decision WHERE meeting_id = :meetings",
    "minutes": "SELECT min(id) FROM agenda_item WHERE meeting_id = :meetings",
    "action-plans": "SELECT min(id) FROM action_plan WHERE partnership_id = :foreign",
    "actions": "SELECT min(id) FROM action WHERE action_plan_id = :action_plans",
    "tasks": "SELECT min(id) FROM task WHERE action_id = :actions",
    "reports": "SELECT min(id) FROM report WHERE partnership_id = :foreign",
    # a person whose every membership is of the foreign partnership
    "people": "SELECT min(m.person_id) FROM membership m WHERE m.partnership_id = :foreign "
    "AND m.person_id NOT IN (SELECT person_id FROM membership WHERE partnership_id != :foreign)",
    # an organisation on the foreign partnership with no tie to the officer's partnership
    "organisations": "SELECT min(m.on_behalf_of_id) FROM membership m "
    "WHERE m.partnership_id = :foreign AND m.on_behalf_of_id != :org "
    "AND m.on_behalf_of_id NOT IN (SELECT on_behalf_of_id FROM membership "
    "WHERE partnership_id = :own AND on_behalf_of_id IS NOT NULL) "
    "AND m.on_behalf_of_id NOT IN (SELECT p.organisation_id FROM person p "
    "JOIN membership x ON x.person_id = p.id WHERE x.partnership_id = :own "
    "AND p.organisation_id IS NOT NULL)",
}


@dataclass
class Foreign:
    partnership: int
    slug: str
    ids: dict[str, int]  # FOREIGN resolved: path segment -> id
    email: str  # the foreign person's contact details, which no answer may carry
    phone: str


@pytest.fixture
def foreign(db: Connection, demo: Demo, clients: dict[str, TestClient]) -> Foreign:
    """Objects of a partnership none of the demo principals may see or change."""
    q = db.execute
    officer = q(text("SELECT person_id FROM \"user\" WHERE email = 'officer@example.org'"))
    params: dict[str, Any] = {
        "own": demo.partnership,
        "org": demo.organisation,
        "officer": officer.scalar_one(),
        "member": demo.person,
    }
    params["foreign"] = q(
        text(
            "SELECT min(p.id) FROM partnership p JOIN action_plan ap ON ap.partnership_id = p.id "
            "JOIN report r ON r.partnership_id = p.id WHERE p.id NOT IN (SELECT partnership_id "
            "FROM membership WHERE person_id IN (:officer, :member) OR on_behalf_of_id = :org)"
        ),
        params,
    ).scalar()
    assert params["foreign"] is not None, "the demo needs a partnership the demo logins are not on"
    ids: dict[str, int] = {}
    for segment, sql in FOREIGN.items():
        names = {k: v for k, v in params.items() if f":{k}" in sql}
        ids[segment] = q(text(sql), names).scalar_one()
        assert ids[segment] is not None, f"FOREIGN['{segment}'] found no row"
        params[segment.replace("-", "_")] = ids[segment]
    # A private meeting; a task led by someone other than the partner's organisation; a
    # person with contact details to keep; a partner key of the foreign organisation.
    q(text("UPDATE meeting SET public = false WHERE id = :m"), {"m": ids["meetings"]})
    q(text("UPDATE task SET lead_organisation_id = NULL WHERE id = :t"), {"t": ids["tasks"]})
    email, phone = "foreign.contact@example.org", "01632 960999"
    q(
        text("UPDATE person SET email = :e, phone = :p WHERE id = :id"),
        {"e": email, "p": phone, "id": ids["people"]},
    )
    key = clients["admin"].post(
        "/api/v1/api-keys",
        json={"name": "Foreign key", "role": "partner", "organisation_id": ids["organisations"]},
    )
    assert key.status_code == 201, key.text
    ids["api-keys"] = key.json()["id"]
    slug = q(text("SELECT slug FROM partnership WHERE id = :p"), {"p": params["foreign"]})
    return Foreign(params["foreign"], slug.scalar_one(), ids, email, phone)


def _foreign_url(op: Operation, demo: Demo, foreign: Foreign) -> str:
    """The operation's path with every partnership-owned id taken from the foreign partnership."""
    override = {}
    parts = op.path.split("/")
    for i, part in enumerate(parts):
        if part.startswith("{") and parts[i - 1] in foreign.ids:
            override[part[1:-1]] = foreign.ids[parts[i - 1]]
    return _url(op, demo, override)


# Made by the fixture rather than found in the demo data.
FOREIGN_MADE = ("api-keys",)


def _names_foreign_object(op: Operation) -> bool:
    segments = {*FOREIGN, *FOREIGN_MADE}
    parts = op.path.split("/")
    return any(p.startswith("{") and parts[i - 1] in segments for i, p in enumerate(parts))


# Operations whose out-of-scope answer is not a 404/403 by design: role -> expected.
OUT_OF_SCOPE_EXPECTED: dict[str, dict[str, str]] = {
    # the directory: every staff role reads names, organisations and roles (no contacts)
    "get_person": dict.fromkeys(SCOPED_ROLES, "2xx"),
    "get_organisation": dict.fromkeys(SCOPED_ROLES, "2xx"),
    # public calendars need no login; the foreign meeting is private and left out
    "get_partnership_calendar": dict.fromkeys(SCOPED_ROLES, "2xx"),
}

# Bodies that name a foreign object, sent to an operation on an object the caller may act on
# (or on no object at all): op id -> {label: body as a function of the demo and foreign ids}.
Reference = Callable[[Demo, Foreign], Any]
REFERENCES: dict[str, dict[str, Reference]] = {
    "create_meeting": {
        "partnership": lambda d, f: {**BODIES["create_meeting"](d), "partnership_id": f.partnership}
    },
    "create_membership": {
        "partnership": lambda d, f: {
            **BODIES["create_membership"](d),
            "partnership_id": f.partnership,
        }
    },
    "create_agenda_item": {
        "meeting": lambda d, f: {"meeting_id": f.ids["meetings"], "title": "Matrix item"},
        "paper": lambda d, f: {
            "meeting_id": d.ids["meetings"],
            "title": "Matrix item",
            "report_id": f.ids["reports"],
        },
    },
    "update_agenda_item": {"paper": lambda d, f: {"report_id": f.ids["reports"]}},
    "create_action_plan": {
        "partnership": lambda d, f: {"partnership_id": f.partnership, "title": "Matrix plan"}
    },
    "create_action": {
        "plan": lambda d, f: {**BODIES["create_action"](d), "action_plan_id": f.ids["action-plans"]}
    },
    "create_task": {
        "action": lambda d, f: {**BODIES["create_task"](d), "action_id": f.ids["actions"]},
        # the foreign person is not of the task's lead organisation: 422 naming the owner
        "owner": lambda d, f: {
            **BODIES["create_task"](d),
            "lead_organisation_id": d.organisation,
            "owner_person_id": f.ids["people"],
        },
    },
    "update_task": {
        "action": lambda d, f: {"action_id": f.ids["actions"]},
        "owner": lambda d, f: {"owner_person_id": f.ids["people"]},
    },
    "update_outcome": {"lead": lambda d, f: {"lead_partnership_id": f.partnership}},
    "create_report": {
        "partnership": lambda d, f: {"partnership_id": f.partnership, "title": "Matrix paper"}
    },
    "update_report": {"partnership": lambda d, f: {"partnership_id": f.partnership}},
    "approve_meeting_minutes": {
        "meeting": lambda d, f: {"approved_by_meeting_id": f.ids["meetings"]}
    },
    "reorder_meeting_agenda_items": {"items": lambda d, f: {"item_ids": [f.ids["agenda-items"]]}},
    "create_meeting_decision": {
        "agenda-item": lambda d, f: {"text": "Matrix", "agenda_item_id": f.ids["agenda-items"]},
        "expulsion": lambda d, f: {
            "text": "Matrix",
            "method": "two_thirds",
            "votes_for": 3,
            "subject_membership_id": f.ids["memberships"],
            "member_heard": True,
        },
        "action": lambda d, f: {
            "text": "Matrix",
            "actions": [
                {
                    "action_plan_id": f.ids["action-plans"],
                    "outcome_id": d.ids["outcomes"],
                    "ref": "9.9",
                    "title": "Matrix action",
                }
            ],
        },
    },
    "update_meeting": {"adjourned-to": lambda d, f: {"adjourned_to_id": f.ids["meetings"]}},
    "create_api_key": {
        "organisation": lambda d, f: {
            "name": "Matrix partner key",
            "role": "partner",
            "organisation_id": f.ids["organisations"],
        }
    },
    "create_import": {
        "partnership": lambda d, f: [{**BODIES["create_import"](d)[0], "partnership": f.slug}]
    },
    "create_status_update": {
        "on-behalf-of": lambda d, f: {
            "rag": "amber",
            "position": "Some delay",
            "on_behalf_of_id": f.ids["organisations"],
        }
    },
}

# Query parameters that name a foreign object.
QUERIES: dict[str, Callable[[Foreign], dict[str, Any]]] = {
    "get_freshness": lambda f: {"partnership_id": f.partnership},
}


def _fingerprint(db: Connection) -> dict[str, tuple[int, int]]:
    """Rows and summed versions of every table: any insert, delete or versioned update
    changes it."""
    found = {}
    for table in SQLModel.metadata.sorted_tables:
        version = "sum(version)" if "version" in table.c else "0"
        sql = f'SELECT count(*), coalesce({version}, 0) FROM "{table.name}"'
        found[table.name] = tuple(db.execute(text(sql)).one())
    return found


def _out_of_scope_cases() -> Iterator[Any]:
    for op in OPERATIONS:
        if op.id not in EXPECTED or not op.path.startswith("/api/"):
            continue
        variants = [f"body:{label}" for label in REFERENCES.get(op.id, {})]
        if _names_foreign_object(op):
            variants.insert(0, "path")
        if op.id in QUERIES:
            variants.append("query")
        for variant in variants:
            for role in SCOPED_ROLES:
                yield pytest.param(op, role, variant, id=f"{op.id}-{variant}-{role}")


def _expected_out_of_scope(op: Operation, role: str, kind: str) -> set[int] | str:
    """Allowed statuses: never better than in scope, and a denial where in scope is allowed."""
    if kind == "path" and role in OUT_OF_SCOPE_EXPECTED.get(op.id, {}):
        return OUT_OF_SCOPE_EXPECTED[op.id][role]
    if op.method == "get":
        return {403, 404} if EXPECTED[op.id][role] == "403" else {404}
    return {403, 404, 422} if kind == "body" else {403, 404}


@pytest.mark.parametrize(("op", "role", "variant"), list(_out_of_scope_cases()))
def test_out_of_scope(
    op: Operation,
    role: str,
    variant: str,
    demo: Demo,
    foreign: Foreign,
    clients: dict[str, TestClient],
    db: Connection,
) -> None:
    kind, _, label = variant.partition(":")
    url = _foreign_url(op, demo, foreign) if kind == "path" else _url(op, demo)
    if kind == "body":
        body = REFERENCES[op.id][label](demo, foreign)
    else:
        body = BODIES[op.id](demo) if op.id in BODIES else None
    params = QUERIES[op.id](foreign) if kind == "query" else None
    before = _fingerprint(db)
    request_id = f"scope-{op.id}-{variant}-{role}"
    r = _send(clients[role], op, url, body, {"X-Request-ID": request_id}, params=params)
    expected = _expected_out_of_scope(op, role, kind)
    matched = (
        _matches(r.status_code, expected)
        if isinstance(expected, str)
        else (r.status_code in expected)
    )
    assert matched, (
        f"{op.id} ({variant}) as {role}: expected {expected}, got {r.status_code} {r.text[:300]}"
    )
    if r.status_code == 422:
        assert r.json().get("errors"), f"{op.id} ({variant}) as {role}: a 422 names the field"
    assert foreign.email not in r.text and foreign.phone not in r.text, (
        f"{op.id} ({variant}) as {role} shows a foreign person's contact details"
    )
    if op.method in WRITE_METHODS:
        assert _fingerprint(db) == before, f"{op.id} ({variant}) as {role} wrote something"
        audited = db.execute(
            text("SELECT count(*) FROM audit_event WHERE request_id = :r"), {"r": request_id}
        ).scalar_one()
        assert audited == 0, f"{op.id} ({variant}) as {role} audited a write"


# Lists that may carry many people are read with the largest page, so that a leak of contact
# details cannot hide on a later page.
PAGED = {"people", "memberships", "organisations"}


def _read_cases() -> Iterator[Any]:
    """Every read a scoped role may make on its own data."""
    for op in OPERATIONS:
        if op.method == "get" and op.id in EXPECTED and op.path.startswith("/api/"):
            for role in SCOPED_ROLES:
                if EXPECTED[op.id][role].endswith("xx"):
                    yield pytest.param(op, role, id=f"{op.id}-{role}")


@pytest.mark.parametrize(("op", "role"), list(_read_cases()))
def test_no_read_shows_foreign_contact_details(
    op: Operation, role: str, demo: Demo, foreign: Foreign, clients: dict[str, TestClient]
) -> None:
    params = {"limit": 500} if op.path.rsplit("/", 1)[-1] in PAGED else None
    params = QUERY_PARAMS.get(op.id, params)
    r = clients[role].get(_url(op, demo), params=params)
    assert r.is_success, f"{op.id} as {role}: {r.status_code} {r.text[:300]}"
    assert foreign.email not in r.text and foreign.phone not in r.text, (
        f"{op.id} as {role} shows a foreign person's contact details"
    )


# The directory is every staff role's to read; attendance and decisions are listed under
# their meeting, which is itself not found (as are minutes).
UNLISTED = {"people", "organisations", "attendance", "decisions", "minutes"}


@pytest.mark.parametrize("role", SCOPED_ROLES)
@pytest.mark.parametrize("segment", [s for s in FOREIGN if s not in UNLISTED])
def test_foreign_objects_are_not_listed(
    segment: str, role: str, foreign: Foreign, clients: dict[str, TestClient]
) -> None:
    object_id = foreign.ids[segment]
    assert clients["admin"].get(f"/api/v1/{segment}/{object_id}").status_code == 200
    r = clients[role].get(f"/api/v1/{segment}", params={"limit": 500})
    if r.status_code == 403:
        return  # the role reads none of them (partner keys and papers)
    assert r.status_code == 200, r.text
    assert object_id not in {item["id"] for item in r.json()["items"]}
