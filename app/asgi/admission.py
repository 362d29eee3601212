"""Admission control: a bounded number of requests in the app, a bounded queue, then 503.

A burst of uncached requests must not become an unbounded queue of threads waiting for
connections: excess work is shed cheaply and the server stays responsive.

A request shed because the server is full is held for about `hold` seconds before its
503 goes out. Clients that retry at once on the same connection (load generators,
naive retry loops) otherwise turn the event loop into a 503 factory: it spends all its
time shedding, the admitted requests' threads get the interpreter lock in slivers and
overrun any deadline, and the health probe waits behind a thousand sheds. A held shed
costs one timer; the hold is jittered (half to one and a half times) so connections shed
in the same instant do not all come back in the same instant.
"""

import random

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from app.asgi.respond import COMMON, RETRY_AFTER_SECONDS, Headers
from app.errors import PROBLEM_MEDIA_TYPE, Problem, problem_type

# Built once: under a burst, shedding is most of what the server does, so it must cost
# next to nothing.
SHED_BODY = (
    Problem(
        type=problem_type(503),
        title="Service Unavailable",
        status=503,
        detail="The server is at capacity; retry after the time in Retry-After.",
    )
    .model_dump_json(exclude_none=True)
    .encode()
)
SHED_HEADERS: Headers = [
    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
    (b"content-length", str(len(SHED_BODY)).encode()),
    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    (b"cache-control", b"no-store"),
    *COMMON,
]


class Admission:
    def __init__(
        self, app: ASGIApp, *, limit: int, queue: int, timeout: float, hold: float = 0.0
    ) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.timeout = timeout
        self.hold = hold
        self._slots = anyio.Semaphore(limit)
        self.waiting = 0

    @property
    def busy(self) -> int:
        return self.limit - self._slots.value

    @property
    def saturated(self) -> bool:
        """Every slot taken and the queue full: a new request would be shed."""
        return self._slots.value == 0 and self.waiting >= self.queue

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.saturated:
            await self.shed(send)
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
            await self.refuse(send)  # it has waited its time already
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    async def shed(self, send: Send) -> None:
        """Answer a request the server has no room for, after the hold."""
        if self.hold > 0:
            await anyio.sleep(self.hold * random.uniform(0.5, 1.5))  # noqa: S311 (not a secret)
        await self.refuse(send)

    async def refuse(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": SHED_HEADERS})
        await send({"type": "http.response.body", "body": SHED_BODY})
