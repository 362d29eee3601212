"""What ranking reads of the dataset: every framework's levels as arrays, built once per
dataset version, and the evidence of the few frameworks an answer shows."""

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.benchmarks.schemas import StandingOut
from app.benchmarks.service import summarise
from app.db import pk
from app.derived import derived
from app.enums import ClaimKind, UseCaseLinkKind
from app.models import Claim, Feature, Framework, FrameworkUseCase, SupportStatement
from app.recommendations import scoring
from app.recommendations.table import CODE, MISSING, Table
from app.support.reads import slugs as slugs_of


@dataclass(frozen=True)
class Snapshot:
    """What ranking needs of every framework, built once per dataset version."""

    table: Table
    speed: dict[str, StandingOut]
    baseline: str | None


def ranking_snapshot(session: Session) -> Snapshot:
    """Built once per dataset version, not from every support statement per request."""
    return derived(session, "ranking snapshot", lambda: _build_snapshot(session))


def _build_snapshot(session: Session) -> Snapshot:
    frameworks = (
        session.connection()
        .execute(
            sa.select(
                col(Framework.id),
                col(Framework.slug),
                col(Framework.name),
                col(Framework.language),
                col(Framework.classification),
                col(Framework.learning_curve),
                col(Framework.lifecycle),
                col(Framework.releases_last_12_months),
                col(Framework.latest_release_date),
                col(Framework.maintainers),
                col(Framework.vulnerabilities),
            ).order_by(col(Framework.slug))
        )
        .all()
    )
    rows = {fw.id: i for i, fw in enumerate(frameworks)}
    features = session.exec(select(Feature.id, Feature.slug).order_by(col(Feature.slug))).all()
    columns = {slug: i for i, (_, slug) in enumerate(features)}
    column_of = {feature_id: i for i, (feature_id, _) in enumerate(features)}
    levels = np.full((len(frameworks), len(features)), MISSING, dtype=np.uint8)
    first = col(SupportStatement.seq) == 0  # the first statement is the one that counts
    for fw_id, feature_id, level in session.connection().execute(
        sa.select(
            col(SupportStatement.framework_id),
            col(SupportStatement.feature_id),
            sa.type_coerce(col(SupportStatement.level), sa.String),
        ).where(first)
    ):
        levels[rows[fw_id], column_of[feature_id]] = CODE[level]
    packages: dict[int, set[str]] = defaultdict(set)
    for fw_id, via in session.exec(
        select(col(SupportStatement.framework_id), col(SupportStatement.via)).where(
            first, sa.cast(col(SupportStatement.via), sa.String) != "[]"
        )
    ):
        packages[fw_id].update(via)
    bench = summarise(session)
    speed = {item.framework: item for item in bench.items}
    return Snapshot(
        table=Table(
            slugs=tuple(fw.slug for fw in frameworks),
            names=tuple(fw.name for fw in frameworks),
            classification=tuple(
                c.value if (c := fw.classification) else None for fw in frameworks
            ),
            learning_curve=tuple(
                c.value if (c := fw.learning_curve) else None for fw in frameworks
            ),
            lifecycle=tuple(fw.lifecycle.value for fw in frameworks),
            relative_speed=tuple(
                s.relative_speed if (s := speed.get(fw.slug)) else None for fw in frameworks
            ),
            columns=columns,
            levels=levels,
            packages=np.array([len(packages[fw.id]) for fw in frameworks], dtype=np.int64),
            maintenance=tuple(
                scoring.Maintenance(
                    releases_last_12_months=fw.releases_last_12_months,
                    latest_release_date=fw.latest_release_date,
                    maintainers=fw.maintainers,
                    vulnerabilities=None if fw.vulnerabilities is None else len(fw.vulnerabilities),
                )
                for fw in frameworks
            ),
            languages=tuple(fw.language.value for fw in frameworks),
        ),
        speed=speed,
        baseline=bench.baseline,
    )


def full_facts(
    session: Session, snap: Snapshot, slugs: list[str], q: scoring.Query
) -> dict[str, scoring.FrameworkFacts]:
    """The frameworks shown, with the evidence and sources their answer cites.

    Levels come from the snapshot; statements (with `via` and sources) are read only
    for the features an explanation names, which keeps this cheap however many
    features the dataset describes.
    """
    table = snap.table
    cited = {*scoring.EXPLAINED_FEATURES, *q.nice_to_have, *q.must_have}
    frameworks = session.exec(
        select(Framework)
        .where(col(Framework.slug).in_(slugs))
        .options(
            selectinload(Framework.attribute_sources),  # type: ignore[arg-type]
            selectinload(Framework.claims).selectinload(Claim.sources),  # type: ignore[arg-type]
            selectinload(Framework.use_cases).selectinload(FrameworkUseCase.sources),  # type: ignore[arg-type]
        )
    ).all()
    statements = session.exec(
        select(SupportStatement, Feature.slug)
        .join(Feature, col(Feature.id) == col(SupportStatement.feature_id))
        .where(
            col(SupportStatement.framework_id).in_([fw.id for fw in frameworks]),
            col(Feature.slug).in_(cited),
            col(SupportStatement.seq) == 0,
        )
        .options(selectinload(SupportStatement.sources))  # type: ignore[arg-type]
    ).all()
    sourced: dict[int, dict[str, scoring.Support]] = defaultdict(dict)
    for st, feature in statements:
        sourced[st.framework_id][feature] = scoring.Support(
            st.level.value, tuple(st.via), tuple(slugs_of(st.sources))
        )
    row_of = {slug: i for i, slug in enumerate(table.slugs)}
    facts = {}
    for fw in frameworks:
        row = row_of[fw.slug]
        levels_only = table.facts(row)
        attribute_sources: dict[str, list[str]] = defaultdict(list)
        for link in fw.attribute_sources:
            attribute_sources[link.attribute].append(link.source.slug)
        rules = tuple(
            scoring.Evidence(link.text, tuple(slugs_of(link.sources)))
            for link in fw.use_cases
            if q.use_case
            and link.use_case.slug == q.use_case
            and link.kind is UseCaseLinkKind.decision_rule
        )
        standing = snap.speed.get(fw.slug)
        facts[fw.slug] = replace(
            levels_only,
            lifecycle_note=fw.lifecycle_note,
            support={**levels_only.support, **sourced[pk(fw)]},
            attribute_sources={k: tuple(sorted(v)) for k, v in attribute_sources.items()},
            speed_baseline=snap.baseline,
            speed_runs=standing.runs if standing else 0,
            speed_sources=tuple(standing.sources) if standing else (),
            cons=tuple(
                scoring.Evidence(
                    c.text + (f": {c.detail}" if c.detail else ""), tuple(slugs_of(c.sources))
                )
                for c in fw.claims
                if c.kind is ClaimKind.con
            ),
            rules={q.use_case: rules} if q.use_case else {},
        )
    return facts
