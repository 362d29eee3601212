"""Serve GETs as stored bytes keyed by (dataset version, canonical request).

Every GET answer is a pure function of the dataset version and the request,
so the first answer's bytes are kept with their ETag and later requests are
answered before FastAPI's routing and validation run. The typed FastAPI path
stays the only thing that decides what a response is; this remembers bytes.
"""

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_response

logger = logging.getLogger(__name__)
Headers = list[tuple[bytes, bytes]]
UNCACHED_PATHS = frozenset({"/healthz", "/readyz"})
# Answers differ by Accept (CSV or JSON) and by Origin (CORS headers).
VARY = b"Accept, Origin"
MAX_QUERY_BYTES = 8 * 1024
MAX_QUERY_PARAMS = 200


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored answer, with the header lists for a 200 and a 304 built once."""

    body: bytes
    etag: bytes
    headers: Headers
    not_modified: Headers

    @classmethod
    def build(cls, body: bytes, etag: bytes, kept: Headers, cache_control: bytes) -> "Entry":
        common = [(b"etag", etag), (b"cache-control", cache_control), (b"vary", VARY)]
        cors = [(k, v) for k, v in kept if k.startswith(b"access-control-")]
        return cls(
            body=body,
            etag=etag,
            headers=[*kept, *common, (b"content-length", str(len(body)).encode())],
            not_modified=[*common, *cors],
        )

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


class ByteLRU:
    """An LRU bounded by the bytes it holds, not by how many entries."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._items: OrderedDict[tuple[object, ...], Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[object, ...]) -> Entry | None:
        entry = self._items.get(key)
        if entry is not None:
            self._items.move_to_end(key)
        return entry

    def put(self, key: tuple[object, ...], entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one huge body must not evict everything else
        old = self._items.pop(key, None)
        if old is not None:
            self.used -= old.size
        self._items[key] = entry
        self.used += entry.size
        while self.used > self.max_bytes:
            _, evicted = self._items.popitem(last=False)
            self.used -= evicted.size

    def clear(self) -> None:
        self._items.clear()
        self.used = 0


class VersionClock:
    """The dataset version, read from the database at most once per `interval` seconds.

    Each worker and replica polls the shared database, so a change made anywhere
    is seen everywhere within `interval` without a restart. While `poll()` runs
    (for the app's lifetime) requests never wait on that read, and `on_change`
    rebuilds what depends on the whole dataset before requests need it.
    """

    def __init__(
        self,
        read: Callable[[], int],
        interval: float,
        on_change: Callable[[], object] | None = None,
    ) -> None:
        self._read = read
        self.interval = interval
        self.on_change = on_change
        self._value = -1
        self._due = float("-inf")
        self._polling = False

    async def get(self) -> int:
        if self._polling and self._value >= 0:
            return self._value
        if time.monotonic() >= self._due:
            # Taken before the read: a change committed during it is seen next time.
            due = time.monotonic() + self.interval
            self._value = await anyio.to_thread.run_sync(self._read)
            self._due = due
        return self._value

    async def poll(self) -> None:
        """Re-read the version every `interval` until cancelled (not at all for 0)."""
        if self.interval <= 0:
            return
        self._polling = True
        try:
            while True:
                try:
                    await self._refresh()
                except Exception:  # the database may be briefly away: keep the last version
                    logger.exception("cannot read the dataset version")
                await anyio.sleep(self.interval)
        finally:
            self._polling = False

    async def _refresh(self) -> None:
        value = await anyio.to_thread.run_sync(self._read)
        if value != self._value:
            self._value = value
            if self.on_change is not None:
                await anyio.to_thread.run_sync(self.on_change)


def make_etag(version: int, body: bytes) -> bytes:
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    return f'"v{version}-{digest}"'.encode()


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    candidates = (c.strip().removeprefix(b"W/") for c in if_none_match.split(b","))
    return etag in candidates


def canonical_query(query_string: bytes) -> str:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    # A stable sort by name keeps the order of repeated values, which can matter.
    return urlencode(sorted(pairs, key=lambda kv: kv[0]))


class ResponseCache:
    """Outermost ASGI layer: stored answers are sent before any framework code runs."""

    def __init__(self, app: ASGIApp, *, clock: VersionClock, max_bytes: int, max_age: int) -> None:
        self.app = app
        self.clock = clock
        self.store = ByteLRU(max_bytes)
        self.cache_control = f"public, max-age={max_age}".encode()
        # Requests that missed and wait for the one render already under way.
        self._pending: dict[tuple[object, ...], anyio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope["query_string"]
        if len(query) > MAX_QUERY_BYTES or query.count(b"&") >= MAX_QUERY_PARAMS:
            await problem_response(
                414,
                f"The query string is over {MAX_QUERY_BYTES} bytes or "
                f"{MAX_QUERY_PARAMS} parameters.",
            )(scope, receive, send)
            return
        path: str = scope["path"]
        if b"%00" in query.lower() or "\x00" in path:
            await problem_response(400, "NUL characters are not allowed in a URL.")(
                scope, receive, send
            )
            return
        method = scope["method"]
        if method != "GET" and method != "HEAD":
            await self.app(scope, receive, send)
            return

        if_none_match = None
        accept = b"*/*"  # no Accept header means any type (RFC 9110, 12.5.1)
        cross_origin = False  # CORS headers are added to cross-origin answers only
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
            elif name == b"accept":
                accept = value
            elif name == b"origin":
                cross_origin = True
        if path in UNCACHED_PATHS:
            entry = await self._render(scope, receive, send, 0, b"no-store")
        else:
            # Only the dataset's answers depend on its version; docs never wait on the database.
            version = await self.clock.get() if path.startswith("/api/") else 0
            # One parameter has no order to normalise: its raw form is a key as good.
            normal = canonical_query(query) if b"&" in query else query.decode("latin-1")
            key = (version, path, normal, accept, cross_origin)
            entry = self.store.get(key) or await self._fill(key, scope, receive, send, version)
        if entry is None:
            return  # not a 200: already sent as it was
        if if_none_match is not None and etag_matches(if_none_match, entry.etag):
            await send(
                {"type": "http.response.start", "status": 304, "headers": entry.not_modified}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else entry.body})

    async def _fill(
        self, key: tuple[object, ...], scope: Scope, receive: Receive, send: Send, version: int
    ) -> Entry | None:
        """Render once per key however many requests miss at the same moment."""
        pending = self._pending.get(key)
        if pending is not None:
            await pending.wait()
            entry = self.store.get(key)
            if entry is not None:
                return entry
            # That render was not a 200 or too big to keep: answer this one on its own.
            return await self._render(scope, receive, send, version, self.cache_control)
        self._pending[key] = anyio.Event()
        try:
            entry = await self._render(scope, receive, send, version, self.cache_control)
            if entry is not None:
                self.store.put(key, entry)
            return entry
        finally:
            self._pending.pop(key).set()

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, version: int, cache_control: bytes
    ) -> Entry | None:
        start: Message = {}
        chunks: list[bytes] = []
        passthrough = False

        async def capture(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                start = message
                passthrough = message["status"] != 200
                if passthrough:
                    await send(message)
            elif passthrough:
                await send(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app({**scope, "method": "GET"}, receive, capture)
        if passthrough or not start:
            return None
        body = b"".join(chunks)
        kept = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"etag", b"cache-control", b"vary")
        ]
        return Entry.build(body, make_etag(version, body), kept, cache_control)
