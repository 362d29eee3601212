"""Serve GETs as stored bytes keyed by (dataset version, canonical request).

Every GET answer is a pure function of the dataset version and the request,
so the first answer's bytes are kept with their ETag and later requests are
answered before FastAPI's routing and validation run. The typed FastAPI path
stays the only thing that decides what a response is; this remembers bytes.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_response

Headers = list[tuple[bytes, bytes]]
UNCACHED_PATHS = frozenset({"/healthz", "/readyz"})
MAX_QUERY_BYTES = 8 * 1024
MAX_QUERY_PARAMS = 200


@dataclass(frozen=True, slots=True)
class Entry:
    status: int
    headers: Headers
    body: bytes
    etag: bytes

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
    is seen everywhere within `interval` without a restart.
    """

    def __init__(self, read: Callable[[], int], interval: float) -> None:
        self._read = read
        self.interval = interval
        self._value = -1
        self._checked = float("-inf")

    async def get(self) -> int:
        now = time.monotonic()
        if now - self._checked >= self.interval:
            self._value = await anyio.to_thread.run_sync(self._read)
            self._checked = time.monotonic()
        return self._value


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
    def __init__(self, app: ASGIApp, *, clock: VersionClock, max_bytes: int, max_age: int) -> None:
        self.app = app
        self.clock = clock
        self.store = ByteLRU(max_bytes)
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if len(query) > MAX_QUERY_BYTES or query.count(b"&") >= MAX_QUERY_PARAMS:
            await problem_response(
                414,
                f"The query string is over {MAX_QUERY_BYTES} bytes or "
                f"{MAX_QUERY_PARAMS} parameters.",
            )(scope, receive, send)
            return
        if b"%00" in query.lower() or "\x00" in scope["path"]:
            await problem_response(400, "NUL characters are not allowed in a URL.")(
                scope, receive, send
            )
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        headers = dict(scope["headers"])
        if_none_match = headers.get(b"if-none-match")
        path: str = scope["path"]
        cacheable = path not in UNCACHED_PATHS
        # Only the dataset's answers depend on its version; docs and probes never
        # wait on the database.
        version = await self.clock.get() if path.startswith("/api/") else 0
        key = (version, path, canonical_query(query), headers.get(b"accept", b""))
        entry = self.store.get(key) if cacheable else None
        if entry is None:
            entry = await self._render({**scope, "method": "GET"}, receive, send, version)
            if entry is None:
                return  # not a 200: already sent as it was
            if cacheable:
                self.store.put(key, entry)
        control = self.cache_control if cacheable else b"no-store"
        await self._answer(entry, method == "HEAD", if_none_match, control, send)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, version: int
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

        await self.app(scope, receive, capture)
        if passthrough or not start:
            return None
        body = b"".join(chunks)
        etag = make_etag(version, body)
        kept = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"etag", b"cache-control")
        ]
        return Entry(status=200, headers=kept, body=body, etag=etag)

    async def _answer(
        self,
        entry: Entry,
        head: bool,
        if_none_match: bytes | None,
        cache_control: bytes,
        send: Send,
    ) -> None:
        common = [(b"etag", entry.etag), (b"cache-control", cache_control), (b"vary", b"Accept")]
        if if_none_match is not None and etag_matches(if_none_match, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [
            *entry.headers,
            *common,
            (b"content-length", str(len(entry.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else entry.body})
