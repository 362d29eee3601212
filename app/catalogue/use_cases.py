"""Use cases: the recommendation presets and what sources say about them."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.catalogue.schemas import (
    UseCaseDetail,
    UseCaseFramework,
    UseCasePublic,
)
from app.errors import not_found
from app.models import (
    Framework,
    FrameworkUseCase,
    UseCase,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import slugs


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
