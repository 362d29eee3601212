"""Build a snapshot of the dataset for the pure scorer, and explain its answer."""

import re
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
from app.enums import LANGUAGE_NAMES, ClaimKind, Language, UseCaseLinkKind
from app.models import Claim, Feature, Framework, FrameworkUseCase, SupportStatement, UseCase
from app.recommendations import scoring
from app.recommendations.schemas import (
    BreakdownItem,
    Caveat,
    ChangeOut,
    EffectiveQuery,
    EvidenceOut,
    ExcludedOut,
    Recommendation,
    RecommendationRequest,
    RecommendationResult,
    Sensitivity,
)
from app.recommendations.table import CODE, MISSING, Ranker, Table
from app.support.reads import check_known
from app.support.reads import slugs as slugs_of

# Which cons speak to which criterion: a con becomes a caveat when its criterion counts.
CAVEAT_PATTERNS = {
    "performance": r"perform|slow|fast|overhead|heavy",
    "async": r"async|wsgi",
    "batteries_included": r"batteries|built-in|manual|setup|boilerplate|orm",
    "flexibility": r"opinionated|monolithic|restrictive|deviate|conventions",
    "ease_of_learning": r"learn|beginner|boilerplate|complex",
    "api_docs": r"documentation|validation|api",
    "admin": r"admin",
    "security": r"security|csrf|xss",
    "ecosystem": r"ecosystem|extension|community|younger|third-party",
    "maintenance": r"maintain|abandon|inactive|unmaintained|release",
}


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


def _reasons(r: scoring.Ranked, q: scoring.Query) -> list[str]:
    use_case = q.use_case
    top = sorted((p for p in r.parts if p.contribution > 0), key=lambda p: -p.contribution)[:3]
    reasons = [
        f"{scoring.LABELS[p.criterion]} ({p.contribution:.1f} points): "
        + "; ".join(e.fact for e in p.evidence[:3])
        for p in top
    ]
    if q.languages:
        reasons.append(
            f"Written in {LANGUAGE_NAMES[r.framework.language]}, one of the languages the"
            " team accepts."
        )
    for rule in r.framework.rules.get(use_case or "", ()):
        reasons.append(
            f'A source recommends {r.framework.name} when you "{rule.fact}" '
            f"({', '.join(rule.sources)})."
        )
    return reasons


@dataclass(frozen=True)
class Stack:
    """The frameworks built on another (`based_on`), and where the ranking put each."""

    bases: dict[str, str]
    names: dict[str, str]
    ranks: dict[str, tuple[int, float]]

    def caveat(self, r: scoring.Ranked) -> Caveat | None:
        """A framework built on another always brings its base along, and scores at least
        what the base scores on what they share: say so, and where the base stands."""
        base = self.bases.get(r.framework.slug)
        if base is None:
            return None
        name, base_name = r.framework.name, self.names.get(base, base)
        text = f"Built on {base_name}: a {name} project is a {base_name} project plus {name}."
        if base in self.ranks:
            rank, score = self.ranks[base]
            text += (
                f" {base_name} alone ranks {rank} here ({score:.1f}); choose {name} for what it"
                " adds, not for what it inherits."
            )
        return Caveat(text=text, sources=list(r.framework.attribute_sources.get("based_on", ())))


def _caveats(
    r: scoring.Ranked, weights: dict[str, int], stack: Stack | None = None
) -> list[Caveat]:
    out = []
    if stack is not None and (built_on := stack.caveat(r)) is not None:
        out.append(built_on)
    if r.framework.lifecycle != "active":
        out.append(
            Caveat(
                text=f"Lifecycle: {r.framework.lifecycle}. "
                f"{r.framework.lifecycle_note or ''}".strip(),
                sources=list(r.framework.attribute_sources.get("lifecycle", ())),
            )
        )
    pattern = "|".join(CAVEAT_PATTERNS[c] for c, w in weights.items() if w > 0)
    if pattern:
        for con in r.framework.cons:
            if re.search(pattern, con.fact, re.IGNORECASE):
                out.append(Caveat(text=con.fact, sources=list(con.sources)))
    m = r.framework.maintenance
    if weights.get("maintenance"):
        if m is None or not m.known:
            out.append(
                Caveat(
                    text="No maintenance signals from the package index: maintenance is scored"
                    " as unknown (0.5).",
                    sources=[],
                )
            )
        elif m.vulnerabilities:
            out.append(
                Caveat(
                    text=f"The package index lists {m.vulnerabilities} advisory(ies) for the"
                    " latest release.",
                    sources=list(r.framework.attribute_sources.get("vulnerabilities", ())),
                )
            )
    if weights.get("performance") and r.framework.relative_speed is None:
        out.append(
            Caveat(text="No benchmark result: performance is scored as unknown (0.5).", sources=[])
        )
    out += [
        Caveat(
            text=f"Lacks nice-to-have feature '{f}'.",
            sources=list(r.framework.support.get(f, scoring.Support("unknown")).sources),
        )
        for f in r.missing
    ]
    return out


def recommend(
    session: Session, req: RecommendationRequest, *, where: str = "body"
) -> Recommendation:
    """`where` is the request part the fields came in (`body`, or `query` for the GET),
    so an error points at what the client sent."""
    preset = None
    if req.use_case:
        preset = session.exec(select(UseCase).where(UseCase.slug == req.use_case)).first()
        if preset is None:
            known_cases = session.exec(select(UseCase.slug)).all()
            check_known(f"/{where}/use_case", [req.use_case], known_cases, "use case")
    must = req.must_have if req.must_have is not None else (preset.must_have if preset else [])
    nice = (
        req.nice_to_have
        if req.nice_to_have is not None
        else (preset.nice_to_have if preset else [])
    )
    known = set(session.exec(select(Feature.slug)).all())
    check_known(f"/{where}/must_have", must, known, "feature")
    check_known(f"/{where}/nice_to_have", nice, known, "feature")
    weights = scoring.effective_weights(
        preset.weights if preset else {},
        {c.value: w for c, w in (req.priorities or {}).items()},
        req.team_experience.value if req.team_experience else None,
    )
    query = scoring.Query(
        weights=weights,
        must_have=tuple(dict.fromkeys(must)),
        nice_to_have=tuple(dict.fromkeys(nice)),
        allow_extensions=req.allow_extensions,
        use_case=req.use_case,
        languages=tuple(dict.fromkeys(lang.value for lang in req.languages or ())),
    )
    snap = ranking_snapshot(session)
    ranker = Ranker(snap.table, query)
    top = ranker.top(req.limit)
    full = full_facts(session, snap, [r.framework.slug for r in top], query)
    # Scored again with every fact at hand: the same numbers, now with their evidence.
    ranked = [
        scoring.score_framework(full[r.framework.slug], query, snap.table.max_via) for r in top
    ]
    excluded = ranker.excluded()
    changes = ranker.sensitivity()
    rows = session.exec(select(Framework.slug, Framework.name, Framework.based_on)).all()
    stack = Stack(
        bases={slug: base for slug, _, base in rows if base},
        names={slug: name for slug, name, _ in rows},
        ranks={r.framework.slug: (i, r.score) for i, r in enumerate(ranked, start=1)},
    )
    return Recommendation(
        query=EffectiveQuery(
            use_case=req.use_case,
            must_have=list(query.must_have),
            nice_to_have=list(query.nice_to_have),
            team_experience=req.team_experience,
            languages=[Language(lang) for lang in query.languages],
            allow_extensions=req.allow_extensions,
            limit=req.limit,
        ),
        weights=weights,
        results=[
            RecommendationResult(
                rank=i,
                framework=r.framework.slug,
                name=r.framework.name,
                language=Language(r.framework.language),
                score=r.score,
                breakdown=[
                    BreakdownItem(
                        criterion=p.criterion,
                        weight=p.weight,
                        score=p.score,
                        contribution=p.contribution,
                        evidence=[
                            EvidenceOut(fact=e.fact, sources=list(e.sources)) for e in p.evidence
                        ],
                    )
                    for p in r.parts
                ],
                matched=list(r.matched),
                missing=list(r.missing),
                reasons=_reasons(r, query),
                caveats=_caveats(r, weights, stack),
            )
            for i, r in enumerate(ranked, start=1)
        ],
        # Thousands of rows of slugs already checked on the way in: built, not re-validated.
        excluded=[
            ExcludedOut.model_construct(
                framework=e.framework,
                lacking=list(e.lacking),
                language=Language(e.language) if e.language else None,
            )
            for e in excluded
        ],
        sensitivity=Sensitivity(
            winner=ranked[0].framework.slug if ranked else None,
            smallest_changes=[
                ChangeOut(
                    kind=c.kind,
                    criterion=c.criterion,
                    feature=c.feature,
                    from_weight=c.from_weight,
                    to_weight=c.to_weight,
                    new_winner=c.new_winner,
                )
                for c in changes
            ],
        ),
    )
