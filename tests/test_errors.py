"""Every kind of bad request gets one RFC 9457 shape, never a 500 or a stack trace."""

from typing import Any

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1/frameworks/no-such-framework", 404),
        ("GET", "/api/v1/features/no-such-feature", 404),
        ("GET", "/api/v1/sources/no-such-source", 404),
        ("GET", "/api/v1/use-cases/no-such-use-case", 404),
        ("DELETE", "/api/v1/frameworks/django", 405),
        ("POST", "/api/v1/frameworks", 405),
        ("GET", "/api/v1/frameworks?limit=0", 422),
        ("GET", "/api/v1/frameworks?limit=101", 422),
        ("GET", "/api/v1/frameworks?sort=popularity", 422),
        ("GET", "/api/v1/frameworks?cursor=not-a-cursor", 422),
        ("GET", "/api/v1/frameworks?supports=teleportation", 422),
        ("GET", "/api/v1/frameworks?classification=huge", 422),
        ("GET", "/api/v1/frameworks?limit=99999999999999999999999999", 422),
        ("GET", "/api/v1/frameworks?q=%00", 400),
        ("GET", "/api/v1/frameworks?support=orm", 422),
        ("GET", "/api/v1/matrix?frameworks=flask&framework=django", 422),
        ("GET", "/docs/anything-else", 404),
        ("GET", "/docs-assets/no-such-asset.js", 404),
    ],
)
def test_bad_requests_get_one_problem_shape(
    client: Any, method: str, url: str, status: int
) -> None:
    assert_problem(client.request(method, url), status)


def test_validation_problem_points_at_the_parameter(client: Any) -> None:
    body = assert_problem(client.get("/api/v1/frameworks?limit=101"), 422)
    assert body["errors"] == [
        {"pointer": "/query/limit", "detail": "Input should be less than or equal to 100"}
    ]


def test_unknown_slugs_in_a_list_parameter_are_named(client: Any) -> None:
    url = "/api/v1/frameworks?supports=orm&supports=teleportation&supports=time-travel"
    body = assert_problem(client.get(url), 422)
    assert body["errors"][0]["pointer"] == "/query/supports"
    assert "'teleportation'" in body["detail"]
    assert "'time-travel'" in body["detail"]
    assert "'orm'" not in body["detail"]


def test_a_cursor_from_another_sort_is_refused(client: Any) -> None:
    first = client.get("/api/v1/frameworks?limit=1&sort=slug").json()
    body = assert_problem(
        client.get(f"/api/v1/frameworks?limit=1&sort=name&cursor={first['next_cursor']}"), 422
    )
    assert body["errors"][0]["pointer"] == "/query/cursor"


async def raw_get(app: Any, path: str, query: bytes) -> tuple[int, bytes]:
    """Call the ASGI app directly: HTTP clients refuse to send URLs this long."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize(
    "query",
    [
        "&".join(f"q{i}=x" for i in range(10_000)).encode(),
        b"q=" + b"a" * 1_000_000,
    ],
    ids=["10000-parameters", "1MB-url"],
)
def test_huge_urls_are_refused_before_any_work(client: Any, query: bytes) -> None:
    import anyio

    status, body = anyio.run(raw_get, client.app, "/api/v1/frameworks", query)
    assert status == 414
    assert b"query string is over" in body


def test_an_unhandled_error_is_a_problem_without_details(client: Any, monkeypatch: Any) -> None:
    from app.catalogue import service

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internal state")

    monkeypatch.setattr(service, "meta", explode)
    client.app.dependency_overrides.clear()
    from fastapi.testclient import TestClient

    with TestClient(client.app, raise_server_exceptions=False) as raw:
        response = raw.get("/api/v1/meta")
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert "RuntimeError" not in body["detail"]


def test_405_lists_every_method_the_path_allows(client: Any) -> None:
    response = client.put("/api/v1/recommendations")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


def test_the_docs_pages_carry_a_strict_script_policy(client: Any) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert script_src.split()[1] == "'self'"
        assert all(token.startswith("'sha256-") for token in script_src.split()[2:])
        assert "cdn" not in response.text
