"""Reads of the catalogue: frameworks, features, sources, use cases, meta and export."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.benchmarks.service import standings_for
from app.catalogue.schemas import (
    AdopterOut,
    CategoryPublic,
    ClaimOut,
    Counts,
    Fact,
    FeatureDetail,
    FeaturePublic,
    FeatureSupport,
    FrameworkDetail,
    FrameworkSummary,
    FrameworkSupport,
    Meta,
    SourceDetail,
    SourcePublic,
    SourceUse,
    Statement,
    UseCaseDetail,
    UseCaseFramework,
    UseCaseLink,
    UseCasePublic,
)
from app.db import current_version
from app.enums import Aspect, ClaimKind, SupportLevel
from app.errors import not_found, unknown
from app.models import (
    Adopter,
    AdopterSource,
    BenchmarkResult,
    BenchmarkRun,
    Claim,
    ClaimSource,
    ConsiderationSource,
    Feature,
    FeatureCategory,
    Framework,
    FrameworkAttributeSource,
    FrameworkUseCase,
    FrameworkUseCaseSource,
    MigrationPath,
    Source,
    SupportSource,
    SupportStatement,
    UseCase,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import UNKNOWN, check_known, summary, support_cells

# Re-exported for app.seed.export, which reads them from here.
from app.support.reads import slugs as slugs
from app.support.reads import statement as statement

# Everything a framework's facts hang on, loaded in one query per relation (no N+1),
# for the export, which wants ORM objects (pages read plain rows: see support_cells).
WHOLE_FRAMEWORK = (
    selectinload(Framework.attribute_sources),  # type: ignore[arg-type]
    selectinload(Framework.claims).selectinload(Claim.sources),  # type: ignore[arg-type]
    selectinload(Framework.adopters).selectinload(Adopter.sources),  # type: ignore[arg-type]
    selectinload(Framework.use_cases).selectinload(FrameworkUseCase.sources),  # type: ignore[arg-type]
    selectinload(Framework.support).selectinload(SupportStatement.sources),  # type: ignore[arg-type]
)
SUPPORTED = (SupportLevel.built_in, SupportLevel.extension, SupportLevel.partial)
FACETS = ("classification", "interface", "license", "lifecycle")


class FrameworkSort(StrEnum):
    name = "name"
    name_desc = "-name"
    first_release_year = "first_release_year"
    first_release_year_desc = "-first_release_year"
    slug = "slug"


# ---- frameworks -----------------------------------------------------------


class FrameworkPage(Page[FrameworkSummary]):
    facets: dict[str, dict[str, int]]


def _sort_column(sort: FrameworkSort) -> Any:
    if sort in (FrameworkSort.first_release_year, FrameworkSort.first_release_year_desc):
        # Unknown years sort as 0: first ascending, last descending.
        return func.coalesce(Framework.first_release_year, 0)
    if sort is FrameworkSort.slug:
        return Framework.slug
    return func.lower(Framework.name)


def _framework_filters(
    session: Session,
    *,
    q: str | None,
    language: Sequence[str],
    classification: Sequence[str],
    interface: Sequence[str],
    license: Sequence[str],
    use_case: str | None,
    supports: Sequence[str],
) -> list[Any]:
    conds: list[Any] = []
    if q:
        # Literal words: `%` and `_` in q match themselves, not anything.
        words = q.lower()
        conds.append(
            sa.or_(
                func.lower(Framework.name).contains(words, autoescape=True),
                col(Framework.slug).contains(words, autoescape=True),
                func.lower(func.coalesce(Framework.description, "")).contains(
                    words, autoescape=True
                ),
            )
        )
    if language:
        conds.append(col(Framework.language).in_(language))
    if classification:
        conds.append(col(Framework.classification).in_(classification))
    if interface:
        conds.append(col(Framework.interface).in_(interface))
    if license:
        known = session.exec(select(Framework.license).distinct()).all()
        check_known("/query/license", license, [k for k in known if k], "licence")
        conds.append(col(Framework.license).in_(license))
    if use_case:
        uc = session.exec(select(UseCase.id).where(UseCase.slug == use_case)).first()
        if uc is None:
            known_cases = session.exec(select(UseCase.slug)).all()
            check_known("/query/use_case", [use_case], known_cases, "use case")
        conds.append(
            col(Framework.id).in_(
                select(FrameworkUseCase.framework_id).where(FrameworkUseCase.use_case_id == uc)
            )
        )
    if supports:
        ids = dict(
            session.exec(
                select(Feature.slug, Feature.id).where(col(Feature.slug).in_(supports))
            ).all()
        )
        check_known(
            "/query/supports",
            supports,
            ids,
            "feature",
            lambda: session.exec(select(Feature.slug)).all(),
        )
        for feature_id in dict.fromkeys(ids[s] for s in supports):
            conds.append(
                col(Framework.id).in_(
                    select(SupportStatement.framework_id).where(
                        SupportStatement.feature_id == feature_id,
                        col(SupportStatement.level).in_(SUPPORTED),
                    )
                )
            )
    return conds


def list_frameworks(
    session: Session,
    *,
    q: str | None = None,
    language: Sequence[str] = (),
    classification: Sequence[str] = (),
    interface: Sequence[str] = (),
    license: Sequence[str] = (),
    use_case: str | None = None,
    supports: Sequence[str] = (),
    sort: FrameworkSort = FrameworkSort.name,
    limit: int,
    cursor: str | None,
) -> FrameworkPage:
    conds = _framework_filters(
        session,
        q=q,
        language=language,
        classification=classification,
        interface=interface,
        license=license,
        use_case=use_case,
        supports=supports,
    )
    key = _sort_column(sort)
    descending = sort.value.startswith("-")
    stmt = select(Framework).where(*conds)
    if cursor:
        kind = int if "year" in sort.value else str
        sort_name, value, last_slug = decode_cursor(cursor, 3, (str, kind, SLUG_KEY))
        if sort_name != sort.value:
            raise unknown("/query/cursor", "was made for another sort order")
        after = sa.tuple_(key, Framework.slug)
        # The plain bound on the key lets the database start the index range there.
        stmt = stmt.where(
            *(
                (key <= value, after < (value, last_slug))
                if descending
                else (key >= value, after > (value, last_slug))
            )
        )
    order = (key.desc(), col(Framework.slug).desc()) if descending else (key, Framework.slug)
    rows = session.exec(stmt.order_by(*order).limit(limit + 1)).all()
    total = session.exec(select(func.count()).select_from(Framework).where(*conds)).one()

    def cursor_key(last: Framework) -> list[Any]:
        value = (
            last.first_release_year or 0
            if "year" in sort.value
            else last.slug
            if sort is FrameworkSort.slug
            else last.name.lower()
        )
        return [sort.value, value, last.slug]

    rows, next_cursor = paginate(rows, limit, cursor_key)
    facets: dict[str, dict[str, int]] = {}
    for name in FACETS:
        column = getattr(Framework, name)
        counts = session.exec(select(column, func.count()).where(*conds).group_by(column)).all()
        facets[name] = {
            str(v.value if isinstance(v, StrEnum) else v) if v is not None else "unknown": n
            for v, n in sorted(counts, key=lambda vn: (-vn[1], str(vn[0])))
        }
    return FrameworkPage(
        items=[summary(fw) for fw in rows], next_cursor=next_cursor, total=total, facets=facets
    )


def get_framework(session: Session, slug: str) -> Framework:
    fw = session.exec(select(Framework).where(Framework.slug == slug)).first()
    if fw is None:
        raise not_found("framework", slug, session.exec(select(Framework.slug)).all())
    return fw


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


def read_framework_detail(session: Session, slug: str) -> FrameworkDetail:
    return framework_detail(session, get_framework(session, slug))


def framework_detail(session: Session, fw: Framework) -> FrameworkDetail:
    """One framework, whole, read as plain rows: a constant number of queries, and no
    ORM objects for what is mostly many small rows."""

    conn = session.connection()
    this = {"framework_id": fw.id}
    cited: set[str] = set()
    sources_of: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for kind, owner, slug in conn.execute(DETAIL_SOURCES, this):
        sources_of[kind, owner].append(slug)
        cited.add(slug)

    attribute_sources: dict[str, list[str]] = defaultdict(list)
    for attribute, slug in conn.execute(DETAIL_ATTRIBUTE_SOURCES, this):
        attribute_sources[attribute].append(slug)
        cited.add(slug)

    by_kind: dict[ClaimKind, list[ClaimOut]] = defaultdict(list)
    facts = []
    for claim_id, kind, aspect, text, detail in conn.execute(DETAIL_CLAIMS, this):
        sources = sources_of["claim", claim_id]
        if kind is ClaimKind.fact:
            facts.append(Fact(aspect=Aspect(str(aspect)), value=text, sources=sources))
        else:
            by_kind[kind].append(ClaimOut(text=text, detail=detail, sources=sources))
    use_cases = [
        UseCaseLink(
            use_case=use_case, kind=kind, text=text, sources=sources_of["use_case", link_id]
        )
        for link_id, use_case, kind, text in conn.execute(DETAIL_USE_CASES, this)
    ]
    adopters = [
        AdopterOut(name=name, detail=detail, sources=sources_of["adopter", adopter_id])
        for adopter_id, name, detail in conn.execute(DETAIL_ADOPTERS, this)
    ]
    cells = support_cells(session, [fw.id])
    cited.update(src for stmts in cells.values() for st in stmts for src in st.sources)
    support = []
    totals: Counter[SupportLevel] = Counter(dict.fromkeys(SupportLevel, 0))
    for feature_key, feature, name, category in conn.execute(DETAIL_FEATURES):
        stmts = cells.get((fw.id or 0, feature_key or 0)) or [UNKNOWN]
        totals[stmts[0].level] += 1
        support.append(
            FeatureSupport(feature=feature, name=name, category=category, statements=stmts)
        )

    return FrameworkDetail(
        **summary(fw).model_dump(),
        attribute_sources=dict(sorted(attribute_sources.items())),
        facts=facts,
        pros=by_kind[ClaimKind.pro],
        cons=by_kind[ClaimKind.con],
        verdicts=by_kind[ClaimKind.verdict],
        use_cases=use_cases,
        adopters=adopters,
        support=support,
        support_totals=dict(totals),
        benchmarks=standings_for(session, fw.slug),
        sources=[
            source_public(src)
            for src in session.exec(
                select(Source).where(col(Source.slug).in_(cited)).order_by(col(Source.slug))
            )
        ],
    )


def source_public(src: Source) -> SourcePublic:
    return SourcePublic.model_validate(src, from_attributes=True)


# ---- features ---------------------------------------------------------------


def feature_public(f: Feature, parents: dict[int | None, str]) -> FeaturePublic:
    return FeaturePublic(
        slug=f.slug,
        name=f.name,
        category=f.category.slug,
        description=f.description,
        parent=parents.get(f.parent_id) if f.parent_id else None,
    )


def list_features(
    session: Session, *, category: Sequence[str], limit: int, cursor: str | None
) -> Page[FeaturePublic]:
    conds: list[Any] = []
    if category:
        cats = dict(session.exec(select(FeatureCategory.slug, FeatureCategory.id)).all())
        check_known("/query/category", category, cats, "category")
        conds.append(col(Feature.category_id).in_([cats[c] for c in category]))
    stmt = select(Feature).where(*conds)
    if cursor:
        position, last = decode_cursor(cursor, 2, (int, SLUG_KEY))
        stmt = stmt.where(sa.tuple_(Feature.position, Feature.slug) > (position, last))
    rows = session.exec(
        stmt.order_by(col(Feature.position), col(Feature.slug)).limit(limit + 1)
    ).all()
    total = session.exec(select(func.count()).select_from(Feature).where(*conds)).one()
    parents = dict(session.exec(select(Feature.id, Feature.slug)).all())
    rows, next_cursor = paginate(rows, limit, lambda f: [f.position, f.slug])
    return Page(
        items=[feature_public(f, parents) for f in rows], next_cursor=next_cursor, total=total
    )


def list_categories(session: Session) -> list[CategoryPublic]:
    rows = session.exec(select(FeatureCategory).order_by(col(FeatureCategory.position))).all()
    by_id = {c.id: c.slug for c in rows}
    return [
        CategoryPublic(
            slug=c.slug,
            name=c.name,
            description=c.description,
            parent=by_id.get(c.parent_id) if c.parent_id else None,
        )
        for c in rows
    ]


def feature_detail(session: Session, slug: str) -> FeatureDetail:
    feature = session.exec(select(Feature).where(Feature.slug == slug)).first()
    if feature is None:
        raise not_found("feature", slug, session.exec(select(Feature.slug)).all())
    parents = dict(session.exec(select(Feature.id, Feature.slug)).all())
    children = session.exec(
        select(Feature.slug).where(Feature.parent_id == feature.id).order_by(col(Feature.position))
    ).all()
    frameworks = session.exec(select(Framework).order_by(func.lower(Framework.name))).all()
    stmts = session.exec(
        select(SupportStatement)
        .where(SupportStatement.feature_id == feature.id)
        .options(selectinload(SupportStatement.sources))  # type: ignore[arg-type]
        .order_by(col(SupportStatement.seq))
    ).all()
    by_fw: dict[int, list[Statement]] = defaultdict(list)
    for st in stmts:
        by_fw[st.framework_id].append(statement(st))
    totals: Counter[SupportLevel] = Counter(dict.fromkeys(SupportLevel, 0))
    support = []
    for fw in frameworks:
        items = by_fw.get(fw.id or 0) or [UNKNOWN]
        totals[items[0].level] += 1
        support.append(FrameworkSupport(framework=fw.slug, name=fw.name, statements=items))
    return FeatureDetail(
        **feature_public(feature, parents).model_dump(),
        category_name=feature.category.name,
        children=list(children),
        support=support,
        totals=dict(totals),
    )


# ---- sources ------------------------------------------------------------------


def list_sources(
    session: Session, *, kind: Sequence[str], limit: int, cursor: str | None
) -> Page[SourcePublic]:
    conds: list[Any] = [col(Source.kind).in_(kind)] if kind else []
    stmt = select(Source).where(*conds)
    if cursor:
        (last,) = decode_cursor(cursor, 1, (SLUG_KEY,))
        stmt = stmt.where(Source.slug > last)
    rows = session.exec(stmt.order_by(col(Source.slug)).limit(limit + 1)).all()
    total = session.exec(select(func.count()).select_from(Source).where(*conds)).one()
    rows, next_cursor = paginate(rows, limit, lambda s: [s.slug])
    return Page(items=[source_public(s) for s in rows], next_cursor=next_cursor, total=total)


def source_detail(session: Session, slug: str) -> SourceDetail:
    src = session.exec(select(Source).where(Source.slug == slug)).first()
    if src is None:
        raise not_found("source", slug, session.exec(select(Source.slug)).all())

    def count(link: Any) -> int:
        return session.exec(
            select(func.count()).select_from(link).where(link.source_id == src.id)
        ).one()

    fw_ids: set[int] = set(
        session.exec(
            select(FrameworkAttributeSource.framework_id).where(
                FrameworkAttributeSource.source_id == src.id
            )
        ).all()
    )
    owners: list[tuple[Any, Any, Any]] = [
        (SupportSource, SupportStatement, SupportSource.statement_id),
        (ClaimSource, Claim, ClaimSource.claim_id),
        (AdopterSource, Adopter, AdopterSource.adopter_id),
        (FrameworkUseCaseSource, FrameworkUseCase, FrameworkUseCaseSource.framework_use_case_id),
    ]
    for link, owner, fk in owners:
        q = select(owner.framework_id).join(link, fk == owner.id).where(link.source_id == src.id)
        fw_ids.update(session.exec(q).all())
    frameworks = (
        session.exec(
            select(Framework.slug)
            .where(col(Framework.id).in_(fw_ids))
            .order_by(col(Framework.slug))
        ).all()
        if fw_ids
        else []
    )
    runs = session.exec(
        select(BenchmarkRun.slug)
        .where(BenchmarkRun.source_id == src.id)
        .order_by(col(BenchmarkRun.slug))
    ).all()
    return SourceDetail(
        **source_public(src).model_dump(),
        cited_by=SourceUse(
            frameworks=list(frameworks),
            support_statements=count(SupportSource),
            claims=count(ClaimSource),
            adopters=count(AdopterSource),
            use_cases=count(FrameworkUseCaseSource),
            migration_considerations=count(ConsiderationSource),
            benchmark_runs=list(runs),
        ),
    )


# ---- use cases ----------------------------------------------------------------


def use_case_public(uc: UseCase) -> UseCasePublic:
    return UseCasePublic(
        slug=uc.slug,
        name=uc.name,
        description=uc.description,
        weights=dict(uc.weights),
        must_have=list(uc.must_have),
        nice_to_have=list(uc.nice_to_have),
        sources=slugs(uc.sources),
    )


def list_use_cases(session: Session, *, limit: int, cursor: str | None) -> Page[UseCasePublic]:
    stmt = select(UseCase).options(selectinload(UseCase.sources))  # type: ignore[arg-type]
    if cursor:
        position, last = decode_cursor(cursor, 2, (int, SLUG_KEY))
        stmt = stmt.where(sa.tuple_(UseCase.position, UseCase.slug) > (position, last))
    rows = session.exec(
        stmt.order_by(col(UseCase.position), col(UseCase.slug)).limit(limit + 1)
    ).all()
    total = session.exec(select(func.count()).select_from(UseCase)).one()
    rows, next_cursor = paginate(rows, limit, lambda u: [u.position, u.slug])
    return Page(items=[use_case_public(u) for u in rows], next_cursor=next_cursor, total=total)


def use_case_detail(session: Session, slug: str) -> UseCaseDetail:
    uc = session.exec(
        select(UseCase).where(UseCase.slug == slug).options(selectinload(UseCase.sources))  # type: ignore[arg-type]
    ).first()
    if uc is None:
        raise not_found("use case", slug, session.exec(select(UseCase.slug)).all())
    links = session.exec(
        select(FrameworkUseCase, Framework.slug)
        .join(Framework, col(Framework.id) == col(FrameworkUseCase.framework_id))
        .where(FrameworkUseCase.use_case_id == uc.id)
        .options(selectinload(FrameworkUseCase.sources))  # type: ignore[arg-type]
        .order_by(col(Framework.slug), col(FrameworkUseCase.kind), col(FrameworkUseCase.position))
    ).all()
    return UseCaseDetail(
        **use_case_public(uc).model_dump(),
        frameworks=[
            UseCaseFramework(
                framework=fw_slug, kind=link.kind, text=link.text, sources=slugs(link.sources)
            )
            for link, fw_slug in links
        ],
    )


# ---- meta -------------------------------------------------------------------------


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
            support_statements=n(SupportStatement),
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
