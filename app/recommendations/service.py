"""Build a snapshot of the dataset for the pure scorer, and explain its answer."""

import re
from collections import defaultdict

from sqlmodel import Session, col, select

from app.benchmarks.service import summarise
from app.catalogue.service import WHOLE_FRAMEWORK, check_known, slugs
from app.enums import ClaimKind, UseCaseLinkKind
from app.errors import invalid
from app.models import Feature, Framework, UseCase
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
}


def snapshot(session: Session, use_case: str | None) -> list[scoring.FrameworkFacts]:
    frameworks = session.exec(
        select(Framework).order_by(col(Framework.slug)).options(*WHOLE_FRAMEWORK)
    ).all()
    features = dict(session.exec(select(Feature.id, Feature.slug)).all())
    bench = summarise(session)
    speed, baseline = {i.framework: i for i in bench.items}, bench.baseline
    facts = []
    for fw in frameworks:
        support = {}
        for st in sorted(fw.support, key=lambda s: -s.seq):  # the first statement wins
            support[features[st.feature_id]] = scoring.Support(
                st.level.value, tuple(st.via), tuple(slugs(st.sources))
            )
        attribute_sources: dict[str, list[str]] = defaultdict(list)
        for link in fw.attribute_sources:
            attribute_sources[link.attribute].append(link.source.slug)
        rules = tuple(
            scoring.Evidence(link.text, tuple(slugs(link.sources)))
            for link in fw.use_cases
            if use_case
            and link.use_case.slug == use_case
            and link.kind is UseCaseLinkKind.decision_rule
        )
        standing = speed.get(fw.slug)
        facts.append(
            scoring.FrameworkFacts(
                slug=fw.slug,
                name=fw.name,
                classification=fw.classification.value if fw.classification else None,
                learning_curve=fw.learning_curve.value if fw.learning_curve else None,
                lifecycle=fw.lifecycle.value,
                lifecycle_note=fw.lifecycle_note,
                support=support,
                attribute_sources={k: tuple(sorted(v)) for k, v in attribute_sources.items()},
                relative_speed=standing.relative_speed if standing else None,
                speed_baseline=baseline,
                speed_runs=standing.runs if standing else 0,
                speed_sources=tuple(standing.sources) if standing else (),
                cons=tuple(
                    scoring.Evidence(
                        c.text + (f": {c.detail}" if c.detail else ""), tuple(slugs(c.sources))
                    )
                    for c in fw.claims
                    if c.kind is ClaimKind.con
                ),
                rules={use_case: rules} if use_case else {},
            )
        )
    return facts


def _reasons(r: scoring.Ranked, use_case: str | None) -> list[str]:
    top = sorted((p for p in r.parts if p.contribution > 0), key=lambda p: -p.contribution)[:3]
    reasons = [
        f"{scoring.LABELS[p.criterion]} ({p.contribution:.1f} points): "
        + "; ".join(e.fact for e in p.evidence[:3])
        for p in top
    ]
    for rule in r.framework.rules.get(use_case or "", ()):
        reasons.append(
            f'A source recommends {r.framework.name} when you "{rule.fact}" '
            f"({', '.join(rule.sources)})."
        )
    return reasons


def _caveats(r: scoring.Ranked, weights: dict[str, int]) -> list[Caveat]:
    out = []
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


def recommend(session: Session, req: RecommendationRequest) -> Recommendation:
    preset = None
    if req.use_case:
        preset = session.exec(select(UseCase).where(UseCase.slug == req.use_case)).first()
        if preset is None:
            raise invalid("/body/use_case", f"unknown use case: '{req.use_case}'")
    must = req.must_have if req.must_have is not None else (preset.must_have if preset else [])
    nice = (
        req.nice_to_have
        if req.nice_to_have is not None
        else (preset.nice_to_have if preset else [])
    )
    known = set(session.exec(select(Feature.slug)).all())
    check_known("/body/must_have", must, known, "feature")
    check_known("/body/nice_to_have", nice, known, "feature")
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
    )
    facts = snapshot(session, req.use_case)
    ranked, excluded = scoring.rank(facts, query)
    changes = scoring.sensitivity(facts, query)
    return Recommendation(
        query=EffectiveQuery(
            use_case=req.use_case,
            must_have=list(query.must_have),
            nice_to_have=list(query.nice_to_have),
            team_experience=req.team_experience,
            allow_extensions=req.allow_extensions,
            limit=req.limit,
        ),
        weights=weights,
        results=[
            RecommendationResult(
                rank=i,
                framework=r.framework.slug,
                name=r.framework.name,
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
                reasons=_reasons(r, req.use_case),
                caveats=_caveats(r, weights),
            )
            for i, r in enumerate(ranked[: req.limit], start=1)
        ],
        excluded=[ExcludedOut(framework=e.framework, lacking=list(e.lacking)) for e in excluded],
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
