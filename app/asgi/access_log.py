"""The access log: one line per request, costing a few microseconds.

Python's `logging` (and Uvicorn's access log on top of it) costs about 48 us a
request here, more than a cached answer. This layer instead keeps a tuple per
request in a bounded buffer and formats and writes the buffer in one go: when
it holds `max_lines`, half a second after its first line, at lifespan
shutdown and at interpreter exit. It sits outermost, so answers the response
cache sends without running FastAPI are logged too.
"""

import asyncio
import atexit
import json
import multiprocessing.util
import os
import sys
import time
from collections.abc import Callable
from typing import Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Format = Literal["text", "json"]
# One entry: wall time, client, method, target, HTTP version, status, bytes, seconds.
Entry = tuple[float, str, str, str, str, int, int, float]
# Writes to a pipe of at most this many bytes are atomic, so the lines of several
# workers sharing one stdout never interleave mid-line.
PIPE_BUF = 4096


def _client(scope: Scope) -> str:
    client = scope.get("client")
    if not client:
        return "-"
    host, port = client[0], client[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _target(scope: Scope) -> str:
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    query: bytes = scope.get("query_string", b"")
    return (raw + b"?" + query if query else raw).decode("latin-1")


def _escape(value: str) -> str:
    # A request line may carry quotes or bytes above ASCII; a text line must stay one
    # parseable line whatever the client sent.
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return value
    return json.dumps(value, ensure_ascii=True)[1:-1]


class _Clock:
    """ISO 8601 UTC timestamps, with the part up to the second formatted once a second."""

    def __init__(self) -> None:
        self.second = -1
        self.prefix = ""

    def __call__(self, when: float) -> str:
        second = int(when)
        if second != self.second:
            self.second = second
            self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self.prefix}.{int((when - second) * 1000):03d}Z"


class AccessLogWriter:
    """A bounded buffer of entries, formatted and written in batches."""

    def __init__(
        self,
        fmt: Format = "text",
        *,
        fd: int | None = None,
        max_lines: int = 256,
        flush_interval: float = 0.5,
    ) -> None:
        self.fd = sys.stdout.fileno() if fd is None else fd
        self.max_lines = max_lines
        self.flush_interval = flush_interval
        self.entries: list[Entry] = []
        self.timer: asyncio.TimerHandle | None = None
        self.clock = _Clock()
        self.line: Callable[[Entry], str] = self._json if fmt == "json" else self._text
        # Lines a request adds after lifespan shutdown (a server may run it while the
        # last answers' tasks are still unwinding) are written at exit: atexit for a
        # main or spawned process, a finalizer for one forked by multiprocessing (Granian's
        # workers), which leaves through os._exit.
        atexit.register(self.flush)
        multiprocessing.util.Finalize(self, self.flush, exitpriority=10)

    def add(self, entry: Entry) -> None:
        entries = self.entries
        entries.append(entry)
        if len(entries) >= self.max_lines:
            self.flush()
        elif len(entries) == 1:
            # One timer per batch, not per request: lines reach the log within
            # flush_interval even when no further request comes.
            self.timer = asyncio.get_running_loop().call_later(self.flush_interval, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.entries:
            return
        entries, self.entries = self.entries, []
        chunk: list[str] = []
        size = 0
        for entry in entries:
            line = self.line(entry)
            if chunk and size + len(line) > PIPE_BUF:
                self._write("".join(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        self._write("".join(chunk))

    def _write(self, text: str) -> None:
        data = memoryview(text.encode("utf-8", "backslashreplace"))
        while data:
            try:
                written = os.write(self.fd, data)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            except OSError:
                return  # the log's reader is gone; serving goes on
            data = data[written:]

    def _text(self, e: Entry) -> str:
        return (
            f'{self.clock(e[0])} {e[1]} "{e[2]} {_escape(e[3])} HTTP/{e[4]}" '
            f"{e[5]} {e[6]} {e[7] * 1000:.3f}ms\n"
        )

    def _json(self, e: Entry) -> str:
        record = {
            "time": self.clock(e[0]),
            "client": e[1],
            "method": e[2],
            "path": e[3],
            "http_version": e[4],
            "status": e[5],
            "bytes": e[6],
            "duration_ms": round(e[7] * 1000, 3),
        }
        return json.dumps(record, separators=(",", ":")) + "\n"


class AccessLog:
    """ASGI layer that records each HTTP request's outcome in an `AccessLogWriter`."""

    def __init__(self, app: ASGIApp, writer: AccessLogWriter) -> None:
        self.app = app
        self.writer = writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, self._flushing(send))
            else:
                await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0
        sent = 0
        logged = False

        def record() -> None:
            nonlocal logged
            logged = True
            self.writer.add(
                (
                    time.time(),
                    _client(scope),
                    scope["method"],
                    _target(scope),
                    scope.get("http_version", "1.1"),
                    status,
                    0 if scope["method"] == "HEAD" else sent,
                    time.perf_counter() - start,
                )
            )

        async def logged_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
                if not message.get("more_body", False):
                    # Recorded as the last part is handed over, not after: at shutdown a
                    # server may finish the answer and stop without resuming this task.
                    record()
            elif message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        except BaseException:
            status = status or 500  # what the server answers for an app that raised
            raise
        finally:
            if not logged:
                record()

    def _flushing(self, send: Send) -> Send:
        async def lifespan_send(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown"):
                self.writer.flush()
            await send(message)

        return lifespan_send
