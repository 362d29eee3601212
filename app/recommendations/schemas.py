from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.enums import Criterion, Language, TeamExperience
from app.types import JSON_INTEGER, Slug, SourceSlug

Weight = Annotated[int, Field(ge=0, le=5), JSON_INTEGER]


class RecommendationRequest(BaseModel):
    """What the project needs. Every field is optional: an empty body ranks everything
    with neutral weights."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"use_case": "cms"},
                {
                    "must_have": ["request-validation", "async-views"],
                    "priorities": {"performance": 5, "api_docs": 4},
                    "team_experience": "expert",
                },
            ]
        },
    )

    use_case: Slug | None = Field(default=None, description="A preset from /use-cases.")
    must_have: list[Slug] | None = Field(
        default=None, max_length=50, description="Features every result must support."
    )
    nice_to_have: list[Slug] | None = Field(default=None, max_length=50)
    priorities: dict[Criterion, Weight] | None = Field(
        default=None, description="Criterion -> weight 0..5; overrides the preset's weight."
    )
    team_experience: TeamExperience | None = None
    languages: list[Language] | None = Field(
        default=None,
        description="The languages the team accepts: a hard filter (repeats count once)."
        " Omitted or empty: any.",
    )
    allow_extensions: StrictBool = Field(
        default=True, description="Support through an extension package satisfies a must-have."
    )
    limit: Annotated[int, Field(ge=1, le=50), JSON_INTEGER] = 10


class EvidenceOut(BaseModel):
    fact: str
    sources: list[SourceSlug]


class BreakdownItem(BaseModel):
    criterion: str
    weight: int
    score: float = Field(description="The framework's score on this criterion, 0..1.")
    contribution: float = Field(description="Points of the total 0-100 score.")
    evidence: list[EvidenceOut]


class Caveat(BaseModel):
    text: str
    sources: list[SourceSlug]


class RecommendationResult(BaseModel):
    rank: int
    framework: Slug
    name: str
    language: Language
    score: float
    breakdown: list[BreakdownItem]
    matched: list[Slug]
    missing: list[Slug]
    reasons: list[str]
    caveats: list[Caveat]


class ExcludedOut(BaseModel):
    framework: Slug
    lacking: list[Slug] = Field(description="The must-have features it does not support.")
    language: Language | None = Field(
        default=None, description="Set when its language is not one of `languages`."
    )


class ChangeOut(BaseModel):
    kind: str = Field(description="`weight` or `remove_must_have`.")
    criterion: str | None
    feature: Slug | None
    from_weight: int | None
    to_weight: int | None
    new_winner: Slug


class Sensitivity(BaseModel):
    winner: Slug | None
    smallest_changes: list[ChangeOut] = Field(
        description="Every single change of the smallest size that changes the winner."
    )


class EffectiveQuery(BaseModel):
    use_case: Slug | None
    must_have: list[Slug]
    nice_to_have: list[Slug]
    team_experience: TeamExperience | None
    languages: list[Language]
    allow_extensions: bool
    limit: int


class Recommendation(BaseModel):
    query: EffectiveQuery
    weights: dict[str, int] = Field(description="After the preset, priorities and experience.")
    results: list[RecommendationResult]
    excluded: list[ExcludedOut]
    sensitivity: Sensitivity
