"""Read the whole dataset back out of the database in the seed files' schema."""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.catalogue.schemas import AdopterOut, Fact, FrameworkAttributes, UseCaseLink
from app.catalogue.service import WHOLE_FRAMEWORK, slugs, statement
from app.enums import Aspect, ClaimKind
from app.models import (
    BenchmarkRun,
    Feature,
    FeatureCategory,
    Framework,
    MigrationConsideration,
    MigrationPath,
    Source,
    UseCase,
)
from app.seed.schema import (
    CategoryIn,
    ClaimIn,
    ConsiderationIn,
    Dataset,
    FeatureIn,
    FrameworkIn,
    MigrationIn,
    ResultIn,
    RunIn,
    SourceIn,
    StatementIn,
    UseCaseIn,
)

RESULT_FIELDS = set(ResultIn.model_fields) - {"framework"}


def export_dataset(session: Session) -> Dataset:
    sources = session.exec(select(Source).order_by(col(Source.slug))).all()
    categories = session.exec(select(FeatureCategory).order_by(col(FeatureCategory.position))).all()
    category_slugs = {c.id: c.slug for c in categories}
    features = session.exec(select(Feature).order_by(col(Feature.position))).all()
    feature_slugs = {f.id: f.slug for f in features}
    use_cases = session.exec(
        select(UseCase).order_by(col(UseCase.position)).options(selectinload(UseCase.sources))  # type: ignore[arg-type]
    ).all()
    frameworks = session.exec(
        select(Framework).order_by(col(Framework.slug)).options(*WHOLE_FRAMEWORK)
    ).all()
    framework_slugs = {fw.id: fw.slug for fw in frameworks}
    runs = session.exec(
        select(BenchmarkRun)
        .order_by(col(BenchmarkRun.slug))
        .options(selectinload(BenchmarkRun.results))  # type: ignore[arg-type]
    ).all()
    paths = session.exec(
        select(MigrationPath)
        .order_by(col(MigrationPath.id))
        .options(
            selectinload(MigrationPath.considerations).selectinload(MigrationConsideration.sources)  # type: ignore[arg-type]
        )
    ).all()

    out_frameworks = []
    for fw in frameworks:
        attribute_sources: dict[str, list[str]] = defaultdict(list)
        for link in fw.attribute_sources:
            attribute_sources[link.attribute].append(link.source.slug)
        support: dict[str, Any] = {}
        own = (s for s in fw.support if s.inherited_from is None)  # inherited: derived on seed
        for st in sorted(own, key=lambda s: (feature_slugs[s.feature_id], s.seq)):
            item = StatementIn(**statement(st).model_dump(exclude={"inherited_from"}))
            key = feature_slugs[st.feature_id]
            support[key] = [*support[key], item] if key in support else [item]
        attributes = FrameworkAttributes.model_validate(fw, from_attributes=True).model_dump()
        out_frameworks.append(
            FrameworkIn(
                slug=fw.slug,
                **attributes,
                attribute_sources={k: sorted(v) for k, v in sorted(attribute_sources.items())},
                facts=[
                    Fact(aspect=Aspect(str(c.aspect)), value=c.text, sources=slugs(c.sources))
                    for c in fw.claims
                    if c.kind is ClaimKind.fact
                ],
                claims=[
                    ClaimIn(kind=c.kind, text=c.text, detail=c.detail, sources=slugs(c.sources))
                    for c in fw.claims
                    if c.kind is not ClaimKind.fact
                ],
                use_cases=[
                    UseCaseLink(
                        use_case=u.use_case.slug,
                        kind=u.kind,
                        text=u.text,
                        sources=slugs(u.sources),
                    )
                    for u in fw.use_cases
                ],
                adopters=[
                    AdopterOut(name=a.name, detail=a.detail, sources=slugs(a.sources))
                    for a in fw.adopters
                ],
                support={k: v[0] if len(v) == 1 else v for k, v in support.items()},
            )
        )
    return Dataset(
        sources=[SourceIn.model_validate(s, from_attributes=True) for s in sources],
        categories=[
            CategoryIn(
                slug=c.slug,
                name=c.name,
                description=c.description,
                parent=category_slugs.get(c.parent_id) if c.parent_id else None,
            )
            for c in categories
        ],
        features=[
            FeatureIn(
                slug=f.slug,
                name=f.name,
                category=category_slugs[f.category_id],
                description=f.description,
                parent=feature_slugs.get(f.parent_id) if f.parent_id else None,
            )
            for f in features
        ],
        use_cases=[
            UseCaseIn(
                slug=u.slug,
                name=u.name,
                description=u.description,
                weights=u.weights,
                must_have=u.must_have,
                nice_to_have=u.nice_to_have,
                sources=slugs(u.sources),
            )
            for u in use_cases
        ],
        frameworks=out_frameworks,
        runs=[
            RunIn(
                slug=r.slug,
                title=r.title,
                source=r.source.slug,
                date=r.date,
                hardware=r.hardware,
                os=r.os,
                python_version=r.python_version,
                notes=r.notes,
                results=[
                    ResultIn(
                        framework=framework_slugs[x.framework_id],
                        **{k: getattr(x, k) for k in RESULT_FIELDS},
                    )
                    for x in sorted(r.results, key=lambda x: x.position)
                ],
            )
            for r in runs
        ],
        migrations=[
            MigrationIn.model_validate(
                {
                    "from": framework_slugs[p.from_framework_id],
                    "to": framework_slugs[p.to_framework_id],
                    "effort": p.effort,
                    "effort_basis": p.effort_basis,
                    "summary": p.summary,
                    "considerations": [
                        ConsiderationIn(kind=c.kind, text=c.text, sources=slugs(c.sources))
                        for c in p.considerations
                    ],
                }
            )
            for p in paths
        ],
    )
