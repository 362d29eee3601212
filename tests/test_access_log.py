"""The access log layer: what a line says, and when lines reach the log."""

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.types import Message, Receive, Scope, Send

from app.asgi.access_log import AccessLog, AccessLogWriter

TEXT_LINE = re.compile(
    r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) "(\S+) (\S+) HTTP/1\.1" (\d{3}) (\d+) '
    r"(\d+\.\d{3})ms$"
)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    path = tmp_path / "access.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    yield fd, path
    os.close(fd)


def http_scope(path: str = "/x", query: bytes = b"", method: str = "GET") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "http_version": "1.1",
        "headers": [],
        "client": ("192.0.2.10", 5123),
    }


async def small_app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"abc", "more_body": True})
    await send({"type": "http.response.body", "body": b"defg"})


async def call(app: Any, scope: Scope) -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    await app(scope, receive, send)


def test_a_text_line_names_client_request_status_bytes_and_duration(
    log_file: tuple[int, Path],
) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd)
    app = AccessLog(small_app, writer)

    async def main() -> None:
        await call(app, http_scope("/api/v1/frameworks", b"limit=5&q=dj"))
        writer.flush()

    anyio.run(main)
    line = path.read_text().splitlines()[0]
    match = TEXT_LINE.match(line)
    assert match, line
    assert match.groups()[:5] == (
        "192.0.2.10:5123",
        "GET",
        "/api/v1/frameworks?limit=5&q=dj",
        "201",
        "7",
    )


def test_json_lines_carry_the_same_fields(log_file: tuple[int, Path]) -> None:
    fd, path = log_file
    writer = AccessLogWriter("json", fd=fd)

    async def main() -> None:
        await call(AccessLog(small_app, writer), http_scope("/a", b"b=1"))
        writer.flush()

    anyio.run(main)
    record = json.loads(path.read_text())
    assert {k: record[k] for k in ("client", "method", "path", "status", "bytes")} == {
        "client": "192.0.2.10:5123",
        "method": "GET",
        "path": "/a?b=1",
        "status": 201,
        "bytes": 7,
    }
    assert record["duration_ms"] >= 0
    assert record["time"].endswith("Z")


def test_a_quote_or_control_character_in_the_path_cannot_forge_a_line(
    log_file: tuple[int, Path],
) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd)

    async def main() -> None:
        await call(AccessLog(small_app, writer), http_scope('/a" 200 1 1ms\n/b'))
        writer.flush()

    anyio.run(main)
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    assert '/a\\" 200 1 1ms\\n/b HTTP/1.1" 201 7' in lines[0]


def test_lines_wait_in_memory_until_the_batch_is_full(log_file: tuple[int, Path]) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd, max_lines=10, flush_interval=60)
    app = AccessLog(small_app, writer)

    async def main() -> None:
        for _ in range(9):
            await call(app, http_scope())
        assert path.read_text() == ""  # nothing written per request
        await call(app, http_scope())
        assert len(path.read_text().splitlines()) == 10
        writer.flush()

    anyio.run(main)


def test_a_lone_line_is_written_after_the_flush_interval(log_file: tuple[int, Path]) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd, max_lines=1000, flush_interval=0.05)

    async def main() -> None:
        await call(AccessLog(small_app, writer), http_scope())
        assert path.read_text() == ""
        await anyio.sleep(0.2)
        assert len(path.read_text().splitlines()) == 1

    anyio.run(main)


def test_lifespan_shutdown_flushes_what_is_buffered(log_file: tuple[int, Path]) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd, max_lines=1000, flush_interval=60)
    shutdown_saw: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await small_app(scope, receive, send)

    async def main() -> None:
        logged = AccessLog(app, writer)
        for _ in range(3):
            await call(logged, http_scope())
        messages = iter(["lifespan.startup", "lifespan.shutdown"])

        async def receive() -> Message:
            return {"type": next(messages)}

        async def send(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                shutdown_saw.append(path.read_text())

        await logged({"type": "lifespan"}, receive, send)

    anyio.run(main)
    assert len(shutdown_saw[0].splitlines()) == 3


def test_an_app_that_raises_is_logged_as_500(log_file: tuple[int, Path]) -> None:
    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd)

    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    async def main() -> None:
        with pytest.raises(RuntimeError):
            await call(AccessLog(broken, writer), http_scope("/boom"))
        writer.flush()

    anyio.run(main)
    assert '"GET /boom HTTP/1.1" 500 0 ' in path.read_text()


def test_cached_answers_are_logged_with_their_bytes(
    client: Any, log_file: tuple[int, Path]
) -> None:
    from fastapi.testclient import TestClient

    fd, path = log_file
    writer = AccessLogWriter("text", fd=fd, max_lines=1000, flush_interval=60)
    with TestClient(AccessLog(client.app, writer)) as logged:
        first = logged.get("/api/v1/frameworks/flask")
        again = logged.get("/api/v1/frameworks/flask")
        etag = again.headers["etag"]
        not_modified = logged.get("/api/v1/frameworks/flask", headers={"if-none-match": etag})
        assert not_modified.status_code == 304
    lines = [TEXT_LINE.match(line) for line in path.read_text().splitlines()]
    assert [(m[3], m[4], int(m[5])) for m in lines if m] == [
        # The bytes sent: compressed, as the client asked for them.
        ("/api/v1/frameworks/flask", "200", int(first.headers["content-length"])),
        ("/api/v1/frameworks/flask", "200", int(again.headers["content-length"])),
        ("/api/v1/frameworks/flask", "304", 0),
    ]


def test_recording_a_request_costs_microseconds(log_file: tuple[int, Path]) -> None:
    fd, _ = log_file
    writer = AccessLogWriter("text", fd=fd)
    app = AccessLog(small_app, writer)
    count = 5000

    async def main() -> tuple[float, float]:
        scope = http_scope("/api/v1/frameworks/django")
        start = time.perf_counter()
        for _ in range(count):
            await call(small_app, scope)
        bare = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(count):
            await call(app, scope)
        writer.flush()
        return bare, time.perf_counter() - start

    bare, logged = anyio.run(main)
    # Generous bound for a shared CI host; measured here at 2 to 4 us.
    assert (logged - bare) / count < 40e-6
