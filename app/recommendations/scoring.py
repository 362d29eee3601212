"""Recommendation scoring: pure functions over a snapshot of the dataset, no I/O.

score = 100 * sum(w_c * s_c) / sum(w_c) over the criteria with weight > 0, where
s_c in [0, 1] is derived from the dataset (support levels, learning curve,
classification, benchmark summary, the package index's maintenance signals) and
multiplied by a lifecycle factor.
docs/recommendations.md documents every rule with a worked example.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from app.enums import Criterion

# The one list of criteria is the enum the API validates against.
CRITERIA = tuple(c.value for c in Criterion)
LABELS = {
    "performance": "Performance",
    "async": "Async support",
    "batteries_included": "Batteries included",
    "flexibility": "Flexibility",
    "ease_of_learning": "Ease of learning",
    "api_docs": "API documentation",
    "admin": "Admin panel",
    "security": "Security",
    "ecosystem": "Ecosystem",
    "maintenance": "Maintenance",
    "nice_to_have": "Nice-to-have features",
}
# Which features speak for a criterion, and how much each counts.
FEATURE_CRITERIA: dict[str, dict[str, float]] = {
    "async": {"async-views": 2, "websockets": 1, "server-sent-events": 1, "background-tasks": 1},
    "api_docs": {"openapi-docs": 2, "request-validation": 1, "serialization": 1},
    "admin": {"admin-panel": 1},
    "security": {
        "csrf-protection": 1,
        "xss-protection": 1,
        "clickjacking-protection": 1,
        "sql-injection-protection": 1,
        "authentication": 1,
        "sessions": 1,
    },
}
BATTERIES = (
    "orm",
    "migrations",
    "admin-panel",
    "authentication",
    "authorization",
    "sessions",
    "forms",
    "templating",
    "i18n",
    "email",
    "caching",
    "csrf-protection",
    "cli",
)
OPTIONAL_LAYERS = ("orm", "templating", "forms", "admin-panel", "authentication")
# The features whose statements an explanation cites (with `via` and sources).
EXPLAINED_FEATURES = frozenset(
    {f for weights in FEATURE_CRITERIA.values() for f in weights} | set(BATTERIES)
)
CLASSIFICATION_FLEXIBILITY = {"micro": 1.0, "api": 0.7, "platform": 0.5, "full-stack": 0.2}
LEARNING = {"gentle": 1.0, "moderate": 0.6, "steep": 0.2}
LIFECYCLE = {"active": 1.0, "maintenance": 0.85, "deprecated": 0.5}
UNKNOWN_SCORE = 0.5  # neither rewarded nor punished for what the dataset does not know
NICE_TO_HAVE_WEIGHT = 3
EXPERIENCE_SHIFT = {"beginner": 2, "intermediate": 0, "expert": -2}


def level_score(level: str, allow_extensions: bool) -> float:
    return {
        "built_in": 1.0,
        "extension": 0.7 if allow_extensions else 0.0,
        "partial": 0.5,
        "none": 0.0,
    }.get(level, 0.25)


@dataclass(frozen=True)
class Evidence:
    fact: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Support:
    level: str
    via: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


# Maintenance (from the package index's signals): the mean of four parts, each 0.5 unknown.
RELEASES_FOR_FULL_CADENCE = 4  # releases in the last 12 months that score 1.0
RECENCY = ((183, 1.0), (365, 0.75), (730, 0.4))  # days since the latest release -> part
STALE_RECENCY = 0.1  # more than two years
MAINTENANCE_SIGNALS = (
    "releases_last_12_months",
    "latest_release_date",
    "maintainers",
    "vulnerabilities",
)


@dataclass(frozen=True)
class Maintenance:
    """The package index's signals for one framework; None = the index does not say."""

    releases_last_12_months: int | None = None
    latest_release_date: date | None = None
    maintainers: int | None = None
    vulnerabilities: int | None = None  # advisories on the latest release

    @property
    def known(self) -> bool:
        return any(getattr(self, name) is not None for name in MAINTENANCE_SIGNALS)

    def age_days(self, today: date | None = None) -> int | None:
        if self.latest_release_date is None:
            return None
        return ((today or datetime.now(UTC).date()) - self.latest_release_date).days


def maintenance_parts(m: Maintenance | None, today: date | None = None) -> dict[str, float]:
    """Cadence, recency, owners and advisories, each in [0, 1] (UNKNOWN_SCORE if unknown)."""
    m = m or Maintenance()
    age = m.age_days(today)
    recency = UNKNOWN_SCORE
    if age is not None:
        recency = next((part for limit, part in RECENCY if age <= limit), STALE_RECENCY)
    return {
        "releases_last_12_months": UNKNOWN_SCORE
        if m.releases_last_12_months is None
        else min(1.0, m.releases_last_12_months / RELEASES_FOR_FULL_CADENCE),
        "latest_release_date": recency,
        "maintainers": UNKNOWN_SCORE
        if m.maintainers is None
        else (1.0 if m.maintainers > 1 else 0.5 if m.maintainers == 1 else 0.0),
        "vulnerabilities": UNKNOWN_SCORE
        if m.vulnerabilities is None
        else (1.0 if m.vulnerabilities == 0 else 0.0),
    }


def maintenance_score(m: Maintenance | None, today: date | None = None) -> float:
    parts = maintenance_parts(m, today)
    return sum(parts.values()) / len(parts)


@dataclass(frozen=True)
class FrameworkFacts:
    slug: str
    name: str
    classification: str | None
    learning_curve: str | None
    lifecycle: str
    lifecycle_note: str | None
    support: Mapping[str, Support]
    attribute_sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    relative_speed: float | None = None
    speed_baseline: str | None = None
    speed_runs: int = 0
    speed_sources: tuple[str, ...] = ()
    cons: tuple[Evidence, ...] = ()
    rules: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    # Known without the statements' `via` lists (a snapshot of levels only).
    package_count: int | None = None
    maintenance: Maintenance | None = None
    language: str = "python"

    @property
    def packages(self) -> int:
        """How many distinct extension packages the dataset names for this framework."""
        if self.package_count is not None:
            return self.package_count
        return len({p for st in self.support.values() for p in st.via})


@dataclass(frozen=True)
class Query:
    weights: Mapping[str, int]
    must_have: tuple[str, ...] = ()
    nice_to_have: tuple[str, ...] = ()
    allow_extensions: bool = True
    use_case: str | None = None
    # The languages the team accepts (a hard filter); empty accepts every language.
    languages: tuple[str, ...] = ()

    def accepts(self, language: str) -> bool:
        return not self.languages or language in self.languages


@dataclass(frozen=True)
class Part:
    criterion: str
    weight: int
    score: float
    contribution: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Ranked:
    framework: FrameworkFacts
    score: float
    parts: tuple[Part, ...]
    matched: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    framework: str
    lacking: tuple[str, ...]
    # Set when the framework's language is not one the team accepts.
    language: str | None = None


def effective_weights(
    preset: Mapping[str, int], explicit: Mapping[str, int], experience: str | None
) -> dict[str, int]:
    """Preset, then explicit priorities, then team experience; all neutral (1) if none given."""
    weights = dict.fromkeys(CRITERIA, 0)
    weights.update(preset)
    weights.update(explicit)
    if not any(weights.values()):
        weights = dict.fromkeys(CRITERIA, 1)
    if experience:
        shifted = weights["ease_of_learning"] + EXPERIENCE_SHIFT[experience]
        weights["ease_of_learning"] = max(0, min(5, shifted))
    return weights


def _feature_mean(
    fw: FrameworkFacts, features: Mapping[str, float], allow: bool
) -> tuple[float, tuple[Evidence, ...]]:
    total = sum(features.values())
    score = 0.0
    evidence = []
    for feature, weight in features.items():
        st = fw.support.get(feature, Support("unknown"))
        score += weight * level_score(st.level, allow)
        via = f" via {', '.join(st.via)}" if st.via else ""
        evidence.append(Evidence(f"{feature}: {st.level}{via}", st.sources))
    return score / total, tuple(evidence)


def criterion_score(
    fw: FrameworkFacts, criterion: str, q: Query, max_via: int
) -> tuple[float, tuple[Evidence, ...]]:
    allow = q.allow_extensions
    if criterion in FEATURE_CRITERIA:
        return _feature_mean(fw, FEATURE_CRITERIA[criterion], allow)
    if criterion == "performance":
        if fw.relative_speed is None:
            return UNKNOWN_SCORE, (Evidence("no benchmark result in the dataset"),)
        return min(1.0, fw.relative_speed), (
            Evidence(
                f"relative speed {fw.relative_speed:.2f} of {fw.speed_baseline} over "
                f"{fw.speed_runs} run(s)",
                fw.speed_sources,
            ),
        )
    if criterion == "ease_of_learning":
        curve = fw.learning_curve
        sources = fw.attribute_sources.get("learning_curve", ())
        if curve is None:
            return UNKNOWN_SCORE, (Evidence("learning curve unknown"),)
        return LEARNING[curve], (Evidence(f"learning curve: {curve}", sources),)
    if criterion == "batteries_included":
        built = [f for f in BATTERIES if fw.support.get(f, Support("unknown")).level == "built_in"]
        partial = [f for f in BATTERIES if fw.support.get(f, Support("unknown")).level == "partial"]
        score = (len(built) + 0.5 * len(partial)) / len(BATTERIES)
        return score, (
            Evidence(
                f"{len(built)} of {len(BATTERIES)} batteries built in"
                + (f" ({', '.join(built)})" if built else ""),
                tuple(sorted({s for f in built for s in fw.support[f].sources})),
            ),
        )
    if criterion == "flexibility":
        kind = CLASSIFICATION_FLEXIBILITY.get(fw.classification or "", UNKNOWN_SCORE)
        open_layers = [
            f
            for f in OPTIONAL_LAYERS
            if fw.support.get(f, Support("unknown")).level in ("extension", "none")
        ]
        score = (kind + len(open_layers) / len(OPTIONAL_LAYERS)) / 2
        return score, (
            Evidence(
                f"classification: {fw.classification or 'unknown'}",
                fw.attribute_sources.get("classification", ()),
            ),
            Evidence(
                f"left to your choice: {', '.join(open_layers) or 'none of'} "
                f"{'' if open_layers else 'the optional layers'}".strip()
            ),
        )
    if criterion == "ecosystem":
        covered = [f for f, st in fw.support.items() if st.level in ("built_in", "extension")]
        coverage = len(covered) / max(1, len(fw.support))
        breadth = fw.packages / max(1, max_via)
        return (coverage + breadth) / 2, (
            Evidence(f"{len(covered)} of {len(fw.support)} features built in or by extension"),
            Evidence(f"{fw.packages} extension packages named in the dataset"),
        )
    if criterion == "maintenance":
        return _maintenance(fw)
    raise ValueError(f"unknown criterion {criterion}")


def _maintenance(fw: FrameworkFacts) -> tuple[float, tuple[Evidence, ...]]:
    m = fw.maintenance
    if m is None or not m.known:
        return UNKNOWN_SCORE, (Evidence("no maintenance signals from the package index"),)
    src = fw.attribute_sources.get
    age = m.age_days()
    facts = (
        ("releases_last_12_months", "releases in the last 12 months", m.releases_last_12_months),
        ("latest_release_date", "days since the latest release", age),
        ("maintainers", "package owners and maintainers", m.maintainers),
        ("vulnerabilities", "advisories on the latest release", m.vulnerabilities),
    )
    evidence = tuple(
        Evidence(f"{label}: {'unknown' if value is None else value}", src(name, ()))
        for name, label, value in facts
    )
    return maintenance_score(m), evidence


def score_framework(fw: FrameworkFacts, q: Query, max_via: int) -> Ranked:
    active = {c: w for c, w in q.weights.items() if w > 0}
    if q.nice_to_have:
        active["nice_to_have"] = NICE_TO_HAVE_WEIGHT
    total_weight = sum(active.values()) or 1
    factor = LIFECYCLE.get(fw.lifecycle, 1.0)
    parts = []
    for criterion, weight in active.items():
        if criterion == "nice_to_have":
            score, evidence = _feature_mean(
                fw, dict.fromkeys(q.nice_to_have, 1.0), q.allow_extensions
            )
        else:
            score, evidence = criterion_score(fw, criterion, q, max_via)
        score = round(score * factor, 4)
        parts.append(
            Part(criterion, weight, score, round(100 * weight * score / total_weight, 2), evidence)
        )
    matched = tuple(f for f in q.nice_to_have if satisfies(fw, f, q.allow_extensions))
    missing = tuple(f for f in q.nice_to_have if f not in matched)
    total = round(sum(p.contribution for p in parts), 2)
    return Ranked(fw, total, tuple(parts), matched, missing)


def satisfies(fw: FrameworkFacts, feature: str, allow_extensions: bool) -> bool:
    level = fw.support.get(feature, Support("unknown")).level
    return level in ("built_in", "partial") or (allow_extensions and level == "extension")


def rank(
    frameworks: Sequence[FrameworkFacts], q: Query, max_via: int | None = None
) -> tuple[list[Ranked], list[Excluded]]:
    """Ranked frameworks (ties broken by slug) and those a must-have excludes.

    `max_via` is the most extension packages any framework has; it defaults to the
    most among `frameworks`, and is given when they are only some of them.
    """
    kept, excluded = [], []
    for fw in frameworks:
        lacking = tuple(f for f in q.must_have if not satisfies(fw, f, q.allow_extensions))
        refused = None if q.accepts(fw.language) else fw.language
        if lacking or refused:
            excluded.append(Excluded(fw.slug, lacking, refused))
        else:
            kept.append(fw)
    if max_via is None:
        max_via = max((fw.packages for fw in frameworks), default=0)
    ranked = [score_framework(fw, q, max_via) for fw in kept]
    ranked.sort(key=lambda r: (-r.score, r.framework.slug))
    return ranked, sorted(excluded, key=lambda e: e.framework)


@dataclass(frozen=True)
class Change:
    kind: str  # "weight" or "remove_must_have"
    criterion: str | None
    feature: str | None
    from_weight: int | None
    to_weight: int | None
    new_winner: str

    @property
    def size(self) -> int:
        if self.kind == "weight":
            return abs((self.to_weight or 0) - (self.from_weight or 0))
        return 1


def sensitivity(frameworks: Sequence[FrameworkFacts], q: Query) -> list[Change]:
    """The smallest single changes of input that change the winner (all of that size)."""

    def winner(query: Query) -> str | None:
        ranked, _ = rank(frameworks, query)
        return ranked[0].framework.slug if ranked else None

    return smallest_changes(winner, q)


def smallest_changes(winner: Callable[[Query], str | None], q: Query) -> list[Change]:
    """Try every single weight change and must-have removal; keep the smallest that
    give another winner. `winner` answers who ranks first for a query."""
    current_winner = winner(q)
    if current_winner is None:
        return []
    changes: list[Change] = []
    for criterion in CRITERIA:
        current = q.weights.get(criterion, 0)
        for new in range(6):
            if new == current:
                continue
            trial = winner(replace(q, weights={**q.weights, criterion: new}))
            if trial is not None and trial != current_winner:
                changes.append(Change("weight", criterion, None, current, new, trial))
    for feature in q.must_have:
        trial = winner(replace(q, must_have=tuple(f for f in q.must_have if f != feature)))
        if trial is not None and trial != current_winner:
            changes.append(Change("remove_must_have", None, feature, None, None, trial))
    if not changes:
        return []
    smallest = min(c.size for c in changes)
    return [c for c in changes if c.size == smallest]
