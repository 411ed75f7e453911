"""Property-based tests of every operation in the committed OpenAPI document.

schemathesis generates valid and invalid requests for each operation, sends them to the app
as the demo administrator, and checks: no 5xx, every status code is documented, every response
body matches its schema. The run is derandomised (the same cases every time) and bounded to a
few examples per operation; each operation runs in its own rolled-back transaction.

Reproduce one operation: ``pytest tests/hardening/test_schemathesis.py -k "POST /api/v1/tasks"``.
"""

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Connection

from api.main import create_app

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
MAX_EXAMPLES = 6

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260101,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


schema = schemathesis.openapi.from_path(OPENAPI, config=CONFIG)
schema.app = create_app()  # the same routes as the conftest app; sessions bind to ``db``


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_conforms(
    case: schemathesis.Case, db: Connection, credentials: dict[str, str]
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {credentials['admin']}"}, checks=CHECKS
    )
