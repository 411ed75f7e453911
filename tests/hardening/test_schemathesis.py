"""Property-based tests of every operation in the committed OpenAPI document, for every role.

schemathesis generates valid and invalid requests for each operation, sends them to the app
as the demo administrator, member, partner key and county key, and runs all its checks: no
5xx, every status code and header documented, every body matching its schema, invalid
requests refused, valid ones accepted, a 405 naming the allowed methods. The run is
derandomised (the same cases every time) and bounded to a few examples per operation; each
operation runs in its own rolled-back transaction.

Generating the cases, not sending them, is what costs, so each generated request is sent once
as every role. The contract's shape does not depend on the database: on SQLite every role runs the
examples and fuzzing phases and the administrator, whose requests reach every handler, also runs
the coverage phase (every boundary and wrong type of every parameter, undeclared methods); on
PostgreSQL the administrator runs examples and fuzzing, with half as many examples.

A schema-valid request may still be refused for the state of the data, which no schema can
describe: an out-of-date ``If-Match`` (412), or a service rule about a body field (a reference
to a row that does not exist, an end before a start). Those refusals pass; a request refused
by the app's own validation of its shape, or a 422 about a parameter, is a contract failure.

Reproduce one operation: ``pytest tests/hardening/test_schemathesis.py -k "POST /api/v1/tasks"``.
"""

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckContext, positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source
from sqlalchemy import Connection

from api.main import create_app

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
SHAPE_REFUSED = "x-test-refused-for-shape"  # marks the app's own request-validation 422s
PARAMETERS = ("query", "header", "path")

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))  # as tests/conftest.py decides
ROLES = ("admin",) if ON_POSTGRES else ("member", "partner", "county", "admin")
# Generating the cases is the cost and does not depend on the database: PostgreSQL, which runs
# them for what only it refuses (a NUL in text, a string over a column's length), gets fewer.
MAX_EXAMPLES = 2 if ON_POSTGRES else 4


def config(*, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20260101,
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
            "phases": {
                "examples": {"enabled": not coverage},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": not coverage},
                "stateful": {"enabled": False},
            },
        }
    )


app = create_app()  # the same routes as the conftest app; sessions bind to ``db``
_validation_handler = app.exception_handlers[RequestValidationError]


async def _marked_validation_error(request: Request, exc: Exception) -> Any:
    response = await _validation_handler(request, exc)
    response.headers[SHAPE_REFUSED] = "1"
    return response


app.add_exception_handler(RequestValidationError, _marked_validation_error)


def without_sort_length(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` less the ``maxLength`` of every ``sort`` parameter. For its boundaries the
    coverage phase would draw strings of 200 and 201 characters matching the sort pattern,
    which Hypothesis almost never produces: it spends its whole budget failing, about 5 s per
    list operation. ``tests/api/test_crud.py`` sends those lengths to every list instead."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "sort" and parameter["in"] == "query":
                    for option in parameter["schema"].get("anyOf", [parameter["schema"]]):
                        option.pop("maxLength", None)
    return document


schema = schemathesis.openapi.from_path(OPENAPI, config=config(coverage=False))
schema.app = app
coverage_schema = schemathesis.openapi.from_dict(
    without_sort_length(json.loads(OPENAPI.read_text())), config=config(coverage=True)
)
coverage_schema.app = app


def _refused_for_shape(response: Response) -> bool:
    if SHAPE_REFUSED in response.headers:
        return True
    problem = response.json()
    parameters = [e for e in problem.get("errors") or [] if e["loc"][0] in PARAMETERS]
    return problem["type"] == "/problems/validation-error" and bool(parameters)


def schema_valid_requests_accepted(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> bool | None:
    """``positive_data_acceptance``, less the refusals only the data's state explains."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 412:
            return None
        if response.status_code == 422 and not _refused_for_shape(response):
            return None
        raise


BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call_and_validate(case: schemathesis.Case, credential: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {credential}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_accepted],
    )


@schema.parametrize()
@BOUNDED
def test_operation_conforms(
    case: schemathesis.Case, db: Connection, credentials: dict[str, str]
) -> None:
    """Each generated request is sent once per role: the cost is in generating, not sending.

    The roles refused by the operation go first, so the administrator's writes come last.
    """
    for role in ROLES:
        try:
            call_and_validate(case, credentials[role])
        except Exception as failure:
            failure.add_note(f"sent as the {role}")
            raise


# The coverage phase builds every boundary case of an operation when its test is built. Built
# by schemathesis' pytest plugin, that would happen while collecting, in every xdist worker and
# on PostgreSQL too; built here, it happens once, on the worker that runs the operation.
COVERAGE_OPERATIONS = (
    [] if ON_POSTGRES else [result.ok().label for result in coverage_schema.get_all_operations()]
)


@pytest.mark.parametrize("label", COVERAGE_OPERATIONS)
def test_operation_conforms_at_every_boundary(
    label: str, db: Connection, credentials: dict[str, str]
) -> None:
    operation = coverage_schema.find_operation_by_label(label)
    assert operation is not None, label

    @BOUNDED
    def check(case: schemathesis.Case) -> None:
        call_and_validate(case, credentials["admin"])

    build_operation_test(
        config=coverage_schema.config,
        operation=operation,
        test_func=check,
        given_kwargs={},
        feedback=_coverage_feedback(),
    )()


@cache
def _coverage_feedback() -> FeedbackSources:
    """What schemathesis' plugin gives each operation's test: constants found in the schema."""
    return FeedbackSources(constants_value_source=make_constants_value_source(coverage_schema))
