"""The front door: `GET /api/v1` lists every collection, the dataset version and the docs."""

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from sqlmodel import Session

from app import __version__
from app.db import ReadDep, current_version
from app.errors import COMMON_PROBLEMS, problem_responses

PREFIX = "/api/v1"
DOCS = {"swagger_ui": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"}

router = APIRouter(responses=problem_responses(*COMMON_PROBLEMS))


class Collection(BaseModel):
    name: str = Field(description="The operation's id in the OpenAPI document.")
    url: str
    summary: str


class ApiIndex(BaseModel):
    api_version: str
    dataset_version: int = Field(description="The version every ETag includes.")
    collections: list[Collection]
    docs: dict[str, str] = Field(description="Swagger UI, ReDoc and the OpenAPI document.")


def collections(routes: list[object]) -> list[Collection]:
    """Every GET under the prefix that takes no path parameter, read from the routes
    themselves so a new one is listed without editing this file."""
    found = []
    for context in iter_route_contexts(routes):  # type: ignore[arg-type]
        route, path = context.original_route, context.path_format or ""
        if (
            isinstance(route, APIRoute)
            and "GET" in (route.methods or ())
            and path.startswith(PREFIX + "/")
            and "{" not in path
            and route.include_in_schema
        ):
            found.append(Collection(name=route.name, url=path, summary=route.summary or ""))
    return sorted(found, key=lambda c: c.url)


def _version(session: Session) -> int:
    return current_version(session).version


@router.get(PREFIX, tags=["dataset"], summary="Index of the API")
async def api_index(request: Request, read: ReadDep) -> ApiIndex:
    """Every collection with its URL, the dataset version, and where the docs are."""
    return ApiIndex(
        api_version=__version__,
        dataset_version=await read(_version),
        collections=collections(request.app.routes),
        docs=DOCS,
    )
