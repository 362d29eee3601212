"""What a public read API must survive: hostile headers and bodies, bursts, a database that
changes, is recreated, is not migrated or is gone."""

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.types import Message, Receive, Scope, Send

from app.asgi.admission import Admission
from app.asgi.cache import ResponseCache
from app.asgi.guards import Guards
from app.config import Settings
from app.db import READ_RECORD, Stamp, bump_version, current_version, make_engine, snapshot_session
from app.main import create_app
from app.version import VersionClock
from tests.conftest import DJANGO_STACK, SCRATCH_URL, reset_schema

Sent = list[Message]


async def call(app: Any, scope: dict[str, Any], body: list[bytes] | None = None) -> Sent:
    """One request straight into an ASGI app; `body` is sent in chunks (chunked upload)."""
    sent: Sent = []
    chunks = list(body or [])
    received = 0

    async def receive() -> Message:
        nonlocal received
        received += 1
        if not chunks:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    base = {"type": "http", "method": "GET", "query_string": b"", "headers": []}
    await app({**base, **scope}, receive, send)
    sent.append({"type": "test.received", "count": received})
    return sent


def start_of(sent: Sent) -> tuple[int, dict[bytes, bytes], bytes]:
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


# ---- 2: one negotiation, keyed by its outcome ------------------------------------------


def test_a_repeated_accept_header_cannot_poison_the_cache(client: Any) -> None:
    both = client.get(
        "/api/v1/matrix?frameworks=flask",
        headers=[("Accept", "text/csv"), ("Accept", "application/json")],
    )
    plain_json = client.get(
        "/api/v1/matrix?frameworks=flask", headers={"Accept": "application/json"}
    )
    no_accept = client.get("/api/v1/matrix?frameworks=flask", headers={"Accept": ""})
    as_csv = client.get("/api/v1/matrix?frameworks=flask", headers={"Accept": "text/csv"})
    # Both fields are one list: JSON and CSV tie, and the server prefers JSON.
    assert both.headers["content-type"].startswith("application/json")
    assert plain_json.json()["frameworks"][0]["slug"] == "flask"
    assert no_accept.headers["content-type"].startswith("application/json")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.startswith("feature,")
    assert as_csv.headers["etag"] != plain_json.headers["etag"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0, */*;q=0.1", "application/json"),
        ("text/csv;q=0.9, application/json;q=0.5", "text/csv"),
        ("text/*", "text/csv"),
        ("application/json;q=0.2, text/csv;q=0.8", "text/csv"),
        ("TEXT/CSV", "text/csv"),
    ],
)
def test_q_values_decide_the_representation(client: Any, accept: str, expected: str) -> None:
    response = client.get("/api/v1/matrix?frameworks=flask", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)


@pytest.mark.parametrize("accept", ["text/csv;q=0", "application/xml", "text/html;q=1, */*;q=0"])
def test_nothing_acceptable_is_a_406_problem(client: Any, accept: str) -> None:
    response = client.get("/api/v1/frameworks", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "application/json" in response.json()["detail"]


# ---- 3: headers and URLs are capped --------------------------------------------------


def test_an_oversized_header_is_a_431_problem(client: Any) -> None:
    response = client.get("/api/v1/meta", headers={"Accept": "a" * 9_000})
    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"
    assert "accept header is 9006 bytes" in response.json()["detail"]


def test_too_many_header_bytes_in_all_is_a_431_problem(client: Any) -> None:
    headers = {f"x-pad-{i}": "b" * 1_000 for i in range(40)}
    response = client.get("/api/v1/meta", headers=headers)
    assert response.status_code == 431
    assert "in all" in response.json()["detail"]


def test_distinct_accept_values_share_one_cache_entry(client: Any) -> None:
    for i in range(20):
        assert client.get("/api/v1/meta", headers={"Accept": f"application/json;x={i}"}).is_success
    store = client.app.cache.store
    assert sum(1 for key in store._items if key[1] == "/api/v1/meta") == 1


# ---- 4: bodies -----------------------------------------------------------------------


def _post(content_type: bytes, length: int | None = None) -> dict[str, Any]:
    headers = [(b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    return {"method": "POST", "path": "/api/v1/recommendations", "headers": headers}


def test_a_declared_body_over_the_limit_is_a_413_before_reading(client: Any) -> None:
    sent = anyio.run(call, client.app, _post(b"application/json", 100_000_000))
    status, headers, body = start_of(sent)
    assert status == 413
    assert headers[b"content-type"] == b"application/problem+json"
    assert b"over 65536 bytes" in body
    assert sent[-1]["count"] == 0  # not one byte of the body was read


def test_a_chunked_body_over_the_limit_is_a_413_without_reading_it_all(client: Any) -> None:
    chunks = [b"x" * 16_384] * 6_000  # ~100 MB if it were all read
    sent = anyio.run(call, client.app, _post(b"application/json"), chunks)
    assert start_of(sent)[0] == 413
    assert sent[-1]["count"] <= 5  # stopped at the limit, not at the end


def test_a_body_that_is_not_json_is_a_415(client: Any) -> None:
    response = client.post(
        "/api/v1/recommendations", content=b"use_case=cms", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert "text/plain" in response.json()["detail"]


def test_a_small_json_body_still_gets_its_answer(client: Any) -> None:
    response = client.post("/api/v1/recommendations", json={"use_case": "cms", "limit": 2})
    assert response.status_code == 200
    assert {r["framework"] for r in response.json()["results"]} <= DJANGO_STACK


# ---- 1: bounded work, and a liveness probe that needs nothing ---------------------------


def test_work_past_the_limit_and_the_queue_is_shed_with_503() -> None:
    release = anyio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    admission = Admission(slow, limit=2, queue=2, timeout=5)
    results: dict[int, int] = {}

    async def one(i: int) -> None:
        results[i] = start_of(await call(admission, {"path": "/api/v1/x"}))[0]

    async def scenario() -> None:
        async with anyio.create_task_group() as tasks:
            for i in range(6):
                tasks.start_soon(one, i)
                await anyio.sleep(0.01)
            await anyio.sleep(0.05)
            assert sorted(results.values()) == [503, 503]  # shed at once, not queued
            release.set()

    anyio.run(scenario)
    assert sorted(results.values()) == [200, 200, 200, 200, 503, 503]


def test_a_shed_request_is_a_problem_with_retry_after() -> None:
    async def never(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("an app behind a full admission must not be called")

    admission = Admission(never, limit=0, queue=0, timeout=0.1)
    status, headers, body = start_of(anyio.run(call, admission, {"path": "/api/v1/x"}))
    assert status == 503
    assert headers[b"retry-after"] == b"1"
    assert headers[b"content-type"] == b"application/problem+json"
    assert b"at capacity" in body


def test_a_shed_is_held_without_holding_capacity_and_a_timed_out_wait_is_not() -> None:
    """A client retrying at once gets its 503 after about `hold` seconds (half to one and a
    half times), while the slot and the queue stay free for the next request; a request
    that already waited `timeout` in the queue is refused without a further hold."""
    release = anyio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/slow":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    admission = Admission(slow, limit=1, queue=1, timeout=0.2, hold=0.4)
    answered: dict[str, tuple[int, float]] = {}

    async def one(name: str, path: str) -> None:
        began = time.monotonic()
        status = start_of(await call(admission, {"path": path}))[0]
        answered[name] = (status, time.monotonic() - began)

    async def scenario() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(one, "holder", "/slow")
            await anyio.sleep(0.02)
            tasks.start_soon(one, "queued", "/fast")  # waits 0.2 s, then refused
            await anyio.sleep(0.02)
            tasks.start_soon(one, "shed", "/fast")  # slot and queue full: held
            await anyio.sleep(0.3)
            release.set()  # the queued one is gone; the holder finishes now
            await anyio.sleep(0.02)
            tasks.start_soon(one, "later", "/fast")  # the shed one is still held

    anyio.run(scenario)
    assert answered["queued"][0] == 503
    assert answered["queued"][1] < 0.35
    assert answered["shed"][0] == 503
    assert 0.2 <= answered["shed"][1] < 0.7
    assert answered["holder"][0] == 200
    assert answered["later"][0] == 200
    assert answered["later"][1] < 0.1


def test_a_full_server_sheds_a_miss_before_rendering_it_but_serves_stored_answers() -> None:
    renders = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal renders
        renders += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    admission = Admission(app, limit=1, queue=0, timeout=1)
    clock = VersionClock(lambda: Stamp("d" * 32, 1), interval=60)
    cache = ResponseCache(
        admission,
        clock=clock,
        max_bytes=1 << 20,
        max_age=60,
        compress_min_bytes=1024,
        admission=admission,
    )

    async def scenario() -> tuple[int, int]:
        assert start_of(await call(cache, {"path": "/api/v1/stored"}))[0] == 200
        await admission._slots.acquire()  # the one slot is busy with something slow
        stored = start_of(await call(cache, {"path": "/api/v1/stored"}))[0]
        missed = start_of(await call(cache, {"path": "/api/v1/new"}))[0]
        return stored, missed

    assert anyio.run(scenario) == (200, 503)
    assert renders == 1


def test_a_queued_request_gives_up_after_the_queue_timeout() -> None:
    async def stuck(scope: Scope, receive: Receive, send: Send) -> None:
        await anyio.sleep(10)

    admission = Admission(stuck, limit=1, queue=5, timeout=0.1)
    statuses: list[int] = []

    async def scenario() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call, admission, {"path": "/api/v1/a"})
            await anyio.sleep(0.01)
            with anyio.fail_after(2):
                statuses.append(start_of(await call(admission, {"path": "/api/v1/b"}))[0])
            tasks.cancel_scope.cancel()

    anyio.run(scenario)
    assert statuses == [503]


def test_healthz_is_answered_without_the_app_or_a_thread() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("/healthz must not reach the app")

    guards = Guards(broken, Settings())
    status, headers, body = start_of(anyio.run(call, guards, {"path": "/healthz"}))
    assert (status, body) == (200, b'{"status":"ok"}')
    assert headers[b"cache-control"] == b"no-store"


# ---- 5 and 6: one snapshot per request, stored under what it read -----------------------


@pytest.fixture
def scratch() -> Iterator[Engine]:
    """A database of its own, empty: no schema, no data."""
    reset_schema(SCRATCH_URL, "fwatlas_scratch")
    engine = make_engine(SCRATCH_URL)
    yield engine
    engine.dispose()


def migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    from app.config import ROOT

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["connection"] = engine
    command.upgrade(config, "head")


def test_a_read_sees_one_snapshot_while_a_change_commits(scratch: Engine) -> None:
    migrate(scratch)
    with Session(scratch) as w, w.begin():
        bump_version(w, "first")
    with snapshot_session(scratch) as reader:
        before = current_version(reader).version
        with Session(scratch) as w, w.begin():
            bump_version(w, "second")
        reader.expire_all()
        assert current_version(reader).version == before  # still the snapshot it began with
    with snapshot_session(scratch) as reader:
        assert current_version(reader).version == before + 1


def test_an_answer_is_stored_under_the_stamp_its_read_saw() -> None:
    newer = Stamp("d" * 32, 8)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope[READ_RECORD].stamp = newer  # the read ran after a change the clock has not seen
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    clock = VersionClock(lambda: Stamp("d" * 32, 7), interval=60)
    cache = ResponseCache(app, clock=clock, max_bytes=1 << 20, max_age=60, compress_min_bytes=1024)
    status, headers, _ = start_of(anyio.run(call, cache, {"path": "/api/v1/x"}))
    assert status == 200
    assert headers[b"etag"].startswith(b'"v8.dddd')
    assert [key[0] for key in cache.store._items] == [newer]


def test_a_recreated_database_never_serves_the_old_answers() -> None:
    stamps = [Stamp("a" * 32, 1)]
    renders = 0

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal renders
        renders += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"dataset {stamps[-1]}".encode()})

    clock = VersionClock(lambda: stamps[-1], interval=0)
    cache = ResponseCache(app, clock=clock, max_bytes=1 << 20, max_age=60, compress_min_bytes=1024)
    first = start_of(anyio.run(call, cache, {"path": "/api/v1/x"}))
    stamps.append(Stamp("b" * 32, 1))  # dropped, recreated, migrated, seeded: version 1 again
    second = start_of(anyio.run(call, cache, {"path": "/api/v1/x"}))
    assert renders == 2
    assert first[2] != second[2]
    assert first[1][b"etag"] != second[1][b"etag"]


def test_a_new_database_gets_an_identity_of_its_own(scratch: Engine) -> None:
    migrate(scratch)
    with Session(scratch) as w, w.begin():
        bump_version(w, "seed")
    with Session(scratch) as s:
        row = current_version(s)
    assert len(row.dataset_id) == 32
    assert row.version == 1


# ---- 7: not migrated, or gone -----------------------------------------------------------


def serving(open_session: Callable[[], AbstractContextManager[Session]]) -> TestClient:
    return TestClient(create_app(open_session=open_session))


def test_an_unmigrated_database_is_not_ready_and_says_what_fixes_it(scratch: Engine) -> None:
    with serving(lambda: snapshot_session(scratch)) as client:
        ready = client.get("/readyz")
        api = client.get("/api/v1/frameworks")
        assert client.get("/healthz").status_code == 200
        migrate(scratch)
        assert client.get("/readyz").status_code == 200
    assert ready.status_code == 503
    assert "fwatlas db upgrade" in ready.json()["detail"]
    assert api.status_code == 503
    assert api.headers["content-type"] == "application/problem+json"
    assert api.headers["retry-after"] == "1"
    assert "fwatlas db upgrade" in api.json()["detail"]


def test_a_database_that_is_gone_keeps_stored_answers_and_503s_the_rest(scratch: Engine) -> None:
    migrate(scratch)
    with Session(scratch) as w, w.begin():
        bump_version(w, "seed")
    gone = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1")
    engines = [scratch]
    with serving(lambda: snapshot_session(engines[-1])) as client:
        stored = client.get("/api/v1/meta")
        engines.append(gone)
        again = client.get("/api/v1/meta")
        uncached = client.get("/api/v1/features")
        ready = client.get("/readyz")
    assert stored.status_code == again.status_code == 200
    assert again.content == stored.content
    assert uncached.status_code == 503
    assert uncached.headers["retry-after"] == "1"
    assert uncached.headers["content-type"] == "application/problem+json"
    assert ready.status_code == 503
    assert "cannot be reached" in ready.json()["detail"]


def test_a_failing_database_is_retried_with_back_off_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from app.version import NotReady

    reads: list[float] = []

    def read() -> Stamp:
        reads.append(time.monotonic())
        raise NotReady("the database cannot be reached (OperationalError)")

    clock = VersionClock(read, interval=0.01)

    async def scenario() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(clock.poll)
            await anyio.sleep(0.6)
            tasks.cancel_scope.cancel()

    with caplog.at_level("ERROR", logger="app.version"):
        anyio.run(scenario)
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert len(reads) <= 4  # 0.5 s, then 1 s: not a read every 10 ms
    assert all(later >= earlier for earlier, later in itertools.pairwise(gaps))
    assert len([r for r in caplog.records if "not ready" in r.getMessage()]) == 1


# ---- 8: hostile values never reach the database -----------------------------------------


def _cursor(key: list[Any]) -> str:
    from app.paging import encode_cursor

    return encode_cursor(key)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/features?cursor=" + _cursor([99999999999999999999999, "orm"]),
        "/api/v1/use-cases?cursor=" + _cursor([99999999999999999999999, "cms"]),
        "/api/v1/frameworks?sort=first_release_year&cursor="
        + _cursor(["first_release_year", 99999999999999999999999, "flask"]),
        "/api/v1/frameworks?cursor=" + _cursor(["name", "\u0000", "flask"]),
        "/api/v1/sources?cursor=" + _cursor(["\u0000"]),
        "/api/v1/migrations?cursor=" + _cursor(["flask", "Not A Slug"]),
        "/api/v1/benchmarks?cursor=" + _cursor(["-rps", float("inf"), 1]),
    ],
)
def test_a_forged_cursor_is_a_422_on_the_cursor(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/query/cursor"


@pytest.mark.parametrize("q", ["%", "_", "fl_sk", "%ask"])
def test_q_matches_its_words_literally(client: Any, q: str) -> None:
    everything = client.get("/api/v1/frameworks").json()["total"]
    response = client.get("/api/v1/frameworks", params={"q": q, "limit": 100})
    assert response.status_code == 200
    hits = response.json()["items"]
    assert len(hits) < everything
    for hit in hits:  # each hit has the characters themselves somewhere
        text = " ".join(str(hit.get(k) or "") for k in ("name", "slug", "description")).lower()
        assert q in text


# ---- 9: browsers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers"), [("GET", "if-none-match"), ("POST", "content-type")]
)
def test_a_preflight_for_what_a_page_sends_succeeds(client: Any, method: str, headers: str) -> None:
    response = client.options(
        "/api/v1/recommendations",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"]
    assert headers in response.headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/frameworks?q=" + "a" * 9_000, {}, 414),
        ("/api/v1/frameworks%00", {}, 400),
        ("/api/v1/meta", {"X-Big": "b" * 9_000}, 431),
        ("/api/v1/nothing-here", {}, 404),
        ("/api/v1/frameworks?limit=0", {}, 422),
        ("/api/v1/frameworks", {"Accept": "image/png"}, 406),
    ],
)
def test_every_answer_carries_cors_and_nosniff(
    client: Any, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers={"Origin": "https://example.org", **headers})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_trailing_slash_redirect_never_reflects_the_host(client: Any) -> None:
    response = client.get(
        "/api/v1/frameworks/?limit=2", headers={"Host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 308
    assert response.headers["location"] == "/api/v1/frameworks?limit=2"
