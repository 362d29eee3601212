"""The matrix, the side-by-side comparison and migration notes, as a user reads them."""

import csv
import io
from typing import Any

import pytest

from tests.conftest import features_in


def test_the_matrix_has_a_cell_for_every_pair(client: Any) -> None:
    body = client.get("/api/v1/matrix").json()
    frameworks = client.get("/api/v1/frameworks").json()["total"]
    features = client.get("/api/v1/features?limit=100").json()["total"]
    assert len(body["frameworks"]) == frameworks
    assert len(body["rows"]) == features
    for row in body["rows"]:
        assert set(row["cells"]) == {f["slug"] for f in body["frameworks"]}
    for slug, totals in body["totals"].items():
        assert sum(totals.values()) == features, slug


def test_matrix_cells_carry_their_statements(client: Any) -> None:
    body = client.get("/api/v1/matrix?frameworks=flask,django&features=admin-panel").json()
    (row,) = body["rows"]
    flask = row["cells"]["flask"]
    assert flask["level"] == "extension"
    assert "Flask-Admin" in flask["statements"][0]["via"]
    assert flask["statements"][0]["sources"]
    assert row["cells"]["django"]["level"] == "built_in"
    assert row["differs"] is True
    assert [f["slug"] for f in body["frameworks"]] == ["flask", "django"]


def test_a_missing_statement_is_an_explicit_unknown_cell(client: Any, session: Any) -> None:
    from sqlmodel import col, delete, select

    from app.models import Feature, Framework, SupportStatement

    flask = session.exec(select(Framework.id).where(Framework.slug == "flask")).one()
    orm = session.exec(select(Feature.id).where(Feature.slug == "orm")).one()
    session.exec(
        delete(SupportStatement).where(
            col(SupportStatement.framework_id) == flask, col(SupportStatement.feature_id) == orm
        )
    )
    session.flush()
    body = client.get("/api/v1/matrix?frameworks=flask&features=orm").json()
    cell = body["rows"][0]["cells"]["flask"]
    assert cell["level"] == "unknown"
    assert cell["statements"][0]["sources"] == []


def test_category_filter_keeps_its_features(client: Any) -> None:
    rows = client.get("/api/v1/matrix?category=realtime").json()["rows"]
    assert [r["feature"] for r in rows] == features_in("realtime")
    assert {"websockets", "server-sent-events", "http2"} <= {r["feature"] for r in rows}
    handling = client.get("/api/v1/matrix?category=request-handling").json()["rows"]
    assert "routing" in {r["feature"] for r in handling}  # sub-category included


@pytest.mark.parametrize("how", ["?format=csv&", "?"])
def test_the_matrix_as_csv_opens_as_a_clean_table(client: Any, how: str) -> None:
    headers = {} if "format" in how else {"Accept": "text/csv"}
    response = client.get(f"/api/v1/matrix{how}frameworks=flask,django,fastapi", headers=headers)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="framework-atlas-matrix.csv"' in response.headers["content-disposition"]
    assert response.headers["etag"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["feature", "name", "category", "Flask", "Django", "FastAPI"]
    admin = next(r for r in rows if r[0] == "admin-panel")
    assert admin[3].startswith("extension (")
    assert "Flask-Admin" in admin[3]
    assert admin[4] == "built_in"
    assert len({len(r) for r in rows}) == 1


def test_json_and_csv_have_different_etags(client: Any) -> None:
    as_json = client.get("/api/v1/matrix?frameworks=flask")
    as_csv = client.get("/api/v1/matrix?frameworks=flask", headers={"Accept": "text/csv"})
    assert as_json.headers["etag"] != as_csv.headers["etag"]
    again = client.get(
        "/api/v1/matrix?frameworks=flask",
        headers={"Accept": "text/csv", "If-None-Match": as_csv.headers["etag"]},
    )
    assert again.status_code == 304


def test_an_unproducible_accept_is_406(client: Any) -> None:
    response = client.get("/api/v1/matrix", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_compare_marks_what_differs_across_the_seed_articles(client: Any) -> None:
    body = client.get("/api/v1/compare?frameworks=flask,django,fastapi").json()
    assert [f["slug"] for f in body["frameworks"]] == ["flask", "django", "fastapi"]
    rows = {r["key"]: r for r in body["attributes"]}
    assert rows["language"]["differs"] is False
    assert rows["classification"]["differs"] is True
    article = "ai-study-room-comparison"
    for aspect in (
        "type",
        "async_support",
        "validation",
        "orm",
        "admin_panel",
        "api_docs",
        "performance",
        "learning_curve",
        "best_for",
    ):
        row = rows[f"fact:{aspect}:{article}"]
        assert all(v["value"] for v in row["values"].values()), aspect
    assert rows[f"fact:orm:{article}"]["values"]["django"]["value"] == "Django ORM"
    assert rows[f"fact:admin_panel:{article}"]["differs"] is True
    # Every test type, the compared frameworks only: what the benchmark summary says of them.
    summary = client.get("/api/v1/benchmarks/summary?frameworks=flask,django,fastapi").json()
    flask = next(i for i in summary["items"] if i["framework"] == "flask")
    speed = rows["benchmarks:relative_speed"]["values"]["flask"]["value"]
    assert speed == f"{flask['relative_speed']:.2f}x"


def test_compare_puts_differing_rows_first_and_keeps_the_order_asked(client: Any) -> None:
    body = client.get("/api/v1/compare?frameworks=fastapi,flask").json()
    differs = [r["differs"] for r in body["matrix"]["rows"]]
    assert differs == sorted(differs, reverse=True)
    assert any(differs)
    assert [f["slug"] for f in body["matrix"]["frameworks"]] == ["fastapi", "flask"]
    assert [(m["from"], m["to"]) for m in body["migrations"]] == [("flask", "fastapi")]
    assert body["pros_cons"]["flask"]["pros"][0]["text"] == "Minimal learning curve"
    assert {i["framework"] for i in body["benchmarks"]["items"]} == {"fastapi", "flask"}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("frameworks=flask", "at least 2 items"),
        ("frameworks=flask,flask", "named more than once: flask"),
        ("frameworks=flask,ghost,phantom", "'ghost', 'phantom'"),
        (
            "frameworks=" + ",".join(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]),
            "not 11",
        ),
        ("frameworks=Flask,Django", "pattern"),
    ],
)
def test_bad_comparisons_are_named(client: Any, query: str, words: str) -> None:
    body = client.get(f"/api/v1/compare?{query}").json()
    assert body["status"] == 422
    assert body["errors"][0]["pointer"].startswith("/query/frameworks")
    assert words in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("matrix?frameworks=ghost", "/query/frameworks"),
        ("matrix?features=teleport", "/query/features"),
        ("matrix?category=nope", "/query/category"),
        ("matrix?format=xml", "/query/format"),
    ],
)
def test_bad_matrix_input_is_named(client: Any, query: str, pointer: str) -> None:
    body = client.get(f"/api/v1/{query}").json()
    assert body["status"] == 422
    assert body["errors"][0]["pointer"] == pointer


def test_the_seed_articles_migration_notes_are_all_there(client: Any) -> None:
    items = client.get("/api/v1/migrations").json()["items"]
    assert {(m["from"], m["to"]) for m in items} >= {
        ("flask", "fastapi"),
        ("django", "fastapi"),
        ("flask", "django"),
    }
    path = client.get("/api/v1/migrations/django/fastapi").json()
    assert path["effort"] == "large"
    assert {
        "kind": "cost",
        "text": "Lose built-in admin panel",
        "sources": ["ngo-flask-fastapi-django"],
    } in path["considerations"]
    assert [c["kind"] for c in path["considerations"]].count("gain") == 2
    assert path["sources"] == ["ngo-flask-fastapi-django"]


def test_migrations_filter_and_page(client: Any) -> None:
    to_fastapi = client.get("/api/v1/migrations?to=fastapi").json()
    assert [m["from"] for m in to_fastapi["items"]] == ["django", "flask"]
    everything = client.get("/api/v1/migrations?limit=100").json()
    first = client.get("/api/v1/migrations?limit=2")
    assert first.json()["total"] == everything["total"] > 2
    pages, response = [first.json()["items"]], first
    while "link" in response.headers:
        response = client.get(response.headers["link"].split(">")[0].lstrip("<"))
        pages.append(response.json()["items"])
    assert [len(p) for p in pages[:-1]] == [2] * (len(pages) - 1)
    assert response.json()["next_cursor"] is None
    assert [m for page in pages for m in page] == everything["items"]


def test_unknown_migration_paths_are_404_or_422(client: Any) -> None:
    assert client.get("/api/v1/migrations/fastapi/flask").json()["status"] == 404
    body = client.get("/api/v1/migrations/ghost/flask").json()
    assert body["status"] == 404
    assert "'ghost'" in body["detail"]
    assert (
        client.get("/api/v1/migrations?from=ghost").json()["errors"][0]["pointer"] == "/query/from"
    )
