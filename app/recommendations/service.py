"""A recommendation, whole: the pure scorer's ranking over the snapshot, explained."""

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from app.enums import LANGUAGE_NAMES, Language
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
from app.recommendations.snapshot import full_facts, ranking_snapshot
from app.recommendations.table import Ranker
from app.support.reads import check_known

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
