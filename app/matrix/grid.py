"""The feature matrix: frameworks x features, as JSON or CSV."""

import csv
import io
from collections import Counter
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from app.enums import SupportLevel
from app.matrix.schemas import (
    Cell,
    Matrix,
    MatrixFramework,
    MatrixRow,
)
from app.models import (
    Feature,
    FeatureCategory,
    Framework,
)
from app.support.reads import UNKNOWN, check_known, support_cells

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
