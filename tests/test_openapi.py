"""The published contract: Schemathesis over every operation, plus what clients rely on."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture(autouse=True)
def _seeded(engine: Any) -> None:
    """Every generated call reads the migrated, seeded test database."""


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_errors_or_breaks_its_schema(case: Any) -> None:
    # A schema-valid value can still name nothing (a cursor this API never gave
    # out, an unknown slug): those are 422 by contract, so that check is off.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_every_operation_is_documented_for_client_generation(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    ids = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            ids.append(op["operationId"])
            assert op.get("summary"), f"{method} {path} has no summary"
            assert op.get("tags"), f"{method} {path} has no tags"
            if path.startswith("/api/v1"):
                problem = op["responses"]["422"]["content"]["application/problem+json"]
                assert problem["schema"]["$ref"] == "#/components/schemas/Problem"
    assert len(ids) == len(set(ids))
    assert "get_framework" in ids
    assert "list_frameworks" in ids
