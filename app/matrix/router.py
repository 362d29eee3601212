from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.asgi.negotiation import CSV
from app.db import ReadDep
from app.errors import COMMON_PROBLEMS, problem_responses
from app.examples import example
from app.matrix import service
from app.matrix.schemas import Comparison, Matrix, MigrationOut
from app.paging import Page, PageDep, link_next
from app.params import SlugItem, SlugList, SlugPath

router = APIRouter(prefix="/api/v1", responses=problem_responses(*COMMON_PROBLEMS))

FrameworkSlugs = Annotated[SlugList, Query(description="Framework slugs, in the order kept.")]
FeatureSlugs = Annotated[SlugList, Query(description="Feature slugs: only these rows.")]
CategorySlugs = Annotated[SlugList, Query(description="Feature category slugs: only their rows.")]


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
    frameworks: FrameworkSlugs = [],  # noqa: B006
    features: FeatureSlugs = [],  # noqa: B006
    category: CategorySlugs = [],  # noqa: B006
    format: Annotated[MatrixFormat | None, Query(description="`csv` for a spreadsheet.")] = None,
) -> Response | Matrix:
    """Every framework's support for every feature, with an explicit `unknown` cell where the
    dataset has no statement, and per-framework totals by level. CSV on `format=csv` or
    `Accept: text/csv`."""
    m = await read(
        service.matrix,
        frameworks=frameworks,
        features=features,
        category=category,
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
        SlugList,
        Query(
            description="2 to 10 distinct framework slugs, in the order the answer keeps.",
            examples=[["flask", "django", "fastapi"]],
            min_length=service.MIN_COMPARE,
            max_length=service.MAX_COMPARE,
            json_schema_extra={"uniqueItems": True},
        ),
    ],
    features: FeatureSlugs = [],  # noqa: B006
    category: CategorySlugs = [],  # noqa: B006
) -> Comparison:
    """Attributes with a `differs` flag per row, the feature matrix with differing rows first,
    pros and cons, the benchmark summary, and migration notes between each ordered pair."""
    return await read(service.compare, frameworks, features=features, category=category)


@router.get("/migrations", tags=["migrations"], summary="List migration paths")
async def list_migrations(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
    origin: Annotated[SlugItem | None, Query(alias="from")] = None,
    target: Annotated[SlugItem | None, Query(alias="to")] = None,
) -> Page[MigrationOut]:
    """Moving from one framework to another: gains, costs and notes with sources, and effort."""
    page = await read(
        service.migrations_page,
        origin=origin,
        target=target,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    link_next(request, response, page)
    return page


@router.get(
    "/migrations/{origin}/{target}",
    tags=["migrations"],
    summary="Get one migration path",
    responses=problem_responses(404),
)
async def get_migration(origin: SlugPath, target: SlugPath, read: ReadDep) -> MigrationOut:
    """The considerations for moving from `origin` to `target`."""
    return await read(service.migration, origin, target)
