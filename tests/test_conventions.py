"""The conventions every operation keeps: one list form, strict names, misses that help."""

from typing import Any

import pytest

from app.params import canonical_query

PROBLEM = "application/problem+json"

# (path, one list parameter in its comma form and in its repeated form, other parameters)
LISTS = [
    ("/api/v1/frameworks", "supports=orm,admin-panel", "supports=orm&supports=admin-panel", ""),
    (
        "/api/v1/frameworks",
        "classification=micro,api",
        "classification=micro&classification=api",
        "&limit=2",
    ),
    ("/api/v1/matrix", "frameworks=flask,django", "frameworks=flask&frameworks=django", ""),
    ("/api/v1/compare", "frameworks=flask,django", "frameworks=flask&frameworks=django", ""),
    (
        "/api/v1/recommendations",
        "must_have=websockets,admin-panel",
        "must_have=websockets&must_have=admin-panel",
        "",
    ),
    ("/api/v1/benchmarks", "framework=flask,django", "framework=flask&framework=django", ""),
    (
        "/api/v1/benchmarks/summary",
        "frameworks=flask,django",
        "frameworks=flask&frameworks=django",
        "",
    ),
]


@pytest.mark.parametrize(("path", "comma", "repeated", "rest"), LISTS)
def test_a_list_parameter_takes_a_comma_list_or_repeats_with_the_same_bytes(
    client: Any, path: str, comma: str, repeated: str, rest: str
) -> None:
    store = client.app.cache.store
    first = client.get(f"{path}?{repeated}{rest}")
    assert first.status_code == 200, first.text
    entries = len(store)
    second = client.get(f"{path}?{comma}{rest}")
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers.get("link") == first.headers.get("link")
    # One cache entry for both spellings.
    assert len(store) == entries


def test_a_repeated_list_keeps_every_value(client: Any) -> None:
    matrix = client.get("/api/v1/matrix?frameworks=flask&frameworks=django").json()
    assert matrix["frameworks"] == ["flask", "django"] or [
        f["slug"] for f in matrix["frameworks"]
    ] == ["flask", "django"]
    compare = client.get("/api/v1/compare?frameworks=flask&frameworks=django").json()
    assert [f["slug"] for f in compare["frameworks"]] == ["flask", "django"]
    rec = client.get("/api/v1/recommendations?must_have=websockets&must_have=admin-panel").json()
    assert rec["query"]["must_have"] == ["websockets", "admin-panel"]


def test_a_comma_in_a_plain_parameter_is_literal() -> None:
    lists = frozenset({"supports"})
    assert canonical_query(b"q=a,b&limit=1", lists) != canonical_query(b"q=a&q=b&limit=1", lists)
    assert canonical_query(b"supports=a,b&limit=1", lists) == canonical_query(
        b"supports=a&limit=1&supports=b", lists
    )


def test_the_openapi_declares_every_list_the_same_way(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    lists = [
        p
        for item in spec["paths"].values()
        for op in item.values()
        for p in op.get("parameters", [])
        if p["schema"].get("type") == "array"
        or any(s.get("type") == "array" for s in p["schema"].get("anyOf", []))
    ]
    assert len(lists) >= 15
    for p in lists:
        assert "comma-separated (`x=a,b`) or repeated" in p["description"], p["name"]
        assert (p["style"], p["explode"]) == ("form", True)


def test_an_unknown_query_parameter_is_named_with_the_accepted_ones(client: Any) -> None:
    response = client.get("/api/v1/frameworks?support=orm")
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert "'support'" in body["detail"]
    (error,) = body["errors"]
    assert error["pointer"] == "/query/support"
    assert "did you mean 'supports'" in error["detail"]
    assert error["suggestions"][0] == "supports"
    for name in ("supports", "language", "limit", "cursor", "sort"):
        assert name in error["detail"]


def test_compare_takes_the_matrix_filters(client: Any) -> None:
    base = "/api/v1/compare?frameworks=flask,django"
    full = client.get(base).json()
    only = client.get(f"{base}&features=orm,admin-panel").json()
    assert sorted(r["feature"] for r in only["matrix"]["rows"]) == ["admin-panel", "orm"]
    assert len(full["matrix"]["rows"]) > 2
    data = client.get(f"{base}&category=data").json()
    assert 0 < len(data["matrix"]["rows"]) < len(full["matrix"]["rows"])
    bad = client.get(f"{base}&features=orn").json()
    assert bad["errors"][0]["pointer"] == "/query/features"
    assert bad["errors"][0]["suggestions"] == ["orm"]


@pytest.mark.parametrize(
    ("url", "suggestion"),
    [
        ("/api/v1/frameworks/djang", "django"),
        ("/api/v1/features/websocket", "websockets"),
        ("/api/v1/use-cases/cmss", "cms"),
    ],
)
def test_a_miss_names_the_closest_slugs(client: Any, url: str, suggestion: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    body = response.json()
    assert suggestion in body["suggestions"]
    assert f"did you mean '{suggestion}'" in body["detail"]


def test_an_unknown_slug_in_a_list_names_the_closest(client: Any) -> None:
    body = client.get("/api/v1/matrix?frameworks=flask,djnago").json()
    assert body["status"] == 422
    assert body["suggestions"] == ["django"]
    assert body["errors"][0]["suggestions"] == ["django"]
    assert "'djnago' (did you mean 'django'?)" in body["detail"]


def test_a_slug_in_another_case_redirects_to_the_lowercase_url(client: Any) -> None:
    response = client.get("/api/v1/frameworks/Django?x=1", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/api/v1/frameworks/django?x=1"
    body = client.get("/api/v1/frameworks/DJANGO").json()
    assert body["slug"] == "django"
    moved = client.get("/api/v1/migrations/Flask/FastAPI", follow_redirects=False)
    assert moved.headers["location"] == "/api/v1/migrations/flask/fastapi"


def test_a_query_error_points_at_the_query(client: Any) -> None:
    body = client.get("/api/v1/recommendations?use_case=cmss").json()
    assert body["errors"][0]["pointer"] == "/query/use_case"
    assert body["suggestions"] == ["cms"]
    body = client.get("/api/v1/recommendations?must_have=orm,teleport").json()
    assert body["errors"][0]["pointer"] == "/query/must_have"
    posted = client.post("/api/v1/recommendations", json={"use_case": "cmss"}).json()
    assert posted["errors"][0]["pointer"] == "/body/use_case"
