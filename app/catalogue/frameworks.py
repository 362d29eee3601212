"""Frameworks: the filtered, faceted list and one framework, whole."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.benchmarks.service import standings_for
from app.catalogue.queries import (
    DETAIL_ADOPTERS,
    DETAIL_ATTRIBUTE_SOURCES,
    DETAIL_CLAIMS,
    DETAIL_FEATURES,
    DETAIL_SOURCES,
    DETAIL_USE_CASES,
)
from app.catalogue.schemas import (
    AdopterOut,
    ClaimOut,
    Fact,
    FeatureSupport,
    FrameworkDetail,
    FrameworkSummary,
    UseCaseLink,
)
from app.catalogue.sources import source_public
from app.enums import Aspect, ClaimKind, SupportLevel
from app.errors import unknown
from app.models import (
    Adopter,
    Claim,
    Feature,
    Framework,
    FrameworkUseCase,
    Source,
    SupportStatement,
    UseCase,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import UNKNOWN, check_known, get_framework, summary, support_cells

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
FACETS = ("language", "classification", "interface", "concurrency_model", "license", "lifecycle")


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
    concurrency_model: Sequence[str],
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
    if concurrency_model:
        conds.append(col(Framework.concurrency_model).in_(concurrency_model))
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
    concurrency_model: Sequence[str] = (),
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
        concurrency_model=concurrency_model,
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
        **summary(fw).model_dump(exclude={"last_release_age_days"}),
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
