"""The feature matrix, side-by-side comparison, and migration paths."""

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, col, func, select

from app.benchmarks.service import summarise
from app.catalogue.schemas import ClaimOut, FrameworkSummary
from app.enums import Aspect, ClaimKind, SupportLevel
from app.errors import AppError, invalid, not_found
from app.matrix.schemas import (
    AttributeRow,
    Cell,
    CompareValue,
    Comparison,
    Consideration,
    Matrix,
    MatrixFramework,
    MatrixRow,
    MigrationOut,
    ProsCons,
)
from app.models import (
    Claim,
    Feature,
    FeatureCategory,
    Framework,
    FrameworkAttributeSource,
    MigrationConsideration,
    MigrationPath,
    Source,
)
from app.paging import SLUG_KEY, Page, decode_cursor, paginate
from app.support.reads import UNKNOWN, check_known, slugs, summary, support_cells

MIN_COMPARE, MAX_COMPARE = 2, 10


def _frameworks(session: Session, wanted: Sequence[str], pointer: str) -> list[Framework]:
    """Frameworks in the order asked for (all, by name, when none are named)."""
    if not wanted:
        return list(session.exec(select(Framework).order_by(func.lower(Framework.name))).all())
    rows = {
        f.slug: f for f in session.exec(select(Framework).where(col(Framework.slug).in_(wanted)))
    }
    check_known(
        pointer, wanted, rows, "framework", lambda: session.exec(select(Framework.slug)).all()
    )
    return [rows[s] for s in dict.fromkeys(wanted)]


def _features(session: Session, wanted: Sequence[str], categories: Sequence[str]) -> list[Feature]:
    stmt = select(Feature).order_by(col(Feature.position), col(Feature.slug))
    if categories:
        known = dict(session.exec(select(FeatureCategory.slug, FeatureCategory.id)).all())
        check_known("/query/category", categories, known, "category")
        # A category includes its sub-categories.
        parents = dict(session.exec(select(FeatureCategory.id, FeatureCategory.parent_id)).all())
        chosen = {known[c] for c in categories}
        ids = {cid for cid in parents if cid in chosen or parents.get(cid) in chosen}
        stmt = stmt.where(col(Feature.category_id).in_(ids))
    rows = list(session.exec(stmt).all())
    if wanted:
        by_slug = {
            f.slug: f for f in session.exec(select(Feature).where(col(Feature.slug).in_(wanted)))
        }
        check_known(
            "/query/features",
            wanted,
            by_slug,
            "feature",
            lambda: session.exec(select(Feature.slug)).all(),
        )
        keep = set(wanted)
        rows = [f for f in rows if f.slug in keep]
    return rows


def build_matrix(
    session: Session,
    frameworks: list[Framework],
    features: list[Feature],
    *,
    differing_first: bool = False,
) -> Matrix:
    cells = support_cells(session, [f.id for f in frameworks])
    totals: dict[str, Counter[SupportLevel]] = {
        f.slug: Counter(dict.fromkeys(SupportLevel, 0)) for f in frameworks
    }
    rows = []
    for feature in features:
        row_cells = {}
        for fw in frameworks:
            items = cells.get((fw.id or 0, feature.id or 0)) or [UNKNOWN]
            row_cells[fw.slug] = Cell(level=items[0].level, statements=items)
            totals[fw.slug][items[0].level] += 1
        levels = {c.level for c in row_cells.values()}
        rows.append(
            MatrixRow(
                feature=feature.slug,
                name=feature.name,
                category=feature.category.slug,
                cells=row_cells,
                differs=len(levels) > 1,
            )
        )
    if differing_first:
        rows.sort(key=lambda r: not r.differs)  # stable: category order within each group
    return Matrix(
        frameworks=[MatrixFramework(slug=f.slug, name=f.name) for f in frameworks],
        rows=rows,
        totals={k: dict(v) for k, v in totals.items()},
    )


def matrix(
    session: Session, *, frameworks: Sequence[str], features: Sequence[str], category: Sequence[str]
) -> Matrix:
    return build_matrix(
        session,
        _frameworks(session, frameworks, "/query/frameworks"),
        _features(session, features, category),
    )


def cell_text(cell: Cell) -> str:
    """A spreadsheet-friendly cell: `extension (Flask-Admin)`, `built_in (since 2.0)`."""
    parts = []
    for st in cell.statements:
        extras = list(st.via)
        if st.since_version:
            extras.append(f"since {st.since_version}")
        if st.until_version:
            extras.append(f"until {st.until_version}")
        parts.append(f"{st.level.value} ({', '.join(extras)})" if extras else st.level.value)
    return "; ".join(parts)


def matrix_csv(m: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["feature", "name", "category", *(f.name for f in m.frameworks)])
    for row in m.rows:
        writer.writerow(
            [
                row.feature,
                row.name,
                row.category,
                *(cell_text(row.cells[f.slug]) for f in m.frameworks),
            ]
        )
    return out.getvalue()


# ---- compare -------------------------------------------------------------------

ATTRIBUTES = [
    ("classification", "Classification"),
    ("interface", "Interface"),
    ("first_release_year", "First release"),
    ("license", "Licence"),
    ("learning_curve", "Learning curve"),
    ("lifecycle", "Lifecycle"),
    ("latest_version", "Latest version"),
    ("language", "Language"),
]
SUPPORT_ROWS = [
    ("async-views", "Async support"),
    ("orm", "Built-in ORM"),
    ("admin-panel", "Admin panel"),
    ("request-validation", "Request validation"),
    ("openapi-docs", "API documentation"),
    ("templating", "Templating"),
]
ASPECT_LABELS = {
    Aspect.type: "Type",
    Aspect.release_year: "Release year",
    Aspect.philosophy: "Philosophy",
    Aspect.learning_curve: "Learning curve",
    Aspect.performance: "Performance",
    Aspect.async_support: "Async support",
    Aspect.validation: "Validation",
    Aspect.orm: "Database ORM",
    Aspect.admin_panel: "Admin panel",
    Aspect.api_docs: "API documentation",
    Aspect.best_for: "Best for",
    Aspect.language_version: "Python version",
}


def _row(key: str, label: str, values: dict[str, CompareValue]) -> AttributeRow:
    distinct = {(v.value or "").strip().lower() for v in values.values()}
    return AttributeRow(key=key, label=label, values=values, differs=len(distinct) > 1)


def compare(
    session: Session,
    wanted: Sequence[str],
    *,
    features: Sequence[str] = (),
    category: Sequence[str] = (),
) -> Comparison:
    """`features` and `category` narrow the matrix rows, as they do on `/matrix`."""
    duplicates = sorted({s for s in wanted if wanted.count(s) > 1})
    if duplicates:
        raise invalid("/query/frameworks", f"named more than once: {', '.join(duplicates)}")
    if not MIN_COMPARE <= len(wanted) <= MAX_COMPARE:
        raise invalid(
            "/query/frameworks",
            f"compare takes {MIN_COMPARE} to {MAX_COMPARE} frameworks, not {len(wanted)}",
        )
    frameworks = _frameworks(session, wanted, "/query/frameworks")
    ids = [f.id for f in frameworks]
    by_id = {f.id: f.slug for f in frameworks}
    attr_sources: dict[tuple[str, str], list[str]] = defaultdict(list)
    for fw_id, attribute, src in session.exec(
        select(
            FrameworkAttributeSource.framework_id, FrameworkAttributeSource.attribute, Source.slug
        )
        .join(Source, col(Source.id) == col(FrameworkAttributeSource.source_id))
        .where(col(FrameworkAttributeSource.framework_id).in_(ids))
    ).all():
        attr_sources[(by_id[fw_id], attribute)].append(src)
    summaries = {f.slug: summary(f) for f in frameworks}
    rows = []
    for key, label in ATTRIBUTES:
        values = {}
        for f in frameworks:
            raw = getattr(summaries[f.slug], key)
            values[f.slug] = CompareValue(
                value=None if raw is None else str(getattr(raw, "value", raw)),
                sources=sorted(attr_sources.get((f.slug, key), [])),
            )
        rows.append(_row(key, label, values))

    rows_wanted = _features(session, features, category)
    m = build_matrix(session, frameworks, rows_wanted, differing_first=True)
    cells = {r.feature: r for r in m.rows}
    for feature, label in SUPPORT_ROWS:
        if feature in cells:
            rows.append(
                _row(
                    f"support:{feature}",
                    label,
                    {
                        slug: CompareValue(
                            value=cell_text(cell), sources=cell.statements[0].sources
                        )
                        for slug, cell in cells[feature].cells.items()
                    },
                )
            )

    claims = session.exec(
        select(Claim)
        .where(col(Claim.framework_id).in_(ids))
        .options(selectinload(Claim.sources))  # type: ignore[arg-type]
        .order_by(col(Claim.position))
    ).all()
    facts: dict[tuple[str, str], dict[str, list[ClaimOut]]] = defaultdict(lambda: defaultdict(list))
    pros_cons = {f.slug: ProsCons(pros=[], cons=[]) for f in frameworks}
    for claim in claims:
        slug = by_id[claim.framework_id]
        out = ClaimOut(text=claim.text, detail=claim.detail, sources=slugs(claim.sources))
        if claim.kind is ClaimKind.fact:
            for src in out.sources:
                facts[(str(claim.aspect), src)][slug].append(out)
        elif claim.kind is ClaimKind.pro:
            pros_cons[slug].pros.append(out)
        elif claim.kind is ClaimKind.con:
            pros_cons[slug].cons.append(out)
    order = list(Aspect)
    for (aspect, src), per_fw in sorted(
        facts.items(), key=lambda kv: (order.index(Aspect(kv[0][0])), kv[0][1])
    ):
        rows.append(
            _row(
                f"fact:{aspect}:{src}",
                f"{ASPECT_LABELS[Aspect(aspect)]} ({src})",
                {
                    f.slug: CompareValue(
                        value="; ".join(c.text for c in per_fw[f.slug]) or None,
                        sources=[src] if per_fw.get(f.slug) else [],
                    )
                    for f in frameworks
                },
            )
        )

    bench = summarise(session, frameworks=[f.slug for f in frameworks])
    speed = {i.framework: i for i in bench.items}
    rows.append(
        _row(
            "benchmarks:relative_speed",
            f"Relative speed (baseline {bench.baseline})",
            {
                f.slug: CompareValue(
                    value=f"{speed[f.slug].relative_speed:.2f}x"
                    if f.slug in speed and speed[f.slug].relative_speed is not None
                    else None,
                    sources=speed[f.slug].sources if f.slug in speed else [],
                )
                for f in frameworks
            },
        )
    )
    return Comparison(
        frameworks=[FrameworkSummary.model_validate(summaries[f.slug]) for f in frameworks],
        attributes=rows,
        matrix=m,
        pros_cons=pros_cons,
        benchmarks=bench,
        migrations=list(list_migrations(session, among=[f.slug for f in frameworks])),
    )


# ---- migrations ------------------------------------------------------------------


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
        if session.exec(select(Framework.id).where(Framework.slug == slug)).first() is None:
            raise not_found("framework", slug, session.exec(select(Framework.slug)).all())
    items = list_migrations(session, origin=origin, target=target)
    if not items:
        raise AppError(
            404, f"No migration notes from '{origin}' to '{target}' yet.", slug="not-found"
        )
    return items[0]
