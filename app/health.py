"""Liveness and readiness. `/healthz` is answered by the outermost layer (no thread, no
connection); its route here exists so the OpenAPI document describes it."""

import anyio
import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import JSONResponse, Response

from app.asgi.guards import HEALTHZ_BODY
from app.asgi.respond import RETRY_AFTER_SECONDS
from app.db import OpenSession
from app.errors import problem_response, problem_responses
from app.version import NotReady, check

READY_TIMEOUT = 2.0


def install_health(app: FastAPI, open_session: OpenSession) -> None:
    # Its own threads: readiness must be answerable while requests fill the default pool.
    limiter = anyio.CapacityLimiter(2)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Process is alive",
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> Response:
        """Answers as long as the process serves requests; needs no database."""
        return Response(HEALTHZ_BODY, media_type="application/json")

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Database is ready to serve the dataset",
        responses={
            200: {
                "content": {
                    "application/json": {"example": {"status": "ready", "dataset_version": 12}}
                }
            },
            503: problem_responses(503)[503]
            | {"description": "The database is unreachable, unmigrated or too slow"},
        },
    )
    async def readyz() -> Response:
        """200 once the schema is at the latest migration and the dataset version can be
        read; 503 with the reason (and the command that fixes it) otherwise."""
        try:
            with anyio.fail_after(READY_TIMEOUT):
                stamp = await anyio.to_thread.run_sync(check, open_session, limiter=limiter)
        except NotReady as exc:
            return _not_ready(str(exc))
        except TimeoutError:
            return _not_ready(f"the database did not answer within {READY_TIMEOUT:.0f} s")
        return JSONResponse(
            {"status": "ready", "dataset_id": stamp.dataset_id, "dataset_version": stamp.version},
            headers={"Cache-Control": "no-store"},
        )


def _not_ready(reason: str) -> Response:
    return problem_response(
        503,
        f"Not ready: {reason}.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
