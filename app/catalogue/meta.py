"""The dataset's version, counts and licence."""

from datetime import UTC
from typing import Any

from sqlmodel import Session, col, func, select

from app.catalogue.schemas import (
    Counts,
    Meta,
)
from app.db import current_version
from app.models import (
    Adopter,
    BenchmarkResult,
    BenchmarkRun,
    Claim,
    Feature,
    FeatureCategory,
    Framework,
    MigrationPath,
    Source,
    SupportStatement,
    UseCase,
)


def meta(session: Session, *, data_licence: str, api_version: str) -> Meta:
    def n(model: Any) -> int:
        return session.exec(select(func.count()).select_from(model)).one()

    version = current_version(session)
    return Meta(
        dataset_id=version.dataset_id,
        dataset_version=version.version,
        # SQLite hands back naive datetimes; the value was written in UTC.
        updated_at=version.updated_at.replace(tzinfo=version.updated_at.tzinfo or UTC),
        counts=Counts(
            frameworks=n(Framework),
            features=n(Feature),
            feature_categories=n(FeatureCategory),
            # The dataset's own statements; inherited copies are derived from them.
            support_statements=session.exec(
                select(func.count())
                .select_from(SupportStatement)
                .where(col(SupportStatement.inherited_from).is_(None))
            ).one(),
            sources=n(Source),
            claims=n(Claim),
            adopters=n(Adopter),
            use_cases=n(UseCase),
            benchmark_runs=n(BenchmarkRun),
            benchmark_results=n(BenchmarkResult),
            migration_paths=n(MigrationPath),
        ),
        data_licence=data_licence,
        api_version=api_version,
    )
