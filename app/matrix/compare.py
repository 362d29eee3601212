"""Frameworks side by side: attributes, matrix, pros and cons, benchmarks, migrations."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.benchmarks.service import summarise
from app.catalogue.schemas import ClaimOut, FrameworkSummary
from app.enums import Aspect, ClaimKind
from app.errors import invalid
from app.matrix.grid import (
    MAX_COMPARE,
    MIN_COMPARE,
    _features,
    _frameworks,
    build_matrix,
    cell_text,
)
from app.matrix.migrations import list_migrations
from app.matrix.schemas import (
    AttributeRow,
    CompareValue,
    Comparison,
    ProsCons,
)
from app.models import (
    Claim,
    FrameworkAttributeSource,
    Source,
)
from app.support.reads import slugs, summary

ATTRIBUTES = [
    ("language", "Language"),
    ("classification", "Classification"),
    ("interface", "Interface"),
    ("concurrency_model", "Concurrency model"),
    ("package", "Package"),
    ("first_release_year", "First release"),
    ("license", "Licence"),
    ("learning_curve", "Learning curve"),
    ("lifecycle", "Lifecycle"),
    ("latest_version", "Latest version"),
    ("based_on", "Built on"),
]
# The package index's maintenance signals: (key, label, the attribute whose sources back it).
MAINTENANCE = [
    ("releases_last_12_months", "Releases in the last 12 months", "releases_last_12_months"),
    (
        "median_days_between_releases",
        "Median days between releases",
        "median_days_between_releases",
    ),
    ("last_release_age_days", "Days since the latest release", "latest_release_date"),
    ("maintainers", "Package owners", "maintainers"),
    ("requires_python", "Requires Python", "requires_python"),
    ("typed", "Ships type information", "typed"),
    ("module_format", "Module format", "module_format"),
    ("deprecation", "Deprecated on its registry", "deprecation"),
    ("vulnerabilities", "Advisories on the latest release", "vulnerabilities"),
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


def _signal_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(v.id for v in value) if value else "none listed"
    return str(value)


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
    retrieved: dict[tuple[str, str], date] = {}
    for fw_id, attribute, src, day in session.exec(
        select(
            FrameworkAttributeSource.framework_id,
            FrameworkAttributeSource.attribute,
            Source.slug,
            col(Source.retrieved),
        )
        .join(Source, col(Source.id) == col(FrameworkAttributeSource.source_id))
        .where(col(FrameworkAttributeSource.framework_id).in_(ids))
    ).all():
        pair = (by_id[fw_id], attribute)
        attr_sources[pair].append(src)
        if day is not None and (pair not in retrieved or day > retrieved[pair]):
            retrieved[pair] = day
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
    for key, label, backed_by in MAINTENANCE:
        rows.append(
            _row(
                f"maintenance:{key}",
                label,
                {
                    f.slug: CompareValue(
                        value=_signal_text(getattr(summaries[f.slug], key)),
                        sources=sorted(attr_sources.get((f.slug, backed_by), []))
                        if getattr(summaries[f.slug], key) is not None
                        else [],
                        retrieved=retrieved.get((f.slug, backed_by))
                        if getattr(summaries[f.slug], key) is not None
                        else None,
                    )
                    for f in frameworks
                },
            )
        )

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
