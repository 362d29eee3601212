"""Checks a schema cannot express: references, sourcing, completeness."""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from packaging.version import Version

from app.enums import ClaimKind, SupportLevel
from app.seed.load import inherited_support, statements
from app.seed.policy import policy_problems
from app.seed.schema import Dataset


def _duplicates(kind: str, slugs: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for slug in slugs:
        if slug in seen:
            out.append(f"duplicate {kind} slug '{slug}'")
        seen.add(slug)
    return out


def lint(
    dataset: Dataset, *, max_age_days: int | None = None, today: date | None = None
) -> list[str]:
    """Every problem in the dataset, one message each; empty when it may be loaded."""
    problems: list[str] = []
    problems += _duplicates("source", (s.slug for s in dataset.sources))
    problems += _duplicates("category", (c.slug for c in dataset.categories))
    problems += _duplicates("feature", (f.slug for f in dataset.features))
    problems += _duplicates("use case", (u.slug for u in dataset.use_cases))
    problems += _duplicates("framework", (f.slug for f in dataset.frameworks))
    problems += _duplicates("benchmark run", (r.slug for r in dataset.runs))
    problems += _duplicates("migration", (f"{m.from_}->{m.to}" for m in dataset.migrations))

    sources = {s.slug for s in dataset.sources}
    categories = {c.slug for c in dataset.categories}
    features = {f.slug for f in dataset.features}
    use_cases = {u.slug for u in dataset.use_cases}
    frameworks = {f.slug for f in dataset.frameworks}

    def cite(where: str, slugs: list[str]) -> None:
        if not slugs:
            problems.append(f"{where}: has no source")
        problems.extend(f"{where}: unknown source '{s}'" for s in slugs if s not in sources)

    for cat in dataset.categories:
        if cat.parent and cat.parent not in categories:
            problems.append(f"category {cat.slug}: unknown parent '{cat.parent}'")
    for feat in dataset.features:
        if feat.category not in categories:
            problems.append(f"feature {feat.slug}: unknown category '{feat.category}'")
        if feat.parent and feat.parent not in features:
            problems.append(f"feature {feat.slug}: unknown parent '{feat.parent}'")
    for uc in dataset.use_cases:
        cite(f"use case {uc.slug}", uc.sources)
        for slug in [*uc.must_have, *uc.nice_to_have]:
            if slug not in features:
                problems.append(f"use case {uc.slug}: unknown feature '{slug}'")

    limit = (
        (today or datetime.now(UTC).date()) - timedelta(days=max_age_days) if max_age_days else None
    )
    for fw in dataset.frameworks:
        where = f"framework {fw.slug}"
        if not fw.attribute_sources:
            problems.append(f"{where}: has no source for its attributes")
        for attribute, slugs in sorted(fw.attribute_sources.items()):
            if attribute not in type(fw).model_fields:
                problems.append(f"{where}: attribute_sources names unknown attribute '{attribute}'")
            cite(f"{where} attribute {attribute}", slugs)
        for i, fact in enumerate(fw.facts):
            cite(f"{where} facts[{i}]", fact.sources)
        for i, claim in enumerate(fw.claims):
            if claim.kind is ClaimKind.fact:
                problems.append(f"{where} claims[{i}]: a fact goes under `facts`, with an aspect")
            cite(f"{where} claims[{i}]", claim.sources)
        for i, link in enumerate(fw.use_cases):
            if link.use_case not in use_cases:
                problems.append(f"{where} use_cases[{i}]: unknown use case '{link.use_case}'")
            cite(f"{where} use_cases[{i}]", link.sources)
        for i, adopter in enumerate(fw.adopters):
            cite(f"{where} adopters[{i}]", adopter.sources)
        for feature, value in sorted(fw.support.items()):
            if feature not in features:
                problems.append(f"{where} support: unknown feature '{feature}'")
            for st in statements(value):
                at = f"{where} support.{feature}"
                cite(at, st.sources)
                if st.level is SupportLevel.extension and not st.via:
                    problems.append(f"{at}: an extension statement must name its package in via")
                if (
                    st.since_version
                    and st.until_version
                    and Version(st.since_version) > Version(st.until_version)
                ):
                    problems.append(f"{at}: since_version is after until_version")
                if limit and (st.last_verified is None or st.last_verified < limit):
                    problems.append(f"{at}: not verified within {max_age_days} days")
    for run in dataset.runs:
        if run.source not in sources:
            problems.append(f"benchmark run {run.slug}: unknown source '{run.source}'")
        for i, result in enumerate(run.results):
            if result.framework not in frameworks:
                problems.append(
                    f"benchmark run {run.slug} results[{i}]: unknown framework '{result.framework}'"
                )
    for mig in dataset.migrations:
        where = f"migration {mig.from_}->{mig.to}"
        for slug in (mig.from_, mig.to):
            if slug not in frameworks:
                problems.append(f"{where}: unknown framework '{slug}'")
        if mig.from_ == mig.to:
            problems.append(f"{where}: a framework cannot migrate to itself")
        for i, item in enumerate(mig.considerations):
            cite(f"{where} considerations[{i}]", item.sources)
    for lang, (unknown, cells, _) in unknown_by_language(dataset).items():
        if cells and unknown / cells > MAX_UNKNOWN_PER_LANGUAGE:
            problems.append(
                f"language {lang}: {unknown} of {cells} cells unknown or missing"
                f" ({100 * unknown / cells:.1f}%), over {MAX_UNKNOWN_PER_LANGUAGE:.0%}"
            )
    problems += policy_problems(dataset, today or datetime.now(UTC).date())
    return problems


def completeness(dataset: Dataset) -> list[tuple[str, int, int, Counter[str]]]:
    """Per framework: features with a known level, all features, and the count per level
    (a statement inherited from the framework's base counts as the framework's)."""
    total = len(dataset.features)
    rows = []
    for fw in dataset.frameworks:
        levels: Counter[str] = Counter()
        inherited = inherited_support(dataset, fw.slug)
        for feature in (f.slug for f in dataset.features):
            value = fw.support.get(feature) or (
                inherited[feature][1] if feature in inherited else None
            )
            level = statements(value)[0].level.value if value else "missing"
            levels[level] += 1
        known = total - levels["unknown"] - levels["missing"]
        rows.append((fw.slug, known, total, levels))
    return rows


def unknown_share(dataset: Dataset) -> tuple[int, int]:
    """Cells (framework x feature, inherited included) that are unknown or missing, of all."""
    rows = completeness(dataset)
    return sum(total - known for _, known, total, _ in rows), sum(total for _, _, total, _ in rows)


# docs/data-policy.md: the most of a language's cells that may stay unknown.
MAX_UNKNOWN_PER_LANGUAGE = 0.10


def unknown_by_language(dataset: Dataset) -> dict[str, tuple[int, int, int]]:
    """Per language: (unknown or missing cells, all cells, frameworks), inherited included."""
    language = {fw.slug: fw.language.value for fw in dataset.frameworks}
    out: dict[str, tuple[int, int, int]] = {}
    for slug, known, total, _ in completeness(dataset):
        unknown, cells, count = out.get(language[slug], (0, 0, 0))
        out[language[slug]] = (unknown + total - known, cells + total, count + 1)
    return dict(sorted(out.items()))


BASELINE = "lint-baseline.txt"


def split_baseline(problems: list[str], root: Path) -> tuple[list[str], list[str], list[str]]:
    """(new problems, problems the baseline already lists, baseline lines no longer seen).

    The baseline lists breaches of the data policy that predate its lints and are still
    being worked off: they are reported, not fatal; anything new fails, and so does a
    baseline line whose problem is gone (the file only shrinks)."""
    path = root / BASELINE
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    known = {line for line in lines if line and not line.startswith("#")}
    seen = set(problems)
    return (
        [p for p in problems if p not in known],
        [p for p in problems if p in known],
        sorted(known - seen),
    )
