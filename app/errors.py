"""RFC 9457 problem details: one error type, one renderer, one handler per kind."""

import logging
import re
import time
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("app.errors")
_quiet_until = [0.0]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://framework-atlas.dev/problems/"


class ProblemError(BaseModel):
    pointer: str = Field(description="Where the problem is: `/query/limit`, `/body/priorities`.")
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem details document."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "type": PROBLEM_BASE + "validation-error",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "1 invalid value in the request.",
                "errors": [{"pointer": "/query/limit", "detail": "must be at most 100"}],
            }
        }
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError] | None = None


class AppError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        errors: Sequence[ProblemError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.errors = list(errors) if errors else None
        self.headers = headers


def not_found(kind: str, slug: str) -> AppError:
    return AppError(404, f"No {kind} has the slug '{slug}'.", slug="not-found")


def invalid(pointer: str, detail: str) -> AppError:
    return AppError(
        422, detail, slug="validation-error", errors=[ProblemError(pointer=pointer, detail=detail)]
    )


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


def problem_type(status: int, slug: str | None = None) -> str:
    return PROBLEM_BASE + (slug or _phrase(status).lower().replace(" ", "-").replace("'", ""))


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: Sequence[ProblemError] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(status, slug),
        title=_phrase(status),
        status=status,
        detail=detail,
        instance=instance,
        errors=list(errors) if errors else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _pointer(loc: Sequence[int | str]) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc)


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "invalid value"))
    # Pydantic prefixes custom errors with "Value error, "; the pointer says where.
    return msg.removeprefix("Value error, ")


def validation_problem(errors: Sequence[dict[str, Any]]) -> JSONResponse:
    items = [ProblemError(pointer=_pointer(e.get("loc", ())), detail=_message(e)) for e in errors]
    count = len(items)
    summary = "; ".join(f"{i.pointer}: {i.detail}" for i in items[:3])
    detail = f"{count} invalid value{'s' if count != 1 else ''} in the request: {summary}"
    return problem_response(422, detail, slug="validation-error", errors=items)


def documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the path template matching `path`."""
    for template, item in app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return sorted(method.upper() for method in item)
    return []


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            slug=exc.slug,
            errors=exc.errors,
            instance=request.url.path,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        if exc.status_code == 404 and path != "/" and path.endswith("/"):
            canonical = path.rstrip("/")
            if documented_methods(request.app, canonical):
                # Relative: a Location built from the Host header points wherever a client says.
                query = request.url.query
                return RedirectResponse(canonical + (f"?{query}" if query else ""), 308)
        if exc.status_code == 404:
            detail = f"Nothing is served at {request.url.path}."
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
            # One path can be served by several routes (GET and POST): allow them all.
            allowed = documented_methods(request.app, request.url.path)
            if allowed:
                exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed)}
        else:
            detail = str(exc.detail)
        return problem_response(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(TimeoutError)
    async def _database_away(request: Request, exc: DBAPIError | TimeoutError) -> JSONResponse:
        # Unreachable, locked or not migrated: nothing the client did; worth a retry. Said
        # at most every few seconds: a database that is gone fails every request at once.
        now = time.monotonic()
        if now >= _quiet_until[0]:
            _quiet_until[0] = now + 10.0
            log.warning("database unavailable (%s on %s)", exc, request.url.path)
        return problem_response(
            503,
            "The database cannot serve this request right now; retry after the time in "
            "Retry-After.",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "The server failed to answer; the error was logged.")


# What any API operation can answer, whatever its parameters.
COMMON_PROBLEMS = (400, 406, 414, 422, 431, 500, 503)

PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem responses an operation can give."""
    descriptions = {
        400: "Bad request",
        404: "Not found",
        406: "The requested media type cannot be produced",
        413: "Request body too large",
        414: "URI too long",
        415: "The request body is not JSON",
        422: "Invalid input: `errors` names each invalid value",
        431: "Request headers too large",
        500: "Server error",
        503: "Not ready or at capacity: retry after the time in `Retry-After`",
    }
    return {
        status: {"model": Problem, "description": descriptions[status], "content": PROBLEM_CONTENT}
        for status in statuses
    }
