"""Upsert a validated dataset by slug, in the caller's transaction."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from app.benchmarks.reconcile import representative_rps
from app.db import bump_version, current_version, pk
from app.enums import ClaimKind
from app.models import (
    Adopter,
    BenchmarkResult,
    BenchmarkRun,
    Claim,
    Feature,
    FeatureCategory,
    Framework,
    FrameworkAttributeSource,
    FrameworkUseCase,
    MigrationConsideration,
    MigrationPath,
    Source,
    SupportStatement,
    UseCase,
)
from app.seed.load import content_hash, inherited_support, statements
from app.seed.schema import Dataset, RunIn, StatementIn

T = TypeVar("T", bound=SQLModel)


def _by_slug(session: Session, model: type[T]) -> dict[str, T]:
    return {row.slug: row for row in session.exec(select(model))}  # type: ignore[attr-defined]


def _upsert(
    session: Session, model: type[T], existing: dict[str, T], slug: str, **values: Any
) -> T:
    row = existing.get(slug)
    if row is None:
        row = model(slug=slug, **values)
        existing[slug] = row
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.add(row)
    return row


def write_run(
    session: Session,
    run: RunIn,
    sources: dict[str, Source],
    frameworks: dict[str, Framework],
    existing: dict[str, BenchmarkRun],
) -> None:
    row = _upsert(
        session,
        BenchmarkRun,
        existing,
        run.slug,
        title=run.title,
        source_id=pk(sources[run.source]),
        date=run.date,
        hardware=run.hardware,
        os=run.os,
        python_version=run.python_version,
        notes=run.notes,
    )
    session.flush()
    session.exec(delete(BenchmarkResult).where(col(BenchmarkResult.run_id) == pk(row)))
    for position, result in enumerate(run.results):
        values = result.model_dump(exclude={"framework"})
        session.add(
            BenchmarkResult(
                run_id=pk(row),
                framework_id=pk(frameworks[result.framework]),
                # Lists sort by the same single figure the reconciliation uses.
                rps_sort=representative_rps(
                    result.requests_per_second, result.rps_low, result.rps_high
                ),
                position=position,
                **values,
            )
        )


def _statement_row(
    st: StatementIn,
    *,
    framework_id: int,
    feature_id: int,
    seq: int,
    sources: list[Source],
    inherited_from: str | None = None,
) -> SupportStatement:
    """One support statement as a row: the framework's own, or a copy of its base's."""
    return SupportStatement(
        framework_id=framework_id,
        feature_id=feature_id,
        seq=seq,
        level=st.level,
        since_version=st.since_version,
        until_version=st.until_version,
        via=list(st.via),
        official_via=list(st.official_via),
        notes=st.notes,
        last_verified=st.last_verified,
        inherited_from=inherited_from,
        sources=sources,
    )


def _write_inherited(
    session: Session,
    dataset: Dataset,
    frameworks: dict[str, Framework],
    features: dict[str, Feature],
    sources: dict[str, Source],
) -> None:
    """Copy each base's statements to the frameworks built on it that make none of their
    own for that feature, with the base's sources, so every read shows them as inherited."""
    for fw in dataset.frameworks:
        for feature, (origin, base_statements) in inherited_support(dataset, fw.slug).items():
            for seq, st in enumerate(base_statements):
                session.add(
                    _statement_row(
                        st,
                        framework_id=pk(frameworks[fw.slug]),
                        feature_id=pk(features[feature]),
                        seq=seq,
                        sources=[sources[s] for s in st.sources],
                        inherited_from=origin,
                    )
                )


def write_dataset(session: Session, dataset: Dataset, note: str = "seed") -> int | None:
    """Write `dataset`; return the new dataset version, or None when nothing changed."""
    digest = content_hash(dataset)
    if (current_version(session).note or "").endswith(f":{digest}"):
        return None

    sources = _by_slug(session, Source)
    for src in dataset.sources:
        values = src.model_dump(exclude={"slug"})
        values["url"] = str(src.url) if src.url else None
        _upsert(session, Source, sources, src.slug, **values)

    categories = _by_slug(session, FeatureCategory)
    for position, cat in enumerate(dataset.categories):
        _upsert(
            session,
            FeatureCategory,
            categories,
            cat.slug,
            name=cat.name,
            description=cat.description,
            position=position,
        )
    session.flush()
    for cat in dataset.categories:
        categories[cat.slug].parent_id = pk(categories[cat.parent]) if cat.parent else None

    features = _by_slug(session, Feature)
    for position, feat in enumerate(dataset.features):
        _upsert(
            session,
            Feature,
            features,
            feat.slug,
            name=feat.name,
            description=feat.description,
            category_id=pk(categories[feat.category]),
            position=position,
        )
    session.flush()
    for feat in dataset.features:
        features[feat.slug].parent_id = pk(features[feat.parent]) if feat.parent else None

    def cited(slugs: Sequence[str]) -> list[Source]:
        return [sources[s] for s in slugs]

    use_cases = _by_slug(session, UseCase)
    for position, uc in enumerate(dataset.use_cases):
        use_case = _upsert(
            session,
            UseCase,
            use_cases,
            uc.slug,
            name=uc.name,
            description=uc.description,
            weights={k.value: v for k, v in uc.weights.items()},
            must_have=list(uc.must_have),
            nice_to_have=list(uc.nice_to_have),
            position=position,
        )
        use_case.sources = cited(uc.sources)
    session.flush()

    frameworks = _by_slug(session, Framework)
    attribute_names = set(type(dataset.frameworks[0]).model_fields) if dataset.frameworks else set()
    child_tables: list[Any] = [
        FrameworkAttributeSource,
        Claim,
        Adopter,
        FrameworkUseCase,
        SupportStatement,
    ]
    for fw in dataset.frameworks:
        values = fw.model_dump(
            include=attribute_names
            - {"slug", "attribute_sources", "facts", "claims", "use_cases", "adopters", "support"}
        )
        for key in ("homepage", "repository", "documentation"):
            values[key] = str(values[key]) if values[key] else None
        row = _upsert(session, Framework, frameworks, fw.slug, **values)
        session.flush()
        for table in child_tables:
            session.exec(delete(table).where(table.framework_id == pk(row)))
        for attribute, slugs in fw.attribute_sources.items():
            for slug in dict.fromkeys(slugs):
                session.add(
                    FrameworkAttributeSource(
                        framework_id=pk(row), attribute=attribute, source_id=pk(sources[slug])
                    )
                )
        position = 0
        for fact in fw.facts:
            session.add(
                Claim(
                    framework_id=pk(row),
                    kind=ClaimKind.fact,
                    aspect=fact.aspect.value,
                    text=fact.value,
                    position=position,
                    sources=cited(fact.sources),
                )
            )
            position += 1
        for claim in fw.claims:
            session.add(
                Claim(
                    framework_id=pk(row),
                    kind=claim.kind,
                    text=claim.text,
                    detail=claim.detail,
                    position=position,
                    sources=cited(claim.sources),
                )
            )
            position += 1
        for position, adopter in enumerate(fw.adopters):
            session.add(
                Adopter(
                    framework_id=pk(row),
                    name=adopter.name,
                    detail=adopter.detail,
                    position=position,
                    sources=cited(adopter.sources),
                )
            )
        for position, link in enumerate(fw.use_cases):
            session.add(
                FrameworkUseCase(
                    framework_id=pk(row),
                    use_case_id=pk(use_cases[link.use_case]),
                    kind=link.kind,
                    text=link.text,
                    position=position,
                    sources=cited(link.sources),
                )
            )
        for feature, value in fw.support.items():
            for seq, st in enumerate(statements(value)):
                session.add(
                    _statement_row(
                        st,
                        framework_id=pk(row),
                        feature_id=pk(features[feature]),
                        seq=seq,
                        sources=cited(st.sources),
                    )
                )

    _write_inherited(session, dataset, frameworks, features, sources)

    runs = _by_slug(session, BenchmarkRun)
    for run in dataset.runs:
        write_run(session, run, sources, frameworks, runs)

    for mig in dataset.migrations:
        origin, target = frameworks[mig.from_], frameworks[mig.to]
        path = session.exec(
            select(MigrationPath).where(
                MigrationPath.from_framework_id == pk(origin),
                MigrationPath.to_framework_id == pk(target),
            )
        ).first()
        if path is None:
            path = MigrationPath(
                from_framework_id=pk(origin), to_framework_id=pk(target), effort=mig.effort
            )
        path.effort, path.effort_basis, path.summary = mig.effort, mig.effort_basis, mig.summary
        session.add(path)
        session.flush()
        session.exec(
            delete(MigrationConsideration).where(col(MigrationConsideration.path_id) == pk(path))
        )
        for position, item in enumerate(mig.considerations):
            session.add(
                MigrationConsideration(
                    path_id=pk(path),
                    kind=item.kind,
                    text=item.text,
                    position=position,
                    sources=cited(item.sources),
                )
            )
    session.flush()
    version = bump_version(session, f"{note}:{digest}")
    return version
