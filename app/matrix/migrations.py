"""Migration paths: what moving from one framework to another gains and costs."""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, col, func, select

from app.errors import AppError
from app.matrix.grid import _frameworks
from app.matrix.schemas import (
    Consideration,
    MigrationOut,
)
from app.models import (
    Framework,
    MigrationConsideration,
    MigrationPath,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import get_framework, slugs


def _migration_out(path: MigrationPath, names: dict[int, str]) -> MigrationOut:
    considerations = [
        Consideration(kind=c.kind, text=c.text, sources=slugs(c.sources))
        for c in path.considerations
    ]
    return MigrationOut(
        from_=names[path.from_framework_id],
        to=names[path.to_framework_id],
        effort=path.effort,
        effort_basis=path.effort_basis,
        summary=path.summary,
        considerations=considerations,
        sources=sorted({s for c in considerations for s in c.sources}),
    )


def _paths(
    columns: Callable[[Any, Any], tuple[Any, ...]],
    *,
    origin: str | None = None,
    target: str | None = None,
    among: Sequence[str] = (),
    after: tuple[str, str] | None = None,
) -> tuple[Any, Any, Any]:
    """Migration paths matching the filters, selecting `columns(origin_fw, target_fw)`."""
    origin_fw, target_fw = aliased(Framework), aliased(Framework)
    conds: list[Any] = []
    if origin:
        conds.append(origin_fw.slug == origin)
    if target:
        conds.append(target_fw.slug == target)
    if among:
        conds += [col(origin_fw.slug).in_(among), col(target_fw.slug).in_(among)]
    if after:
        conds.append(sa.tuple_(origin_fw.slug, target_fw.slug) > after)
    stmt = (
        select(*columns(origin_fw, target_fw))
        .select_from(MigrationPath)
        .join(origin_fw, col(origin_fw.id) == col(MigrationPath.from_framework_id))
        .join(target_fw, col(target_fw.id) == col(MigrationPath.to_framework_id))
        .where(*conds)
    )
    return stmt, origin_fw, target_fw


def list_migrations(
    session: Session,
    *,
    origin: str | None = None,
    target: str | None = None,
    among: Sequence[str] = (),
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[MigrationOut]:
    for pointer, slug in (("/query/from", origin), ("/query/to", target)):
        if slug:
            _frameworks(session, [slug], pointer)
    stmt, origin_fw, target_fw = _paths(
        lambda o, t: (MigrationPath, o.slug, t.slug),
        origin=origin,
        target=target,
        among=among,
        after=after,
    )
    stmt = stmt.options(
        selectinload(MigrationPath.considerations).selectinload(MigrationConsideration.sources)  # type: ignore[arg-type]
    ).order_by(origin_fw.slug, target_fw.slug)
    rows = session.exec(stmt.limit(limit) if limit else stmt).all()
    results = [
        _migration_out(path, {path.from_framework_id: from_slug, path.to_framework_id: to_slug})
        for path, from_slug, to_slug in rows
    ]
    if among:
        rank = {s: i for i, s in enumerate(among)}
        results.sort(key=lambda m: (rank[m.from_], rank[m.to]))
    return results


def migrations_page(
    session: Session, *, origin: str | None, target: str | None, limit: int, cursor: str | None
) -> Page[MigrationOut]:
    after = None
    if cursor:
        last_from, last_to = decode_cursor(cursor, 2, (SLUG_KEY, SLUG_KEY))
        after = (str(last_from), str(last_to))
    items = list_migrations(session, origin=origin, target=target, after=after, limit=limit + 1)
    count, _, _ = _paths(lambda _o, _t: (func.count(),), origin=origin, target=target)
    total = session.exec(count).one()
    items, next_cursor = paginate(items, limit, lambda m: [m.from_, m.to])
    return Page(items=items, next_cursor=next_cursor, total=total)


def migration(session: Session, origin: str, target: str) -> MigrationOut:
    for slug in (origin, target):
        get_framework(session, slug)
    items = list_migrations(session, origin=origin, target=target)
    if not items:
        raise AppError(
            404, f"No migration notes from '{origin}' to '{target}' yet.", slug="not-found"
        )
    return items[0]
