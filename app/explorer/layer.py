"""The explorer as an ASGI layer between the response cache and admission.

A page is stored by the cache like any answer (keyed by the dataset stamp and its URL, with
its ETag, 304s and compression). It holds no admission slot itself: it only waits for the
API answers it is built from, which are admitted, or served from the cache, on their own.
"""

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi.respond import COMMON
from app.db import READ_RECORD
from app.explorer import analysis, catalogue
from app.explorer.client import Api, Problem, Torn
from app.explorer.render import SECURITY_HEADERS, SERVED_ASSETS, Page
from app.version import NotReady, VersionClock

log = logging.getLogger("app.explorer")
Handler = Callable[[Api, Request], Awaitable[Page]]
PAGES: dict[str, Handler] = {
    "/": catalogue.home,
    "/compare": analysis.compare,
    "/matrix": analysis.matrix,
    "/benchmarks": analysis.benchmarks,
    "/recommend": analysis.recommend,
}
SLUG_PAGES: dict[str, Handler] = {
    "/frameworks/": catalogue.framework,
    "/sources/": catalogue.source,
}
ATTEMPTS = 3


def page_for(path: str) -> Handler | None:
    if path in PAGES:
        return PAGES[path]
    for prefix, handler in SLUG_PAGES.items():
        if path.startswith(prefix) and "/" not in path[len(prefix) :]:
            return handler
    return None


class Explorer:
    def __init__(self, app: ASGIApp, clock: VersionClock) -> None:
        self.app = app
        self.clock = clock
        # The layer the pages read the API through (the response cache), set once built.
        self.api: ASGIApp = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if path.startswith("/explorer-assets/"):
            await self._asset(path.removeprefix("/explorer-assets/"), scope, send)
            return
        handler = page_for(path)
        if handler is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            page = error_page(405, "Pages are read with GET.", "Method not allowed")
            page.headers.append((b"allow", b"GET, HEAD"))
        else:
            page = await self._page(handler, scope, receive)
        await _send(send, page.status, page.render(), b"text/html; charset=utf-8", page.headers)

    async def _page(self, handler: Handler, scope: Scope, receive: Receive) -> Page:
        request = Request(scope, receive)
        for _ in range(ATTEMPTS):
            try:
                current = await self.clock.get()
            except NotReady as exc:
                return unavailable(f"The dataset cannot be read yet: {exc}.")
            async with Api(self.api) as api:
                try:
                    page = await handler(api, request)
                except Torn:
                    continue  # a new dataset version landed mid-page: read it again, whole
                except Problem as problem:
                    return problem_page(problem)
            record = scope.get(READ_RECORD)
            if record is not None:
                record.stamp = api.stamp(current)
            return page
        return unavailable("The dataset is changing; try again in a moment.")

    async def _asset(self, name: str, scope: Scope, send: Send) -> None:
        asset = SERVED_ASSETS.get(name)
        if asset is None or scope["method"] not in ("GET", "HEAD"):
            body = error_page(404, "No such asset.", "Not found").render()
            await _send(send, 404, body, b"text/html; charset=utf-8", [])
            return
        await _send(send, 200, asset.body, asset.media_type.encode(), [])


def error_page(status: int, detail: str, title: str, suggestions: list[str] | None = None) -> Page:
    return Page(
        "error.html",
        {"status": status, "title": title, "detail": detail, "suggestions": suggestions or []},
        status=status,
    )


def unavailable(detail: str) -> Page:
    page = error_page(503, detail, "Not available right now")
    page.headers.append((b"retry-after", b"1"))
    return page


def problem_page(problem: Problem) -> Page:
    """The API's refusal, as a page: a miss stays a 404, a bad value is the page's 400."""
    if problem.status == 404:
        return error_page(404, problem.detail, "Not found", problem.suggestions)
    if problem.status == 503:
        return unavailable(problem.detail)
    if problem.status in (400, 422):
        errors = problem.body.get("errors") or []
        detail = "; ".join(str(e.get("detail")) for e in errors if isinstance(e, dict))
        return error_page(400, detail or problem.detail, "This page cannot show that")
    log.error("the API answered a page's read with %s: %s", problem.status, problem.detail)
    return error_page(502, "The page could not be built; the error was logged.", "Error")


async def _send(
    send: Send, status: int, body: bytes, media_type: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        (b"content-type", media_type),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *COMMON,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
