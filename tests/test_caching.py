"""ETags, conditional GETs and the byte-bounded response cache."""

from typing import Any

import anyio
from sqlmodel import Session
from starlette.types import Message, Receive, Scope, Send

from app.asgi.cache import ByteLRU, Entry, ResponseCache, etag_matches
from app.db import Stamp, bump_version, current_version
from app.derived import derived
from app.params import canonical_query
from app.version import VersionClock

STAMP = Stamp("d" * 32, 1)


def test_every_get_carries_a_strong_etag_with_the_dataset_version(
    client: Any, session: Session
) -> None:
    row = current_version(session)
    for url in (
        "/api/v1/frameworks",
        "/api/v1/frameworks/flask",
        "/api/v1/meta",
        "/api/v1/features/orm",
        "/api/v1/use-cases",
        "/api/v1/sources",
    ):
        response = client.get(url)
        assert response.status_code == 200
        etag = response.headers["etag"]
        assert etag.startswith(f'"v{row.version}.{row.dataset_id[:12]}-')
        assert not etag.startswith("W/")
        assert "max-age" in response.headers["cache-control"]


def test_if_none_match_gives_304_without_a_body(client: Any) -> None:
    first = client.get("/api/v1/frameworks/django")
    again = client.get(
        "/api/v1/frameworks/django", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_a_stale_etag_gets_the_full_body(client: Any) -> None:
    response = client.get("/api/v1/frameworks/django", headers={"If-None-Match": '"v0-stale"'})
    assert response.status_code == 200
    assert response.json()["slug"] == "django"


def test_a_data_change_changes_every_etag(client: Any, session: Session) -> None:
    before = client.get("/api/v1/frameworks/flask").headers["etag"]
    bump_version(session, "test")
    session.commit()  # inside the test's outer transaction: rolled back afterwards
    after = client.get("/api/v1/frameworks/flask", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before


def test_reads_are_byte_identical(client: Any) -> None:
    a = client.get("/api/v1/frameworks/fastapi?")
    b = client.get("/api/v1/frameworks/fastapi")
    assert a.content == b.content
    assert a.headers["etag"] == b.headers["etag"]


def test_head_answers_headers_only(client: Any) -> None:
    get = client.get("/api/v1/frameworks/flask")
    head = client.head("/api/v1/frameworks/flask")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


def test_cross_origin_reads_are_allowed_and_expose_etag(client: Any) -> None:
    response = client.get("/api/v1/frameworks", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in response.headers


def test_errors_are_not_cached_or_tagged(client: Any) -> None:
    response = client.get("/api/v1/frameworks/nope")
    assert response.status_code == 404
    assert "etag" not in response.headers


def test_health_is_never_cached(client: Any) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readiness_checks_the_database(client: Any) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["dataset_version"] >= 1


def test_query_order_does_not_split_the_cache_but_repeated_values_keep_order() -> None:
    assert canonical_query(b"b=2&a=1") == canonical_query(b"a=1&b=2")
    assert canonical_query(b"f=flask&f=django") != canonical_query(b"f=django&f=flask")


def test_etag_matching_follows_rfc_9110() -> None:
    assert etag_matches(b'"a", "v1-x"', b'"v1-x"')
    assert etag_matches(b'W/"v1-x"', b'"v1-x"')
    assert etag_matches(b"*", b'"v1-x"')
    assert not etag_matches(b'"v1-y"', b'"v1-x"')


def test_the_cache_never_grows_past_its_byte_budget() -> None:
    lru = ByteLRU(max_bytes=10_000)

    def entry(body: bytes, key_size: int = 10) -> Entry:
        return Entry.build({"identity": body}, STAMP, [], b"no-store", key_size)

    for i in range(1_000):
        lru.put((STAMP, f"/p{i}", "", "*/*"), entry(b"x" * 500))
        assert lru.used <= 10_000
    assert lru.get((STAMP, "/p999", "", "*/*")) is not None
    assert lru.get((STAMP, "/p0", "", "*/*")) is None
    lru.put((STAMP, "/huge", "", "*/*"), entry(b"x" * 9_000))
    assert lru.get((STAMP, "/huge", "", "*/*")) is None  # over a quarter of the budget


def test_the_byte_budget_counts_keys_too() -> None:
    small_body = Entry.build({"identity": b"{}"}, STAMP, [], b"no-store", key_size=10)
    long_key = Entry.build({"identity": b"{}"}, STAMP, [], b"no-store", key_size=8_000)
    assert long_key.size - small_body.size == 7_990


def test_cached_and_revalidated_answers_carry_cors_and_nosniff(client: Any) -> None:
    plain = client.get("/api/v1/frameworks/flask")
    cors = client.get("/api/v1/frameworks/flask", headers={"Origin": "https://example.org"})
    for response in (plain, cors):
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert cors.content == plain.content
    assert cors.headers["etag"] == plain.headers["etag"]
    revalidated = client.get(
        "/api/v1/frameworks/flask",
        headers={"Origin": "https://example.org", "If-None-Match": plain.headers["etag"]},
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["access-control-allow-origin"] == "*"
    assert "ETag" in revalidated.headers["access-control-expose-headers"]


def test_requests_that_miss_together_share_one_render() -> None:
    renders = 0

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal renders
        renders += 1
        await anyio.sleep(0.05)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"answer"})

    clock = VersionClock(lambda: STAMP, interval=60)
    cache = ResponseCache(
        slow_app, clock=clock, max_bytes=1 << 20, max_age=60, compress_min_bytes=1024
    )
    bodies: list[bytes] = []

    async def one() -> None:
        scope = {"type": "http", "method": "GET", "path": "/api/v1/x", "query_string": b""}
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        await cache({**scope, "headers": []}, receive, send)
        assert sent[0]["status"] == 200
        bodies.append(sent[1]["body"])

    async def many() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(one)

    anyio.run(many)
    assert renders == 1
    assert bodies == [b"answer"] * 20


def test_derived_values_are_built_once_per_dataset_version(session: Session) -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert derived(session, "test value", build) == 1
    assert derived(session, "test value", build) == 1
    bump_version(session, "test")
    session.commit()  # inside the test's outer transaction: rolled back afterwards
    assert derived(session, "test value", build) == 2


def test_a_polling_clock_sees_a_change_and_rebuilds_before_requests_ask() -> None:
    version = [1]
    reads: list[int] = []
    rebuilt: list[int] = []

    def read() -> Stamp:
        reads.append(version[0])
        return Stamp("d", version[0])

    clock = VersionClock(read, interval=0.02, on_change=lambda: rebuilt.append(version[0]))

    async def scenario() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(clock.poll)
            await anyio.sleep(0.05)
            assert await clock.get() == Stamp("d", 1)
            version[0] = 2
            await anyio.sleep(0.1)
            before = len(reads)
            assert await clock.get() == Stamp("d", 2)
            assert len(reads) == before  # answered from the poller, not a read of its own
            tasks.cancel_scope.cancel()

    anyio.run(scenario)
    assert rebuilt == [1, 2]
