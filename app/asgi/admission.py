"""Admission control: a bounded number of requests in the app, a bounded queue, then 503.

A burst of uncached requests must not become an unbounded queue of threads waiting for
connections: excess work is shed at once, cheaply, and the server stays responsive.
"""

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi.respond import send_problem


class Admission:
    def __init__(self, app: ASGIApp, *, limit: int, queue: int, timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.timeout = timeout
        self._slots = anyio.Semaphore(limit)
        self.waiting = 0

    @property
    def busy(self) -> int:
        return self.limit - self._slots.value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._slots.value == 0 and self.waiting >= self.queue:
            await self._shed(scope, receive, send)
            return
        acquired = False
        self.waiting += 1
        try:
            with anyio.move_on_after(self.timeout):
                await self._slots.acquire()
                acquired = True
        finally:
            self.waiting -= 1
        if not acquired:
            await self._shed(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def _shed(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_problem(
            scope,
            receive,
            send,
            503,
            "The server is at capacity; retry after the time in Retry-After.",
            retry=True,
        )
