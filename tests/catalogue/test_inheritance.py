"""Frameworks built on frameworks: what a framework does not state, it inherits, visibly."""

from typing import Any

from app.seed.load import read_dataset, statements
from app.seed.schema import Dataset
from tests.conftest import SEED

SHIPPED = read_dataset(SEED)
STARLETTE = next(f for f in SHIPPED.frameworks if f.slug == "starlette")
FASTAPI = next(f for f in SHIPPED.frameworks if f.slug == "fastapi")
# FastAPI makes no statement on sessions: Starlette's SessionMiddleware is what it has.
BASE_SESSIONS = statements(STARLETTE.support["sessions"])[0]
OWN_ROUTING = statements(FASTAPI.support["routing"])[0]


def test_the_shipped_data_keeps_the_case_these_tests_read() -> None:
    assert FASTAPI.based_on == "starlette"
    assert "sessions" not in FASTAPI.support
    assert "routing" in FASTAPI.support


def _support(detail: dict[str, Any], feature: str) -> dict[str, Any]:
    row: dict[str, Any] = next(s for s in detail["support"] if s["feature"] == feature)
    first: dict[str, Any] = row["statements"][0]
    return first


def test_framework_detail_shows_an_inherited_statement_with_the_bases_sources(
    client: Any,
) -> None:
    detail = client.get("/api/v1/frameworks/fastapi").json()
    assert detail["based_on"] == "starlette"
    sessions = _support(detail, "sessions")
    assert sessions["inherited_from"] == "starlette"
    assert sessions["level"] == BASE_SESSIONS.level.value
    assert sessions["sources"] == BASE_SESSIONS.sources
    cited = {s["slug"] for s in detail["sources"]}
    assert set(BASE_SESSIONS.sources) <= cited


def test_an_own_statement_overrides_the_base(client: Any) -> None:
    routing = _support(client.get("/api/v1/frameworks/fastapi").json(), "routing")
    assert routing["inherited_from"] is None
    assert routing["sources"] == OWN_ROUTING.sources
    assert routing["notes"] == OWN_ROUTING.notes


def test_feature_detail_matrix_and_compare_show_the_inheritance(client: Any) -> None:
    feature = client.get("/api/v1/features/sessions").json()
    row = next(s for s in feature["support"] if s["framework"] == "fastapi")
    assert row["statements"][0]["inherited_from"] == "starlette"
    starlette = next(s for s in feature["support"] if s["framework"] == "starlette")
    assert starlette["statements"][0]["inherited_from"] is None

    matrix = client.get("/api/v1/matrix?frameworks=fastapi,starlette&features=sessions").json()
    cell = matrix["rows"][0]["cells"]["fastapi"]
    assert cell["level"] == BASE_SESSIONS.level.value
    assert cell["statements"][0]["inherited_from"] == "starlette"
    assert cell["statements"][0]["sources"] == BASE_SESSIONS.sources

    compare = client.get("/api/v1/compare?frameworks=fastapi,flask").json()
    built_on = next(r for r in compare["attributes"] if r["key"] == "based_on")
    assert built_on["values"]["fastapi"]["value"] == "starlette"
    assert built_on["values"]["flask"]["value"] is None
    rows = {r["feature"]: r for r in compare["matrix"]["rows"]}
    assert rows["sessions"]["cells"]["fastapi"]["statements"][0]["inherited_from"] == "starlette"


def test_export_writes_only_own_statements_and_round_trips(client: Any) -> None:
    exported = client.get("/api/v1/export").json()
    fastapi = next(f for f in exported["frameworks"] if f["slug"] == "fastapi")
    assert fastapi["based_on"] == "starlette"
    assert "sessions" not in fastapi["support"]
    assert "inherited_from" not in fastapi["support"]["routing"]
    assert Dataset.model_validate(exported).frameworks == SHIPPED.frameworks


def test_meta_counts_only_own_statements(client: Any) -> None:
    own = sum(len(statements(v)) for f in SHIPPED.frameworks for v in f.support.values())
    assert client.get("/api/v1/meta").json()["counts"]["support_statements"] == own
