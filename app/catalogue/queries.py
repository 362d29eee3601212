"""The SQL of a framework's detail: statements built once, bound per framework."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.models import (
    Adopter,
    AdopterSource,
    Claim,
    ClaimSource,
    Feature,
    FeatureCategory,
    FrameworkAttributeSource,
    FrameworkUseCase,
    FrameworkUseCaseSource,
    Source,
    UseCase,
)

FRAMEWORK_ID: sa.BindParameter[int] = sa.bindparam("framework_id", type_=sa.Integer)


def _sources_of(kind: str, link: Any, owner: Any, owner_key: str) -> Any:
    link_owner = getattr(link, owner_key)
    return (
        sa.select(sa.literal(kind).label("kind"), link_owner.label("owner"), col(Source.slug))
        .join(Source, col(Source.id) == link.source_id)
        .join(owner, owner.id == link_owner)
        .where(owner.framework_id == FRAMEWORK_ID)
    )


# A framework's detail in a fixed handful of statements, built once: on a cache miss
# their construction would otherwise cost as much as running them.
DETAIL_SOURCES = sa.union_all(
    _sources_of("claim", ClaimSource, Claim, "claim_id"),
    _sources_of("adopter", AdopterSource, Adopter, "adopter_id"),
    _sources_of("use_case", FrameworkUseCaseSource, FrameworkUseCase, "framework_use_case_id"),
).order_by(sa.literal_column("slug"))
DETAIL_ATTRIBUTE_SOURCES = (
    sa.select(col(FrameworkAttributeSource.attribute), col(Source.slug))
    .join(Source, col(Source.id) == col(FrameworkAttributeSource.source_id))
    .where(col(FrameworkAttributeSource.framework_id) == FRAMEWORK_ID)
    .order_by(col(FrameworkAttributeSource.attribute), col(Source.slug))
)
DETAIL_CLAIMS = (
    sa.select(col(Claim.id), col(Claim.kind), col(Claim.aspect), col(Claim.text), col(Claim.detail))
    .where(col(Claim.framework_id) == FRAMEWORK_ID)
    .order_by(col(Claim.position), col(Claim.id))
)
DETAIL_USE_CASES = (
    sa.select(
        col(FrameworkUseCase.id),
        col(UseCase.slug),
        col(FrameworkUseCase.kind),
        col(FrameworkUseCase.text),
    )
    .join(UseCase, col(UseCase.id) == col(FrameworkUseCase.use_case_id))
    .where(col(FrameworkUseCase.framework_id) == FRAMEWORK_ID)
    .order_by(col(FrameworkUseCase.position), col(FrameworkUseCase.id))
)
DETAIL_ADOPTERS = (
    sa.select(col(Adopter.id), col(Adopter.name), col(Adopter.detail))
    .where(col(Adopter.framework_id) == FRAMEWORK_ID)
    .order_by(col(Adopter.position), col(Adopter.id))
)
DETAIL_FEATURES = (
    sa.select(col(Feature.id), col(Feature.slug), col(Feature.name), col(FeatureCategory.slug))
    .join(FeatureCategory, col(FeatureCategory.id) == col(Feature.category_id))
    .order_by(col(Feature.position), col(Feature.slug))
)
