"""Check every endpoint before any load: an app whose answers are wrong is not measured.

The rules follow what TechEmpower's verifier checks (status, Content-Type, body shape,
row shapes, the query clamp, fortune escaping and order), written for this harness.
"""

import json
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import psycopg

from app.bench.database import ADDED_FORTUNE, WORLD_ROWS, Database, fortunes, world_rows
from app.bench.manifest import Manifest
from app.enums import TestType

Problems = list[str]
NO_DATE = "no Date header"


def _header_problems(response: httpx.Response, media_type: str) -> Problems:
    problems = []
    if response.status_code != 200:
        problems.append(f"status {response.status_code}, expected 200")
    content_type = response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != media_type:
        problems.append(f"Content-Type is {content_type!r}, expected {media_type}")
    # HTTP asks a server with a clock for Date; some frameworks' servers omit it. That is
    # reported (see ADVISORY) without keeping the app from being measured.
    if "date" not in response.headers:
        problems.append(NO_DATE)
    return problems


def _json(response: httpx.Response) -> tuple[Any, Problems]:
    try:
        return json.loads(response.content), []
    except ValueError:
        return None, [f"body is not JSON: {response.text[:80]!r}"]


def _row_problems(row: Any, where: str) -> Problems:
    if not isinstance(row, dict) or set(row) != {"id", "randomNumber"}:
        return [f"{where}: expected an object with exactly id and randomNumber, got {row!r:.80}"]
    problems = []
    for key in ("id", "randomNumber"):
        value = row[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= WORLD_ROWS:
            problems.append(f"{where}: {key} is {value!r}, expected an integer 1..{WORLD_ROWS}")
    return problems


def _rows_match(db: Database, rows: list[dict[str, int]], where: str) -> Problems:
    """The rows must be the database's, not made up: compare them with what is stored."""
    stored = world_rows(db, [r["id"] for r in rows])
    # An id drawn twice in one update may keep either of the values it was given.
    allowed: dict[int, set[int]] = {}
    for r in rows:
        allowed.setdefault(r["id"], set()).add(r["randomNumber"])
    wrong = [i for i, values in allowed.items() if stored.get(i) not in values]
    if not wrong:
        return []
    return [f"{where}: {len(wrong)} row(s) differ from the world table (ids {wrong[:3]})"]


def check_json(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    response = get(path)
    problems = _header_problems(response, "application/json")
    body, bad = _json(response)
    if bad or body != {"message": "Hello, World!"}:
        problems += bad or [f"body is {body!r:.80}, expected {{'message': 'Hello, World!'}}"]
    return problems


def check_plaintext(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    response = get(path)
    problems = _header_problems(response, "text/plain")
    if response.content != b"Hello, World!":
        problems.append(f"body is {response.content[:80]!r}, expected b'Hello, World!'")
    return problems


def check_db(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    response = get(path)
    problems = _header_problems(response, "application/json")
    body, bad = _json(response)
    problems += bad or _row_problems(body, "row")
    return problems or _rows_match(db, [body], "row")


def _check_rows(
    get: Callable[[str], httpx.Response], path: str, db: Database, update: bool
) -> Problems:
    problems: Problems = []
    # The clamp: anything not a number means 1, below 1 means 1, above 500 means 500.
    for raw, expected in (("20", 20), ("1", 1), ("0", 1), ("foo", 1), ("", 1), ("501", 500)):
        where = f"queries={raw}"
        response = get(path + raw)
        found = _header_problems(response, "application/json")
        body, bad = _json(response)
        found += bad
        if not bad and not isinstance(body, list):
            found.append(f"body is not a list: {body!r:.80}")
        elif not bad:
            if len(body) != expected:
                found.append(f"{len(body)} rows, expected {expected}")
            for i, row in enumerate(body[:expected]):
                found += _row_problems(row, f"row {i}")
            if not found:
                found += _rows_match(db, body, "rows")
        problems += [f"{where}: {p}" for p in found]
    if update and not problems:
        before = world_rows(db, list(range(1, WORLD_ROWS + 1)))
        body = json.loads(get(path + "500").content)
        after = world_rows(db, [r["id"] for r in body])
        if all(after[r["id"]] == before[r["id"]] for r in body):
            problems.append("queries=500: no row changed in the world table")
    return problems


def check_query(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    return _check_rows(get, path, db, update=False)


def check_update(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    return _check_rows(get, path, db, update=True)


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def check_fortune(get: Callable[[str], httpx.Response], path: str, db: Database) -> Problems:
    response = get(path)
    problems = _header_problems(response, "text/html")
    if "charset=utf-8" not in response.headers.get("content-type", "").lower().replace(" ", ""):
        problems.append("Content-Type does not say charset=utf-8")
    text = response.content.decode("utf-8", errors="replace")
    if "<script>" in text:
        problems.append("a fortune's markup reached the page unescaped")
    parser = _Table()
    parser.feed(text)
    rows = [r for r in parser.rows if r and r[0].isdigit()]
    expected = sorted([*fortunes(db), (0, ADDED_FORTUNE)], key=lambda f: f[1])
    got = [(int(r[0]), r[1]) for r in rows if len(r) >= 2]
    if got != expected:
        want = [m for _, m in expected]
        seen = [m for _, m in got]
        if sorted(seen) == sorted(want):
            problems.append("the fortunes are not sorted by message")
        else:
            missing = [m for m in want if m not in seen]
            problems.append(
                f"{len(got)} fortune rows, expected {len(expected)}; missing {missing[:2]}"
            )
    return problems


CHECKS: dict[TestType, Callable[[Callable[[str], httpx.Response], str, Database], Problems]] = {
    TestType.json: check_json,
    TestType.plaintext: check_plaintext,
    TestType.db: check_db,
    TestType.query: check_query,
    TestType.fortune: check_fortune,
    TestType.update: check_update,
}


def advisory(problem: str) -> bool:
    """A deviation worth reporting that does not change what the figures mean."""
    return problem.endswith(NO_DATE)


def verify(
    base_url: str, manifest: Manifest, db: Database, tests: list[TestType]
) -> dict[str, Problems]:
    """Per test type to be measured, what is wrong with it (an empty list: it passes;
    `advisory` problems alone do not fail it)."""
    found: dict[str, Problems] = {}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for test in tests:
            try:
                found[test.value] = CHECKS[test](client.get, manifest.path(test), db)
            except (httpx.HTTPError, psycopg.Error, ValueError, KeyError, TypeError) as exc:
                found[test.value] = [f"{type(exc).__name__}: {exc}"]
    return found
