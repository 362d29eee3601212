"""RFC 9457 problem details: one error type, one renderer, one handler per kind."""

import difflib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
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
    suggestions: list[str] | None = Field(
        default=None, description="The closest known values, where a value names nothing."
    )


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
    suggestions: list[str] | None = Field(
        default=None,
        description="The closest known slugs or names, where the request named an unknown one.",
    )


class AppError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        errors: Sequence[ProblemError] | None = None,
        headers: dict[str, str] | None = None,
        suggestions: Sequence[str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.suggestions = list(suggestions) if suggestions else None


def closest(wanted: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names nearest to a miss, for "did you mean ...?"."""
    choices = list(known)
    lowered = wanted.lower()
    exact = [c for c in choices if c.lower() == lowered]
    return exact or difflib.get_close_matches(lowered, choices, n=n, cutoff=0.6)


def did_you_mean(suggestions: Sequence[str]) -> str:
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?)"


# A well-formed value that names nothing in the dataset (an unknown slug, a cursor this API
# never gave out): the schema cannot know the dataset, so this 422 is its own problem type.
UNKNOWN_VALUE = "unknown-value"


def not_found(kind: str, slug: str, known: Iterable[str] = ()) -> AppError:
    near = closest(slug, known)
    return AppError(
        404,
        f"No {kind} has the slug '{slug}'{did_you_mean(near)}.",
        slug="not-found",
        suggestions=near,
    )


def unknown_values(
    pointer: str,
    wanted: Sequence[str],
    known: Iterable[str],
    kind: str,
    everything: Callable[[], Iterable[str]] | None = None,
) -> None:
    """A 422 naming every unknown value, each with the closest known ones: list parameters
    never drop values silently. `known` may be just the values found; `everything` then
    gives all of them, read only on a miss, to suggest from."""
    known_set = set(known)
    unknown = [w for w in dict.fromkeys(wanted) if w not in known_set]
    if not unknown:
        return
    choices = set(everything()) if everything is not None else known_set
    near = {u: closest(u, choices) for u in unknown}
    names = ", ".join(f"'{u}'{did_you_mean(near[u])}" for u in unknown)
    detail = f"unknown {kind}{'s' if len(unknown) > 1 else ''}: {names}"
    raise AppError(
        422,
        detail,
        slug=UNKNOWN_VALUE,
        errors=[
            ProblemError(
                pointer=pointer,
                detail=detail,
                suggestions=[s for u in unknown for s in near[u]] or None,
            )
        ],
        suggestions=[s for u in unknown for s in near[u]],
    )


class Redirect(Exception):
    """Answer with a permanent redirect to the canonical form of the request's URL."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def invalid(pointer: str, detail: str) -> AppError:
    return AppError(
        422, detail, slug="validation-error", errors=[ProblemError(pointer=pointer, detail=detail)]
    )


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"


def problem_type(status: int, slug: str | None = None) -> str:
    return PROBLEM_BASE + (slug or _phrase(status).lower().replace(" ", "-").replace("'", ""))


def unknown(pointer: str, detail: str) -> AppError:
    return AppError(
        422, detail, slug=UNKNOWN_VALUE, errors=[ProblemError(pointer=pointer, detail=detail)]
    )


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: Sequence[ProblemError] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    suggestions: Sequence[str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(status, slug),
        title=_phrase(status),
        status=status,
        detail=detail,
        instance=instance,
        errors=list(errors) if errors else None,
        suggestions=list(suggestions) if suggestions else None,
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
            suggestions=exc.suggestions,
        )

    @app.exception_handler(Redirect)
    async def _redirect(request: Request, exc: Redirect) -> Response:
        # Relative: a Location built from the Host header points wherever a client says.
        query = request.url.query
        return RedirectResponse(exc.path + (f"?{query}" if query else ""), 308)

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
        422: (
            "Invalid input: `errors` names each invalid value. Type `validation-error`: "
            "the request breaks this schema; type `unknown-value`: a well-formed value names "
            "nothing in the dataset (an unknown slug, with `suggestions`, or a cursor this "
            "API did not give out)"
        ),
        431: "Request headers too large",
        500: "Server error",
        503: "Not ready or at capacity: retry after the time in `Retry-After`",
    }
    return {
        status: {"model": Problem, "description": descriptions[status], "content": PROBLEM_CONTENT}
        for status in statuses
    }
