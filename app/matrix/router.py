from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.asgi.negotiation import CSV
from app.db import ReadDep
from app.errors import COMMON_PROBLEMS, problem_responses
from app.examples import example
from app.matrix import service
from app.matrix.schemas import Comparison, Matrix, MigrationOut
from app.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, link_next
from app.types import SLUG_LIST_PATTERN, SLUG_PATTERN, split_slugs

router = APIRouter(responses=problem_responses(*COMMON_PROBLEMS))

CommaSlugs = Annotated[
    str | None,
    Query(pattern=SLUG_LIST_PATTERN, max_length=2000, description="Comma-separated slugs."),
]
FrameworkSlug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=80)]


class MatrixFormat(StrEnum):
    json = "json"
    csv = "csv"


def _wants_csv(request: Request, fmt: MatrixFormat | None) -> bool:
    if fmt is not None:
        return fmt is MatrixFormat.csv
    # The response cache negotiated the representation and left it as the only Accept.
    return request.headers.get("accept") == CSV


@router.get(
    "/matrix",
    tags=["matrix"],
    summary="Feature matrix: frameworks x features",
    responses={
        **problem_responses(406),
        200: {
            "content": {
                "application/json": {"example": example("matrix")},
                CSV: {
                    "schema": {"type": "string"},
                    "example": "feature,name,category,Django,FastAPI,Flask\r\n",
                },
            },
        },
    },
    response_model=Matrix,
)
async def get_matrix(
    request: Request,
    read: ReadDep,
    frameworks: CommaSlugs = None,
    features: CommaSlugs = None,
    category: CommaSlugs = None,
    format: Annotated[MatrixFormat | None, Query(description="`csv` for a spreadsheet.")] = None,
) -> Response | Matrix:
    """Every framework's support for every feature, with an explicit `unknown` cell where the
    dataset has no statement, and per-framework totals by level. CSV on `format=csv` or
    `Accept: text/csv`."""
    m = await read(
        service.matrix,
        frameworks=split_slugs(frameworks),
        features=split_slugs(features),
        category=split_slugs(category),
    )
    if _wants_csv(request, format):
        return Response(
            service.matrix_csv(m),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="framework-atlas-matrix.csv"'},
        )
    return m


@router.get(
    "/compare",
    tags=["matrix"],
    summary="Compare 2 to 10 frameworks side by side",
    responses={200: {"content": {"application/json": {"example": example("compare")}}}},
)
async def compare(
    read: ReadDep,
    frameworks: Annotated[
        str,
        Query(
            pattern=SLUG_LIST_PATTERN,
            max_length=2000,
            description="2 to 10 distinct slugs, comma-separated, in the order the answer keeps.",
            examples=["flask,django,fastapi"],
        ),
    ],
) -> Comparison:
    """Attributes with a `differs` flag per row, the feature matrix with differing rows first,
    pros and cons, the benchmark summary, and migration notes between each ordered pair."""
    return await read(service.compare, split_slugs(frameworks))


@router.get("/migrations", tags=["migrations"], summary="List migration paths")
async def list_migrations(
    request: Request,
    response: Response,
    read: ReadDep,
    origin: Annotated[str | None, Query(alias="from", pattern=SLUG_PATTERN, max_length=80)] = None,
    target: Annotated[str | None, Query(alias="to", pattern=SLUG_PATTERN, max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[MigrationOut]:
    """Moving from one framework to another: gains, costs and notes with sources, and effort."""
    page = await read(
        service.migrations_page, origin=origin, target=target, limit=limit, cursor=cursor
    )
    link_next(request, response, page)
    return page


@router.get(
    "/migrations/{origin}/{target}",
    tags=["migrations"],
    summary="Get one migration path",
    responses=problem_responses(404),
)
async def get_migration(
    origin: FrameworkSlug, target: FrameworkSlug, read: ReadDep
) -> MigrationOut:
    """The considerations for moving from `origin` to `target`."""
    return await read(service.migration, origin, target)
