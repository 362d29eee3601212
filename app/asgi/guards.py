"""The first layer a request meets: limits on what a client may send, the liveness probe,
and CORS preflights. Nothing here needs a thread or a database connection."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi.respond import COMMON, Headers, send_problem
from app.config import Settings

MAX_PATH_BYTES = 2 * 1024
MAX_QUERY_BYTES = 8 * 1024
MAX_QUERY_PARAMS = 200
JSON_TYPES = ("application/json",)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
ALLOWED_METHODS = b"GET, HEAD, POST"
# What a page needs to send: conditional GETs and JSON bodies (plus the safelisted ones).
ALLOWED_HEADERS = b"Accept, Accept-Language, Content-Language, Content-Type, If-None-Match"

HEALTHZ_BODY = b'{"status":"ok"}'
HEALTHZ: Headers = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(HEALTHZ_BODY)).encode()),
    (b"cache-control", b"no-store"),
    *COMMON,
]
PREFLIGHT: Headers = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", ALLOWED_METHODS),
    (b"access-control-allow-headers", ALLOWED_HEADERS),
    (b"access-control-max-age", b"600"),
    (b"x-content-type-options", b"nosniff"),
    (b"content-length", b"0"),
]


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";")[0].strip().lower().decode("latin-1")
    return media in JSON_TYPES or media.endswith("+json")


class Guards:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_header = settings.max_header_bytes
        self.max_headers = settings.max_headers_bytes
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        total = 0
        content_length: bytes | None = None
        content_type = b""
        chunked = preflight = False
        for name, value in scope["headers"]:
            size = len(name) + len(value)
            total += size
            if size > self.max_header:
                await send_problem(
                    scope,
                    receive,
                    send,
                    431,
                    f"The {name.decode('latin-1')[:60]} header is {size} bytes; "
                    f"at most {self.max_header} are accepted.",
                )
                return
            if name == b"content-length":
                content_length = value
            elif name == b"content-type":
                content_type = value
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"access-control-request-method":
                preflight = True
        if total > self.max_headers:
            await send_problem(
                scope,
                receive,
                send,
                431,
                f"The request's headers are {total} bytes in all; "
                f"at most {self.max_headers} are accepted.",
            )
            return
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        if len(path) > MAX_PATH_BYTES:
            detail = f"The path is {len(path)} bytes; at most {MAX_PATH_BYTES} are accepted."
            await send_problem(scope, receive, send, 414, detail)
            return
        if len(query) > MAX_QUERY_BYTES or query.count(b"&") >= MAX_QUERY_PARAMS:
            detail = (
                f"The query string is over {MAX_QUERY_BYTES} bytes or "
                f"{MAX_QUERY_PARAMS} parameters."
            )
            await send_problem(scope, receive, send, 414, detail)
            return
        if "\x00" in path or b"%00" in query.lower():
            await send_problem(
                scope, receive, send, 400, "NUL characters are not allowed in a URL."
            )
            return
        method: str = scope["method"]
        if path == "/healthz" and method in ("GET", "HEAD"):
            await send({"type": "http.response.start", "status": 200, "headers": HEALTHZ})
            await send({"type": "http.response.body", "body": HEALTHZ_BODY})
            return
        if method == "OPTIONS" and preflight:
            await send({"type": "http.response.start", "status": 204, "headers": PREFLIGHT})
            await send({"type": "http.response.body", "body": b""})
            return
        if method in BODY_METHODS:
            await self._with_body(scope, receive, send, content_length, content_type, chunked)
            return
        await self.app(scope, receive, send)

    async def _with_body(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        content_length: bytes | None,
        content_type: bytes,
        chunked: bool,
    ) -> None:
        try:
            declared = int(content_length) if content_length is not None else None
        except ValueError:
            await send_problem(scope, receive, send, 400, "Content-Length is not a number.")
            return
        if declared is not None and declared > self.max_body:
            await self._too_large(scope, receive, send)
            return
        has_body = chunked or bool(declared)
        if has_body and not _is_json(content_type):
            shown = content_type.decode("latin-1")[:80] or "none"
            await send_problem(
                scope,
                receive,
                send,
                415,
                f"Request bodies are application/json; this one is {shown}.",
            )
            return
        # Read at most max_body bytes ahead, so a chunked body can never grow memory.
        chunks: list[bytes] = []
        size = 0
        more = has_body
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_problem(
            scope,
            receive,
            send,
            413,
            f"The request body is over {self.max_body} bytes.",
            headers={"Connection": "close"},
        )
