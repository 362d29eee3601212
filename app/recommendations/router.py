from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.db import ReadDep
from app.enums import Criterion, Language, TeamExperience
from app.errors import COMMON_PROBLEMS, problem_responses
from app.params import ListParam, SlugItem
from app.recommendations import service
from app.recommendations.schemas import Recommendation, RecommendationRequest

router = APIRouter(
    prefix="/api/v1", tags=["recommendations"], responses=problem_responses(*COMMON_PROBLEMS)
)

# `criterion:weight`, from the one list of criteria.
PRIORITY_PATTERN = f"^({'|'.join(c.value for c in Criterion)}):[0-5]$"


def _from_query(**fields: Any) -> RecommendationRequest:
    """The GET form: the same fields as the POST body, lists comma-separated and
    priorities as `criterion:weight,...`."""
    try:
        return RecommendationRequest.model_validate(
            {k: v for k, v in fields.items() if v is not None}
        )
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None


@router.post("/recommendations", summary="Rank frameworks for a project, with reasons")
async def recommend(
    read: ReadDep,
    request: Annotated[RecommendationRequest | None, Body()] = None,
) -> Recommendation:
    """Ranked frameworks with a 0-100 score, a per-criterion breakdown traced to the dataset,
    reasons and caveats, the frameworks a must-have excludes, and the smallest change of input
    that would change the winner. An empty body ranks everything with neutral weights.

    Criteria: performance, async, batteries_included, flexibility, ease_of_learning,
    api_docs, admin, security, ecosystem, and maintenance (from the package index's
    signals: releases in the last 12 months, days since the latest release, owners and
    maintainers, advisories on the latest release; 0.5 with a caveat when it has none).
    docs/recommendations.md gives every rule."""
    return await read(service.recommend, request or RecommendationRequest())


@router.get("/recommendations", summary="Rank frameworks for a project (linkable form)")
async def recommend_by_query(
    read: ReadDep,
    use_case: Annotated[SlugItem | None, Query(examples=["cms"])] = None,
    must_have: Annotated[
        ListParam[SlugItem] | None,
        Query(
            max_length=50,
            description="Feature slugs every result must support (default: the preset's).",
        ),
    ] = None,
    nice_to_have: Annotated[ListParam[SlugItem] | None, Query(max_length=50)] = None,
    priorities: Annotated[
        ListParam[Annotated[str, Query(pattern=PRIORITY_PATTERN, max_length=40)]] | None,
        Query(
            description="`criterion:weight` pairs, weights 0..5.",
            examples=[["performance:5", "api_docs:4"]],
        ),
    ] = None,
    team_experience: TeamExperience | None = None,
    languages: Annotated[
        ListParam[Language] | None,
        Query(description="The languages the team accepts: a hard filter (default: any)."),
    ] = None,
    allow_extensions: bool = True,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Recommendation:
    """The same as the POST, as a URL that can be linked and cached."""
    weights = None
    if priorities is not None:
        weights = {}
        for pair in priorities:
            name, value = pair.split(":")
            weights[name] = int(value)
    request = _from_query(
        use_case=use_case,
        must_have=must_have,
        nice_to_have=nice_to_have,
        priorities=weights,
        team_experience=team_experience,
        languages=languages,
        allow_extensions=allow_extensions,
        limit=limit,
    )
    return await read(service.recommend, request, where="query")
