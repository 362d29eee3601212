"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel import Session
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from app import __version__
from app.benchmarks.router import router as benchmarks_router
from app.benchmarks.service import kept_summary
from app.caching import ResponseCache, VersionClock
from app.catalogue.router import router as catalogue_router
from app.config import Settings, get_settings
from app.db import current_version, get_engine
from app.docs import install_docs
from app.enums import TestType
from app.errors import install_error_handlers, problem_response, problem_responses
from app.matrix.router import router as matrix_router
from app.recommendations.router import router as recommendations_router
from app.recommendations.service import ranking_snapshot

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


def read_version() -> int:
    with Session(get_engine()) as session:
        return current_version(session).version


def warm_derived() -> None:
    """Build what framework pages and recommendations draw on for a new dataset
    version, in the background, before requests ask for it."""
    with Session(get_engine()) as session:
        for test_type in TestType:
            kept_summary(session, test_type)
        ranking_snapshot(session)


class Atlas(FastAPI):
    """FastAPI behind its response cache: a stored answer runs no framework code at all."""

    cache: ResponseCache | None = None

    async def _framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    def put_cache_in_front(self, clock: VersionClock, max_bytes: int, max_age: int) -> None:
        self.cache = ResponseCache(
            self._framework, clock=clock, max_bytes=max_bytes, max_age=max_age
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cache is None:
            await self._framework(scope, receive, send)
        else:
            await self.cache(scope, receive, send)


def create_app(settings: Settings | None = None) -> Atlas:
    settings = settings or get_settings()
    clock = VersionClock(read_version, settings.version_check_interval, on_change=warm_derived)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
    )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(catalogue_router, prefix="/api/v1")
    app.include_router(benchmarks_router, prefix="/api/v1")
    app.include_router(matrix_router, prefix="/api/v1")
    app.include_router(recommendations_router, prefix="/api/v1")

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Process is alive",
        responses=problem_responses(400, 414, 500),
    )
    def healthz() -> dict[str, str]:
        """Answers as long as the process serves requests."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Database is reachable",
        responses=problem_responses(500)
        | {503: problem_responses(500)[500] | {"description": "Database unreachable"}},
    )
    def readyz() -> JSONResponse:
        """Answers 200 when the database answers a query, 503 otherwise."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means not ready
            return problem_response(503, "The database cannot be reached.")
        return JSONResponse({"status": "ready"})

    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD"],
        allow_credentials=False,
        expose_headers=["ETag", "Link"],
    )
    app.put_cache_in_front(
        clock,
        max_bytes=settings.cache_max_bytes,
        max_age=settings.cache_max_age,
    )
    return app


app = create_app()
