"""`fwatlas serve`: the served ASGI object and the servers that can run it.

Every server runs the same object, `served_app()`: the proxy-header layer (the
client address is taken from `X-Forwarded-For` only when the connection comes
from `forwarded_allow_ips`), then the access log, then the application with its
response cache. The servers' own access logs stay off. Options reach worker
processes as `FWATLAS_*` environment variables, which the settings read.
"""

import asyncio
import gc
from typing import Any, Literal, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings

Server = Literal["granian", "uvicorn", "uvicorn-h11"]
SERVERS: tuple[Server, ...] = ("granian", "uvicorn", "uvicorn-h11")
TARGET = "app.serve:served_app"


def served_app() -> ASGIApp:
    """The factory every worker calls: the application behind its outermost layers."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from app.asgi.access_log import AccessLog, AccessLogWriter
    from app.main import app

    settings = get_settings()
    served: ASGIApp = without_pathsend(app)
    if settings.access_log:
        served = AccessLog(served, AccessLogWriter(settings.access_log_format))
    trusted = [h.strip() for h in settings.forwarded_allow_ips.split(",") if h.strip()]
    outer = cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, served), trusted_hosts=trusted))
    # What start-up built (modules, models, routes: ~150k objects) lives as long as the
    # process. Left in the collector's oldest generation, every full collection walks it:
    # 80 to 100 ms with the event loop stopped, which is what the health probe waited
    # on under load. Frozen, a full collection walks only what requests keep.
    gc.collect()
    gc.freeze()
    return outer


def without_pathsend(app: ASGIApp) -> ASGIApp:
    """Hide the server's `http.response.pathsend` extension from the app.

    Granian offers it, and Starlette's FileResponse (the docs' scripts and styles)
    then hands over a file path instead of body messages; the response cache,
    which stores what it sees in body messages, would store and send an empty
    body. Without the extension Starlette sends the file as body messages, as it
    does under Uvicorn.
    """

    async def plain_bodies(scope: Scope, receive: Receive, send: Send) -> None:
        extensions = scope.get("extensions")
        if extensions and "http.response.pathsend" in extensions:
            scope = {**scope, "extensions": {**extensions}}
            del scope["extensions"]["http.response.pathsend"]
        await app(scope, receive, send)

    return plain_bodies


class _HeaderDeadline:
    """Close a connection whose request line and headers are not all in within
    `header_timeout` of the server waiting for them.

    Uvicorn only times out a connection that is idle after a response: one that
    never sends a request, or stalls halfway through its headers, stays open for
    ever. A timer runs from the connection's start, and from the first byte of
    each later request, until that request's headers are parsed (the protocol
    then starts a new request cycle).
    """

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        between_requests = before is None or before.response_complete
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not before:
            self._disarm()
        elif between_requests and self._deadline is None:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(get_settings().header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class HttpToolsWithDeadline(_HeaderDeadline, HttpToolsProtocol):
    pass


class H11WithDeadline(_HeaderDeadline, H11Protocol):
    pass


# Granian logs to stdout by default; stdout is the access log's.
STDERR_LOGGING = {
    "handlers": {
        handler: {"formatter": fmt, "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
        for handler, fmt in (("console", "generic"), ("access", "access"))
    }
}


def run(settings: Settings, *, reload: bool = False, target: str = TARGET) -> None:
    """Serve `target` (an ASGI app factory, `served_app()` unless a benchmark names
    another) with the server the settings name; returns once it stops."""
    if settings.server == "granian":
        _granian(settings, reload, target)
    else:
        _uvicorn(settings, reload, target)


def _uvicorn(settings: Settings, reload: bool, target: str) -> None:
    import uvicorn

    protocol = H11WithDeadline if settings.server == "uvicorn-h11" else HttpToolsWithDeadline
    uvicorn.run(
        target,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        reload=reload,
        http=protocol,
        access_log=False,
        # The proxy-header layer is in served_app(), the same for every server.
        proxy_headers=False,
        timeout_keep_alive=settings.keepalive_timeout,
        timeout_graceful_shutdown=settings.graceful_timeout,
        # A spawned worker answers the supervisor's pings only once it has imported
        # everything; on a busy host that took over the default 5 s, and the supervisor
        # kept killing and respawning workers that were merely starting.
        timeout_worker_healthcheck=30,
        log_level=settings.server_log_level,
    )


def _granian(settings: Settings, reload: bool, target: str) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    # Granian (hyper) has one timer for both waits: from the moment it awaits a
    # request head (a new connection, or an idle keep-alive one) until the head is in.
    # The longer of the two settings keeps slow clients' headers working.
    head_timeout = max(settings.keepalive_timeout, settings.header_timeout)
    Granian(
        target,
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=head_timeout * 1000),
        websockets=False,
        log_access=False,
        log_level=LogLevels(settings.server_log_level),
        log_dictconfig=STDERR_LOGGING,
        workers_kill_timeout=settings.graceful_timeout,
        reload=reload,
    ).serve()
