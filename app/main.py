"""The application factory."""

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app import __version__
from app.asgi.admission import Admission
from app.asgi.cache import ResponseCache
from app.asgi.guards import Guards
from app.asgi.respond import send_problem
from app.benchmarks.router import router as benchmarks_router
from app.benchmarks.service import kept_summary
from app.catalogue.router import router as catalogue_router
from app.config import Settings, get_settings
from app.db import OpenSession, Stamp, snapshot_session
from app.docs import install_docs
from app.enums import TestType
from app.errors import install_error_handlers
from app.explorer.layer import Explorer
from app.health import install_health
from app.index import router as index_router
from app.matrix.router import router as matrix_router
from app.params import canonical_slugs, document_conventions, list_parameters, strict_query
from app.recommendations.router import router as recommendations_router
from app.recommendations.snapshot import ranking_snapshot
from app.version import VersionClock, check

log = logging.getLogger("app.main")

DESCRIPTION = """
**Which web framework fits my project, and why?** Framework Atlas serves a
curated dataset about web frameworks (Flask, Django, FastAPI and their
peers) where every fact names its source.

A short tour:
* `GET /api/v1/frameworks/django`: one framework, whole, with its sources.
* `GET /api/v1/frameworks?supports=admin-panel`: frameworks with an admin panel.
* `GET /api/v1/features/websockets`: one capability across every framework.
* `GET /api/v1/use-cases`: the decision-matrix presets.

Lists page with `limit` and an opaque `cursor`. Errors are RFC 9457
`application/problem+json`. Every GET carries an `ETag` that includes the
dataset version; send it back in `If-None-Match` for a `304`.
"""

TAGS = [
    {"name": "frameworks", "description": "The catalogue: attributes, claims and support."},
    {"name": "features", "description": "Capabilities and their support across frameworks."},
    {"name": "sources", "description": "Where every fact comes from."},
    {"name": "use cases", "description": "Use cases and the presets behind recommendations."},
    {"name": "matrix", "description": "The feature matrix and side-by-side comparison."},
    {"name": "migrations", "description": "What moving between two frameworks gains and costs."},
    {"name": "recommendations", "description": "Ranked frameworks that explain themselves."},
    {"name": "benchmarks", "description": "Figures with provenance, reconciled across runs."},
    {"name": "dataset", "description": "Version, counts and the whole dataset."},
    {"name": "health", "description": "Liveness and readiness probes."},
]


def operation_id(route: APIRoute) -> str:
    # Stable ids fit for client generation: the function name, not the path.
    return route.name


class Atlas(FastAPI):
    """FastAPI behind the layers that answer without it.

    guards (limits, liveness, preflight) -> response cache (stored answers, negotiation,
    compression) -> explorer pages -> admission (bounded work, else 503) -> FastAPI.
    """

    open_session: OpenSession
    layers: ASGIApp | None = None
    admission: Admission | None = None
    cache: ResponseCache | None = None

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document_conventions(super().openapi())
        return super().openapi()

    async def _framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    def stack_layers(self, settings: Settings, clock: VersionClock) -> None:
        self.admission = Admission(
            self._framework,
            limit=settings.max_concurrency,
            queue=settings.max_queue,
            timeout=settings.queue_timeout,
            hold=settings.shed_hold,
        )
        # The explorer's pages sit between the cache and admission and read the API
        # through the cache: a page holds no slot while its reads are admitted.
        explorer = Explorer(self.admission, clock)
        self.cache = cache = ResponseCache(
            explorer,
            clock=clock,
            max_bytes=settings.cache_max_bytes,
            max_age=settings.cache_max_age,
            compress_min_bytes=settings.compress_min_bytes,
            admission=self.admission,
            list_params=list_parameters(self),
        )
        explorer.api = cache
        self.layers = Guards(cache, settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.layers is None or scope["type"] == "lifespan":
            await self._framework(scope, receive, send)
            return
        try:
            await self.layers(scope, receive, send)
        except Exception:
            # Never the server's text/plain 500: a problem, if nothing was sent yet.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            with contextlib.suppress(Exception):  # the response had started; the log has it
                await send_problem(
                    scope, receive, send, 500, "The server failed to answer; the error was logged."
                )


def create_app(
    settings: Settings | None = None, *, open_session: OpenSession | None = None
) -> Atlas:
    """The app; `open_session` opens the session every read and the version clock use."""
    settings = settings or get_settings()
    sessions = open_session or snapshot_session

    def read_stamp() -> Stamp:
        return check(sessions)

    def warm_derived() -> None:
        """Build what framework pages and recommendations draw on for a new dataset
        version, in the background, before requests ask for it."""
        with sessions() as session:
            for test_type in TestType:
                kept_summary(session, test_type)
            ranking_snapshot(session)

    clock = VersionClock(read_stamp, settings.version_check_interval, on_change=warm_derived)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every admitted request takes at most one worker thread at a time; the spare
        # tokens serve the version poll and the derived-data rebuild.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.max_concurrency + 2
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(clock.poll)
            yield
            tasks.cancel_scope.cancel()

    app = Atlas(
        lifespan=lifespan,
        title="Framework Atlas",
        version=__version__,
        summary="Which web framework fits my project, and why?",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        contact={"name": "Framework Atlas maintainers"},
        license_info={"name": "Code: MIT; data: CC-BY-4.0", "identifier": "MIT"},
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        # A redirect built from the request's Host header would point wherever a client says.
        redirect_slashes=False,
    )
    app.open_session = sessions
    install_error_handlers(app)
    install_docs(app)
    install_health(app, sessions)
    # Every operation keeps the same conventions: no unknown query parameter, one URL a slug.
    conventions = [Depends(canonical_slugs), Depends(strict_query)]
    routers = (index_router, catalogue_router, benchmarks_router, matrix_router)
    for router in (*routers, recommendations_router):
        app.include_router(router, dependencies=conventions)
    app.stack_layers(settings, clock)
    return app


app = create_app()
