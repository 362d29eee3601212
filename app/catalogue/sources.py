"""Sources: where every fact comes from, and what each one backs."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from app.catalogue.schemas import (
    SourceDetail,
    SourcePublic,
    SourceUse,
)
from app.errors import not_found
from app.models import (
    Adopter,
    AdopterSource,
    BenchmarkRun,
    Claim,
    ClaimSource,
    ConsiderationSource,
    Framework,
    FrameworkAttributeSource,
    FrameworkUseCase,
    FrameworkUseCaseSource,
    Source,
    SupportSource,
    SupportStatement,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate


def source_public(src: Source) -> SourcePublic:
    return SourcePublic.model_validate(src, from_attributes=True)


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
        if owner is SupportStatement:  # a source backs its own statements, not their copies
            q = q.where(col(SupportStatement.inherited_from).is_(None))
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
            support_statements=session.exec(
                select(func.count())
                .select_from(SupportSource)
                .join(SupportStatement, col(SupportStatement.id) == SupportSource.statement_id)
                .where(
                    SupportSource.source_id == src.id,
                    col(SupportStatement.inherited_from).is_(None),
                )
            ).one(),
            claims=count(ClaimSource),
            adopters=count(AdopterSource),
            use_cases=count(FrameworkUseCaseSource),
            migration_considerations=count(ConsiderationSource),
            benchmark_runs=list(runs),
        ),
    )
