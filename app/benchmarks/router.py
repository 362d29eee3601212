from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.benchmarks import service
from app.benchmarks.chart import render_chart
from app.benchmarks.schemas import BenchmarkResultOut, BenchmarkSummary
from app.db import ReadDep
from app.enums import TestType
from app.errors import COMMON_PROBLEMS, problem_responses
from app.paging import Page, PageDep, link_next
from app.params import ListParam, SlugItem, SlugList
from app.types import LIST_TEXT_PATTERN

ServerName = Annotated[str, Query(pattern=LIST_TEXT_PATTERN, max_length=80)]
router = APIRouter(
    prefix="/api/v1", tags=["benchmarks"], responses=problem_responses(*COMMON_PROBLEMS)
)

Slugs = Annotated[SlugList, Query(description="Slugs.")]
Baseline = Annotated[
    SlugItem | None,
    Query(
        description="The reference framework (default: the fastest).",
        examples=["fastapi"],
    ),
]
IncludeUnspecified = Annotated[
    bool,
    Query(description="Count results whose source names no test type towards this one."),
]


@router.get("/benchmarks", summary="List benchmark results with provenance")
async def list_benchmarks(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
    framework: Slugs = [],  # noqa: B006
    test_type: Annotated[ListParam[TestType], Query()] = [],  # noqa: B006
    source: Slugs = [],  # noqa: B006
    server: Annotated[ListParam[ServerName], Query()] = [],  # noqa: B006
    run: Slugs = [],  # noqa: B006
    sort: service.BenchmarkSort = service.BenchmarkSort.rps_desc,
) -> Page[BenchmarkResultOut]:
    """Every figure as its source gives it: a value or a range, the run it belongs to, the
    server, concurrency, environment and source."""
    page = await read(
        service.list_results,
        framework=framework,
        test_type=test_type,
        source=source,
        server=server,
        run=run,
        sort=sort,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    link_next(request, response, page)
    return page


@router.get("/benchmarks/summary", summary="Relative speed reconciled across sources")
async def benchmark_summary(
    read: ReadDep,
    test_type: TestType | None = None,
    frameworks: Slugs = [],  # noqa: B006
    baseline: Baseline = None,
    include_unspecified: IncludeUnspecified = True,
) -> BenchmarkSummary:
    """Per framework: its speed as a fraction of the baseline measured in the same run,
    combined over runs by geometric mean, with the rps range seen, the runs and sources
    behind it, and a flag where runs disagree."""
    return await read(
        service.summarise,
        test_type=test_type,
        frameworks=frameworks,
        baseline=baseline,
        include_unspecified=include_unspecified,
    )


@router.get(
    "/benchmarks/chart.svg",
    summary="The benchmark summary as an SVG bar chart",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "An accessible SVG bar chart.",
        }
    },
)
async def benchmark_chart(
    read: ReadDep,
    test_type: TestType | None = None,
    frameworks: Slugs = [],  # noqa: B006
    baseline: Baseline = None,
    include_unspecified: IncludeUnspecified = True,
) -> Response:
    """The same figures as the summary, drawn: one bar per framework, disagreements marked."""
    summary = await read(
        service.summarise,
        test_type=test_type,
        frameworks=frameworks,
        baseline=baseline,
        include_unspecified=include_unspecified,
    )
    return Response(render_chart(summary), media_type="image/svg+xml")
