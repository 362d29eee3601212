"""Serve GETs as stored bytes keyed by (dataset stamp, canonical request, representation).

Every GET answer is a pure function of the dataset and the request, so the first answer's
bytes are kept, compressed once per coding, each with its own strong ETag, and later
requests are answered before FastAPI's routing and validation run. The typed FastAPI path
stays the only thing that decides what a response is; this remembers bytes.
"""

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anyio
import anyio.to_thread
import brotli
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import negotiation
from app.asgi.admission import Admission
from app.asgi.respond import COMMON, Headers, send_problem, with_common_headers
from app.db import READ_RECORD, ReadRecord, Stamp
from app.params import canonical_query
from app.version import NotReady, VersionClock

UNCACHED_PATHS = frozenset({"/readyz"})
# What never changes with the data: the API docs, the OpenAPI document and assets whose
# names carry their content's hash. Everything else (the API, the explorer's pages) is
# keyed by the dataset stamp.
STATIC_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
STATIC_PREFIXES = ("/docs-assets/", "/explorer-assets/")
EMPTY: frozenset[str] = frozenset()
# Answers differ by representation (JSON or CSV) and by content coding.
VARY = b"Accept, Accept-Encoding"
STATIC = Stamp("static", 0)
# The stored answer's own headers win over these; negotiation is this layer's job.
DROPPED = frozenset({b"content-length", b"etag", b"cache-control", b"vary", b"content-encoding"})
Key = tuple[Stamp, str, str, str]
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    # Fixed mtime and quality: the same answer compresses to the same bytes every time.
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
    "br": lambda body: brotli.compress(body, quality=5),
}


@dataclass(frozen=True, slots=True)
class Variant:
    """One content coding of a stored answer, with its 200 and 304 header lists built once."""

    body: bytes
    etag: bytes
    headers: Headers
    not_modified: Headers


@dataclass(frozen=True, slots=True)
class Entry:
    variants: dict[str, Variant]
    size: int

    @classmethod
    def build(
        cls,
        bodies: dict[str, bytes],
        stamp: Stamp,
        kept: Headers,
        cache_control: bytes,
        key_size: int,
    ) -> "Entry":
        digest = hashlib.blake2b(bodies["identity"], digest_size=12).hexdigest()
        variants = {}
        for coding, body in bodies.items():
            suffix = "" if coding == "identity" else f".{coding}"
            etag = f'"{stamp.tag}-{digest}{suffix}"'.encode()
            common = [(b"etag", etag), (b"cache-control", cache_control), (b"vary", VARY)]
            encoded = [] if coding == "identity" else [(b"content-encoding", coding.encode())]
            variants[coding] = Variant(
                body=body,
                etag=etag,
                headers=[
                    *kept,
                    *common,
                    *encoded,
                    (b"content-length", str(len(body)).encode()),
                ],
                not_modified=[*common, *COMMON],
            )
        size = key_size + sum(
            len(v.body) + sum(len(k) + len(h) + 16 for k, h in [*v.headers, *v.not_modified])
            for v in variants.values()
        )
        return cls(variants=variants, size=size + 256)


class ByteLRU:
    """An LRU bounded by every byte its entries and keys hold, not by how many entries."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._items: OrderedDict[Key, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key) -> Entry | None:
        entry = self._items.get(key)
        if entry is not None:
            self._items.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry) -> None:
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


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    candidates = (c.strip().removeprefix(b"W/") for c in if_none_match.split(b","))
    return etag in candidates


def is_static(path: str) -> bool:
    return path in STATIC_PATHS or path.startswith(STATIC_PREFIXES)


class _Memo:
    """A small bounded memo for negotiation: clients send few distinct header values."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._values: dict[tuple[object, ...], object] = {}

    def get(self, key: tuple[object, ...], compute: Callable[[], object]) -> object:
        try:
            return self._values[key]
        except KeyError:
            value = compute()
            if len(self._values) >= self.limit:
                self._values.clear()
            self._values[key] = value
            return value


class ResponseCache:
    """Stored answers are sent before any framework code runs; misses render once."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        clock: VersionClock,
        max_bytes: int,
        max_age: int,
        compress_min_bytes: int,
        admission: Admission | None = None,
        list_params: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.app = app
        # Consulted before a miss does any work: a full server sheds it at once.
        self.admission = admission
        self.clock = clock
        self.store = ByteLRU(max_bytes)
        self.cache_control = f"public, max-age={max_age}".encode()
        self.compress_min = compress_min_bytes
        self._memo = _Memo()
        # Path -> its list parameters, whose `a,b` and `x=a&x=b` forms share one entry.
        self.list_params = list_params or {}
        self._compressing = anyio.CapacityLimiter(2)
        # Requests that missed and wait for the one render already under way.
        self._pending: dict[Key, anyio.Event] = {}

    def _media_type(self, path: str, accept: Sequence[bytes]) -> str | None:
        offered = negotiation.offered_for(path)
        memo_key = (path, *accept) if len(offered) > 1 else (offered, *accept)
        value = self._memo.get(memo_key, lambda: negotiation.media_type(accept, offered))
        return value if isinstance(value, str) else None

    def _coding(self, accept_encoding: Sequence[bytes]) -> str:
        value = self._memo.get(
            ("coding", *accept_encoding), lambda: negotiation.coding(accept_encoding)
        )
        return value if isinstance(value, str) else "identity"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/api/")
        if_none_match = None
        accept: list[bytes] = []
        accept_encoding: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value
            elif name == b"accept":
                accept.append(value)
            elif name == b"accept-encoding":
                accept_encoding.append(value)
        media_type = self._media_type(path, accept) if api else "*/*"
        if media_type is None:
            offered = " or ".join(negotiation.offered_for(path))
            await send_problem(
                scope,
                receive,
                send,
                406,
                f"{path} is served as {offered}; the request's Accept allows none of them.",
            )
            return
        coding = self._coding(accept_encoding)
        method = scope["method"]
        if method not in ("GET", "HEAD") or path in UNCACHED_PATHS:
            await self._uncached(scope, receive, send, media_type, coding)
            return
        try:
            # Docs and assets never wait on the database; everything else depends on it.
            stamp = STATIC if is_static(path) else await self.clock.get()
        except NotReady as exc:
            await send_problem(scope, receive, send, 503, f"Not ready: {exc}.", retry=True)
            return
        query: bytes = scope["query_string"]
        # One parameter has no order to normalise, and a list's canonical form is its comma
        # form: the raw query is a key as good.
        if b"&" in query:
            normal = canonical_query(query, self.list_params.get(path, EMPTY))
        else:
            normal = query.decode("latin-1")
        key = (stamp, path, normal, media_type)
        entry = self.store.get(key)
        if entry is None:
            if self.admission is not None and self.admission.saturated:
                await self.admission.shed(send)
                return
            entry = await self._fill(key, scope, receive, send)
        if entry is None:
            return  # not a 200: already sent as it was
        variant = entry.variants.get(coding) or entry.variants["identity"]
        if if_none_match is not None and etag_matches(if_none_match, variant.etag):
            await send(
                {"type": "http.response.start", "status": 304, "headers": variant.not_modified}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": variant.headers})
        await send(
            {"type": "http.response.body", "body": b"" if method == "HEAD" else variant.body}
        )

    async def _fill(self, key: Key, scope: Scope, receive: Receive, send: Send) -> Entry | None:
        """Render once per key however many requests miss at the same moment."""
        pending = self._pending.get(key)
        if pending is not None:
            await pending.wait()
            entry = self.store.get(key)
            if entry is not None:
                return entry
            # That render was not a 200 or too big to keep: answer this one on its own.
            return await self._render(key, scope, receive, send)
        self._pending[key] = anyio.Event()
        try:
            return await self._render(key, scope, receive, send)
        finally:
            self._pending.pop(key).set()

    def _inner_scope(self, scope: Scope, media_type: str, method: str) -> Scope:
        """The request as the app sees it: the negotiated type as its only Accept, no
        conditional or coding headers (this layer answers those), a place for its stamp."""
        headers = [
            (k, v)
            for k, v in scope["headers"]
            if k not in (b"accept", b"accept-encoding", b"if-none-match")
        ]
        if media_type != "*/*":
            headers.append((b"accept", media_type.encode()))
        return {**scope, "method": method, "headers": headers, READ_RECORD: ReadRecord()}

    async def _render(self, key: Key, scope: Scope, receive: Receive, send: Send) -> Entry | None:
        stamp, path, _query, media_type = key
        inner = self._inner_scope(scope, media_type, "GET")
        start, body = await self._capture(inner, receive)
        if start["status"] != 200:
            await self._send(start, body, scope, send, "identity")
            return None
        # Stored under the snapshot it was read from, which may be newer than the clock's.
        read: Stamp | None = inner[READ_RECORD].stamp
        if read is not None and read != stamp:
            stamp, key = read, (read, *key[1:])
        kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED]
        bodies = await self._encode(body)
        key_size = len(path) + len(key[2]) + len(media_type) + 64
        entry = Entry.build(bodies, stamp, kept, self.cache_control, key_size)
        self.store.put(key, entry)
        return entry

    async def _uncached(
        self, scope: Scope, receive: Receive, send: Send, media_type: str, coding: str
    ) -> None:
        inner = self._inner_scope(scope, media_type, scope["method"])
        start, body = await self._capture(inner, receive)
        await self._send(start, body, scope, send, coding)

    async def _capture(self, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
        start: Message = {"type": "http.response.start", "status": 500, "headers": []}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, with_common_headers(capture))
        return start, b"".join(chunks)

    async def _encode(
        self, body: bytes, codings: Sequence[str] = tuple(COMPRESSORS)
    ) -> dict[str, bytes]:
        """The answer in each coding worth sending, compressed off the event loop."""
        bodies = {"identity": body}
        if len(body) < self.compress_min:
            return bodies

        def compress() -> None:
            for coding in codings:
                packed = COMPRESSORS[coding](body)
                if len(packed) < len(body):
                    bodies[coding] = packed

        await anyio.to_thread.run_sync(compress, limiter=self._compressing)
        return bodies

    async def _send(
        self, start: Message, body: bytes, scope: Scope, send: Send, coding: str
    ) -> None:
        headers: Headers = list(start.get("headers", []))
        if coding != "identity" and len(body) >= self.compress_min:
            bodies = await self._encode(body, (coding,))
            if coding in bodies:
                body = bodies[coding]
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers += [
                    (b"content-encoding", coding.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"vary", VARY),
                ]
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
