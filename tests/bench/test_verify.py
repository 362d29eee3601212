"""The verifier refuses what a user of the figures would call cheating or a bug."""

import html
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from app.bench import verify
from app.bench.database import ADDED_FORTUNE, FORTUNES, Database
from app.bench.manifest import Manifest

DB = Database("postgresql://nobody@127.0.0.1:1/none")
WORLD = {i: (i * 7) % 10_000 + 1 for i in range(1, 10_001)}
StartResponse = Callable[[str, list[tuple[str, str]]], None]


@pytest.fixture(autouse=True)
def fake_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "world_rows", lambda db, ids: {i: WORLD[i] for i in ids})
    monkeypatch.setattr(verify, "fortunes", lambda db: list(enumerate(FORTUNES, start=1)))


def make_app(
    clamp: int = 500, escape: bool = True, sort: bool = True, json_type: str = "application/json"
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        raw = parse_qs(environ.get("QUERY_STRING", "")).get("queries", ["1"])[0]
        n = min(max(int(raw), 1), clamp) if raw.isdigit() else 1
        kind = json_type
        if path == "/json":
            body = json.dumps({"message": "Hello, World!"})
        elif path == "/queries":
            body = json.dumps([{"id": i, "randomNumber": WORLD[i]} for i in range(1, n + 1)])
        else:
            rows = [*enumerate(FORTUNES, start=1), (0, ADDED_FORTUNE)]
            rows.sort(key=lambda r: r[1] if sort else -r[0])
            cells = "".join(
                f"<tr><td>{i}</td><td>{html.escape(m) if escape else m}</td></tr>" for i, m in rows
            )
            body, kind = f"<table><tr><th>id</th></tr>{cells}</table>", "text/html; charset=utf-8"
        start("200 OK", [("Content-Type", kind), ("Server", "t"), ("Date", "today")])
        return [body.encode()]

    return app


def problems(app: Any, tests: list[str]) -> dict[str, list[str]]:
    manifest = Manifest.model_validate(
        {
            "framework": "t",
            "interface": "wsgi",
            "server": "t",
            "tests": tests,
            "start": ["t"],
            "install": {"requirements": ["t==1"]},
        }
    )
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        return {t.value: verify.CHECKS[t](client.get, manifest.path(t), DB) for t in manifest.tests}


def test_a_correct_app_passes_every_check() -> None:
    assert problems(make_app(), ["json", "query", "fortune"]) == {
        "json": [],
        "query": [],
        "fortune": [],
    }


def test_json_with_the_wrong_content_type_fails() -> None:
    found = problems(make_app(json_type="text/plain"), ["json"])
    assert found["json"] == ["Content-Type is 'text/plain', expected application/json"]


def test_a_query_endpoint_that_does_not_clamp_to_500_fails_naming_the_case() -> None:
    found = problems(make_app(clamp=10_000), ["query"])
    assert found["query"] == ["queries=501: 501 rows, expected 500"]


def test_an_unescaped_fortune_fails() -> None:
    found = problems(make_app(escape=False), ["fortune"])
    assert "a fortune's markup reached the page unescaped" in found["fortune"]


def test_fortunes_out_of_order_fail() -> None:
    assert problems(make_app(sort=False), ["fortune"])["fortune"] == [
        "the fortunes are not sorted by message"
    ]


def test_rows_the_database_does_not_hold_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "world_rows", lambda db, ids: dict.fromkeys(ids, 0))
    found = problems(make_app(), ["query"])["query"]
    assert found[0].startswith("queries=20: rows: 20 row(s) differ from the world table")
