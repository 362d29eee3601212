"""The front door: an index of the API, and `/` until the explorer takes it."""

from typing import Any


def test_the_api_index_lists_every_collection_with_the_dataset_version(client: Any) -> None:
    response = client.get("/api/v1")
    assert response.status_code == 200
    assert response.headers["etag"]
    body = response.json()
    meta = client.get("/api/v1/meta").json()
    assert body["dataset_version"] == meta["dataset_version"]
    urls = {c["url"]: c for c in body["collections"]}
    for url in (
        "/api/v1/frameworks",
        "/api/v1/features",
        "/api/v1/matrix",
        "/api/v1/compare",
        "/api/v1/benchmarks",
        "/api/v1/recommendations",
        "/api/v1/migrations",
        "/api/v1/sources",
        "/api/v1/use-cases",
        "/api/v1/meta",
        "/api/v1/export",
    ):
        assert url in urls, url
    assert urls["/api/v1/frameworks"]["summary"] == "List frameworks"
    assert not any("{" in url for url in urls)
    assert body["docs"] == {"swagger_ui": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"}
    # Every listed collection answers.
    assert client.get("/api/v1/features").status_code == 200


def test_the_home_page_is_the_explorer(client: Any) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Which web framework fits my project" in response.text
    assert 'href="/docs"' in response.text
