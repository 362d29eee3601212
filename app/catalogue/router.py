from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import __version__
from app.catalogue import service
from app.catalogue.schemas import (
    CategoryPublic,
    FeatureDetail,
    FeaturePublic,
    FrameworkDetail,
    Meta,
    SourceDetail,
    SourcePublic,
    UseCaseDetail,
    UseCasePublic,
)
from app.config import get_settings
from app.db import ReadDep
from app.enums import Classification, ConcurrencyModel, Interface, Language, SourceKind
from app.errors import COMMON_PROBLEMS, problem_responses
from app.examples import FRAMEWORK_DETAIL_EXAMPLE
from app.paging import Page, PageDep, link_next
from app.params import ListParam, SlugList, SlugPath
from app.seed.export import export_dataset
from app.seed.schema import Dataset
from app.types import PRINTABLE_PATTERN, SLUG_PATTERN, SPDX_PATTERN

router = APIRouter(prefix="/api/v1", responses=problem_responses(*COMMON_PROBLEMS))


@router.get(
    "/frameworks",
    tags=["frameworks"],
    summary="List frameworks",
    response_model=service.FrameworkPage,
)
async def list_frameworks(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=PRINTABLE_PATTERN,
            description="Words in the name, slug or description.",
            examples=["async"],
        ),
    ] = None,
    language: Annotated[ListParam[Language], Query(examples=[["go"]])] = [],  # noqa: B006
    classification: Annotated[ListParam[Classification], Query()] = [],  # noqa: B006
    interface: Annotated[ListParam[Interface], Query()] = [],  # noqa: B006
    concurrency_model: Annotated[ListParam[ConcurrencyModel], Query()] = [],  # noqa: B006
    license: Annotated[
        ListParam[Annotated[str, Query(pattern=SPDX_PATTERN, max_length=80)]],
        Query(description="SPDX identifiers."),
    ] = [],  # noqa: B006
    use_case: Annotated[
        str | None, Query(pattern=SLUG_PATTERN, max_length=80, examples=["cms"])
    ] = None,
    supports: Annotated[
        SlugList,
        Query(
            description=(
                "Feature slugs: frameworks that support all of them "
                "(built in, by extension or partly)."
            ),
            examples=[["admin-panel"]],
        ),
    ] = [],  # noqa: B006
    sort: service.FrameworkSort = service.FrameworkSort.name,
) -> service.FrameworkPage:
    """Frameworks matching every filter given, a page at a time, with facet counts."""
    page = await read(
        service.list_frameworks,
        q=q,
        language=language,
        classification=classification,
        interface=interface,
        concurrency_model=concurrency_model,
        license=license,
        use_case=use_case,
        supports=supports,
        sort=sort,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    link_next(request, response, page)
    return page


@router.get(
    "/frameworks/{slug}",
    tags=["frameworks"],
    summary="Get one framework, whole",
    responses={
        **problem_responses(404),
        200: {"content": {"application/json": {"example": FRAMEWORK_DETAIL_EXAMPLE}}},
    },
)
async def get_framework(slug: SlugPath, read: ReadDep) -> FrameworkDetail:
    """One framework, whole: attributes, facts, pros and cons, use cases, adopters,
    feature support, benchmark summary and every source behind them."""

    return await read(service.read_framework_detail, slug)


@router.get("/features", tags=["features"], summary="List features")
async def list_features(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
    category: Annotated[SlugList, Query(description="Category slugs.")] = [],  # noqa: B006
) -> Page[FeaturePublic]:
    """Capabilities a framework can have, in category order."""
    page = await read(
        service.list_features, category=category, limit=paging.limit, cursor=paging.cursor
    )
    link_next(request, response, page)
    return page


@router.get("/feature-categories", tags=["features"], summary="List feature categories")
async def list_categories(read: ReadDep) -> list[CategoryPublic]:
    """The category tree features belong to."""
    return await read(service.list_categories)


@router.get(
    "/features/{slug}",
    tags=["features"],
    summary="Get one feature with its support across frameworks",
    responses=problem_responses(404),
)
async def get_feature(slug: SlugPath, read: ReadDep) -> FeatureDetail:
    """One capability and every framework's support for it (`unknown` where none)."""
    return await read(service.feature_detail, slug)


@router.get("/sources", tags=["sources"], summary="List sources")
async def list_sources(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
    kind: Annotated[ListParam[SourceKind], Query()] = [],  # noqa: B006
) -> Page[SourcePublic]:
    """Where every fact in the dataset comes from."""
    page = await read(service.list_sources, kind=kind, limit=paging.limit, cursor=paging.cursor)
    link_next(request, response, page)
    return page


@router.get(
    "/sources/{slug}",
    tags=["sources"],
    summary="Get one source and what it backs",
    responses=problem_responses(404),
)
async def get_source(slug: SlugPath, read: ReadDep) -> SourceDetail:
    """A source and counts of the facts that cite it."""
    return await read(service.source_detail, slug)


@router.get("/use-cases", tags=["use cases"], summary="List use cases and their presets")
async def list_use_cases(
    request: Request,
    response: Response,
    read: ReadDep,
    paging: PageDep,
) -> Page[UseCasePublic]:
    """Use cases with their recommendation presets (weights, must-have and
    nice-to-have features), built from the seed articles' decision matrix."""
    page = await read(service.list_use_cases, limit=paging.limit, cursor=paging.cursor)
    link_next(request, response, page)
    return page


@router.get(
    "/use-cases/{slug}",
    tags=["use cases"],
    summary="Get one use case",
    responses=problem_responses(404),
)
async def get_use_case(slug: SlugPath, read: ReadDep) -> UseCaseDetail:
    """A preset and the frameworks sources recommend for it, in their words."""
    return await read(service.use_case_detail, slug)


@router.get("/meta", tags=["dataset"], summary="Dataset version and counts")
async def get_meta(read: ReadDep) -> Meta:
    """The dataset version (part of every ETag), when it last changed, and how much it holds."""
    settings = get_settings()
    return await read(service.meta, data_licence=settings.data_licence, api_version=__version__)


@router.get("/export", tags=["dataset"], summary="Export the whole dataset")
async def export(read: ReadDep) -> Dataset:
    """Everything, in the schema of the seed files: `fwatlas seed` can load it back."""
    return await read(export_dataset)
