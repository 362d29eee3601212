"""What every answer carries, and the problems the outer layers send themselves."""

from starlette.types import Message, Receive, Scope, Send

from app.errors import problem_response

Headers = list[tuple[bytes, bytes]]

# Public reads for any page on any origin (no credentials), and no MIME sniffing: fixed
# values, so they are baked into stored answers and cost nothing per request.
COMMON: Headers = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Link, Retry-After, Content-Disposition"),
    (b"x-content-type-options", b"nosniff"),
]
_COMMON_NAMES = frozenset(name for name, _ in COMMON)
RETRY_AFTER_SECONDS = 1


def with_common_headers(send: Send) -> Send:
    """`send`, adding the common headers to a response that lacks them."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: Headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers} & _COMMON_NAMES
            headers.extend(h for h in COMMON if h[0] not in present)
            message = {**message, "headers": headers}
        await send(message)

    return sender


async def send_problem(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    *,
    retry: bool = False,
    headers: dict[str, str] | None = None,
) -> None:
    extra = {name.decode(): value.decode() for name, value in COMMON} | (headers or {})
    if retry:
        extra["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response = problem_response(status, detail, instance=scope.get("path"), headers=extra)
    await response(scope, receive, send)
