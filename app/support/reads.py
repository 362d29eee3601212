"""Reads every domain shares: known-slug checks, support statements and cells, framework
summaries. Domains import this; it imports no domain."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.catalogue.schemas import FrameworkSummary, StatementOut
from app.enums import SupportLevel
from app.errors import not_found, unknown_values
from app.models import Framework, Source, SupportSource, SupportStatement


def slugs(sources: Iterable[Source]) -> list[str]:
    return sorted(s.slug for s in sources)


def check_known(
    pointer: str,
    wanted: Sequence[str],
    known: Iterable[str],
    kind: str,
    everything: Callable[[], Iterable[str]] | None = None,
) -> None:
    """A 422 naming every unknown value: list parameters never drop values silently."""
    unknown_values(pointer, wanted, known, kind, everything)


def get_framework(session: Session, slug: str) -> Framework:
    """The framework with `slug`, or the 404 that names the closest slugs: the one place
    a framework slug in a path becomes a row."""
    fw = session.exec(select(Framework).where(Framework.slug == slug)).first()
    if fw is None:
        raise not_found("framework", slug, session.exec(select(Framework.slug)).all())
    return fw


def summary(fw: Framework) -> FrameworkSummary:
    return FrameworkSummary.model_validate(fw, from_attributes=True)


def statement(st: SupportStatement) -> StatementOut:
    return StatementOut(
        level=st.level,
        since_version=st.since_version,
        until_version=st.until_version,
        via=list(st.via),
        official_via=list(st.official_via),
        notes=st.notes,
        sources=slugs(st.sources),
        last_verified=st.last_verified,
        inherited_from=st.inherited_from,
    )


UNKNOWN = StatementOut(level=SupportLevel.unknown, notes="No statement in the dataset yet.")


FRAMEWORK_IDS: sa.BindParameter[int] = sa.bindparam("framework_ids", expanding=True)
CELL_SOURCES = (
    sa.select(col(SupportSource.statement_id), col(Source.slug))
    .join(Source, col(Source.id) == col(SupportSource.source_id))
    .join(SupportStatement, col(SupportStatement.id) == col(SupportSource.statement_id))
    .where(col(SupportStatement.framework_id).in_(FRAMEWORK_IDS))
    .order_by(col(Source.slug))
)
CELL_STATEMENTS = (
    sa.select(
        col(SupportStatement.id),
        col(SupportStatement.framework_id),
        col(SupportStatement.feature_id),
        col(SupportStatement.level),
        col(SupportStatement.since_version),
        col(SupportStatement.until_version),
        col(SupportStatement.via),
        col(SupportStatement.official_via),
        col(SupportStatement.notes),
        col(SupportStatement.last_verified),
        col(SupportStatement.inherited_from),
    )
    .where(col(SupportStatement.framework_id).in_(FRAMEWORK_IDS))
    .order_by(col(SupportStatement.seq))
)


def support_cells(
    session: Session, framework_ids: Sequence[int | None]
) -> dict[tuple[int, int], list[StatementOut]]:
    """Every support statement of these frameworks by (framework, feature), first first,
    read as plain rows in two queries: the bulk of a detail, a matrix or a compare."""
    conn = session.connection()
    ids = {"framework_ids": list(framework_ids)}
    sources: dict[int, list[str]] = defaultdict(list)
    for statement_id, slug in conn.execute(CELL_SOURCES, ids):
        sources[statement_id].append(slug)
    cells: dict[tuple[int, int], list[StatementOut]] = defaultdict(list)
    for row in conn.execute(CELL_STATEMENTS, ids):
        st_id, fw_id, feature_id, level, since, until, via, official, notes, verified, base = row
        cells[fw_id, feature_id].append(
            StatementOut(
                level=level,
                since_version=since,
                until_version=until,
                via=list(via),
                official_via=list(official),
                notes=notes,
                sources=sources.get(st_id or 0, []),
                last_verified=verified,
                inherited_from=base,
            )
        )
    return cells
