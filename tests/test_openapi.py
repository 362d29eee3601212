"""The published contract: Schemathesis over every operation, plus what clients rely on."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.main import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture(autouse=True)
def _seeded(engine: Any) -> None:
    """Every generated call reads the migrated, seeded test database."""


def a_valid_request_is_only_refused_for_naming_nothing(
    _ctx: Any, response: Any, case: Any
) -> bool | None:
    """Schema-valid data may name nothing in the dataset (a 404, or a 422 of type
    `unknown-value`, as the 422's declaration says); any other 422 means the schema
    promised more than the server accepts."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    kind = response.json()["type"]
    assert kind.endswith("/unknown-value"), f"schema-valid request rejected: {response.text}"
    return None


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_errors_or_breaks_its_schema(case: Any) -> None:
    # Every check on, positive_data_acceptance included (schemathesis.toml says which
    # statuses a schema-valid request may get; the check below narrows its 422s).
    case.call_and_validate(additional_checks=[a_valid_request_is_only_refused_for_naming_nothing])


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


def test_the_headers_clients_see_are_declared(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, item in paths.items():
        op = item.get("get")
        if op is None or not path.startswith("/api/"):
            continue
        ok = op["responses"]["200"]
        assert {"ETag", "Cache-Control", "Vary"} <= set(ok["headers"]), path
        assert "304" in op["responses"], path
    listed = paths["/api/v1/frameworks"]["get"]["responses"]
    assert "Link" in listed["200"]["headers"]
    assert "Link" not in paths["/api/v1/meta"]["get"]["responses"]["200"]["headers"]
    chart = paths["/api/v1/benchmarks/chart.svg"]["get"]["responses"]["200"]["content"]
    assert list(chart) == ["image/svg+xml"]
    # Fields with defaults are optional in generated clients' request types.
    assert "required" not in spec["components"]["schemas"]["RecommendationRequest"]
    # And the server sends what the document says.
    response = client.get("/api/v1/frameworks?limit=1")
    assert response.headers["etag"].startswith('"v')
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.headers["link"].endswith('>; rel="next"')
    again = client.get(
        "/api/v1/frameworks?limit=1", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    svg = client.get("/api/v1/benchmarks/chart.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg")
