"""Features and their categories, and one feature across every framework."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from app.catalogue.schemas import (
    CategoryPublic,
    FeatureDetail,
    FeaturePublic,
    FrameworkSupport,
    StatementOut,
)
from app.enums import SupportLevel
from app.errors import not_found
from app.models import (
    Feature,
    FeatureCategory,
    Framework,
    SupportStatement,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import UNKNOWN, check_known, statement


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
    by_fw: dict[int, list[StatementOut]] = defaultdict(list)
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
