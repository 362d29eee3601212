"""Every framework's scoring inputs as arrays, so thousands rank in milliseconds.

scoring.py stays the one definition of a score. Here its rules, vectorised, only
pick the frameworks that can reach the top or win a sensitivity trial, with a
margin wider than any rounding the scorer does; those few are then scored by
scoring.py itself, so every number shown comes from it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from app.recommendations import scoring
from app.recommendations.scoring import FrameworkFacts, Query, Support

LEVELS = ("built_in", "extension", "partial", "none", "unknown")
CODE = {level: i for i, level in enumerate(LEVELS)}
MISSING = len(LEVELS)  # no statement: scored as unknown, and not counted as described
SUPPORT = tuple(Support(level) for level in LEVELS)
# Up to 11 parts are each rounded to 0.005 points, and their sum once more.
MARGIN = 0.1

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Table:
    """One row per framework (sorted by slug), one column per feature."""

    slugs: tuple[str, ...]
    names: tuple[str, ...]
    classification: tuple[str | None, ...]
    learning_curve: tuple[str | None, ...]
    lifecycle: tuple[str, ...]
    relative_speed: tuple[float | None, ...]
    columns: Mapping[str, int]
    levels: NDArray[np.uint8]  # (frameworks, features): LEVELS codes or MISSING
    packages: NDArray[np.int64]
    # Per row, the package index's signals (empty: none known for any framework).
    maintenance: tuple[scoring.Maintenance | None, ...] = ()
    languages: tuple[str, ...] = ()  # per row; empty: every framework is in Python
    _scores: dict[bool, Floats] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_facts(cls, facts: Sequence[FrameworkFacts]) -> "Table":
        facts = sorted(facts, key=lambda f: f.slug)
        features = sorted({f for fw in facts for f in fw.support})
        columns = {f: i for i, f in enumerate(features)}
        levels = np.full((len(facts), len(features)), MISSING, dtype=np.uint8)
        for row, fw in enumerate(facts):
            for feature, st in fw.support.items():
                levels[row, columns[feature]] = CODE.get(st.level, CODE["unknown"])
        return cls(
            slugs=tuple(f.slug for f in facts),
            names=tuple(f.name for f in facts),
            classification=tuple(f.classification for f in facts),
            learning_curve=tuple(f.learning_curve for f in facts),
            lifecycle=tuple(f.lifecycle for f in facts),
            relative_speed=tuple(f.relative_speed for f in facts),
            columns=columns,
            levels=levels,
            packages=np.array([f.packages for f in facts], dtype=np.int64),
            maintenance=tuple(f.maintenance for f in facts),
            languages=tuple(f.language for f in facts),
        )

    def __len__(self) -> int:
        return len(self.slugs)

    @cached_property
    def language_of(self) -> tuple[str, ...]:
        return self.languages or ("python",) * len(self)

    @cached_property
    def max_via(self) -> int:
        return int(self.packages.max()) if len(self) else 0

    @cached_property
    def lifecycle_factor(self) -> Floats:
        return np.array([scoring.LIFECYCLE.get(c, 1.0) for c in self.lifecycle])

    def scores(self, allow_extensions: bool) -> Floats:
        """(frameworks, CRITERIA) scores after lifecycle: the same for every query but
        for whether extensions count, so worked out once per table for each."""
        if allow_extensions not in self._scores:
            q = Query(weights={}, allow_extensions=allow_extensions)
            self._scores[allow_extensions] = np.stack(
                [self.criterion(c, q) * self.lifecycle_factor for c in scoring.CRITERIA], axis=1
            )
        return self._scores[allow_extensions]

    def facts(self, row: int) -> FrameworkFacts:
        """Enough of one framework for scoring.py to score it (levels, no sources)."""
        codes = self.levels[row]
        return FrameworkFacts(
            slug=self.slugs[row],
            name=self.names[row],
            classification=self.classification[row],
            learning_curve=self.learning_curve[row],
            lifecycle=self.lifecycle[row],
            lifecycle_note=None,
            support={f: SUPPORT[codes[c]] for f, c in self.columns.items() if codes[c] != MISSING},
            relative_speed=self.relative_speed[row],
            package_count=int(self.packages[row]),
            maintenance=self.maintenance[row] if self.maintenance else None,
            language=self.language_of[row],
        )

    def _level_scores(self, features: Mapping[str, float], allow: bool) -> Floats:
        """The weighted mean of level scores over `features`, as scoring._feature_mean."""
        per_code = np.array(
            [scoring.level_score(level, allow) for level in LEVELS]
            + [scoring.level_score("unknown", allow)]
        )
        total: Floats = np.zeros(len(self))
        for feature, weight in features.items():
            column = self.columns.get(feature)
            if column is None:
                total += weight * per_code[MISSING]
            else:
                total += weight * per_code[self.levels[:, column]]
        mean: Floats = total / sum(features.values())
        return mean

    def _count(self, features: Sequence[str], codes: Sequence[int]) -> Floats:
        cols = [self.columns[f] for f in features if f in self.columns]
        counts: Floats = np.isin(self.levels[:, cols], codes).sum(axis=1).astype(np.float64)
        return counts

    def criterion(self, criterion: str, q: Query) -> Floats:
        """scoring.criterion_score's number for every framework, before lifecycle."""
        allow = q.allow_extensions
        if criterion in scoring.FEATURE_CRITERIA:
            return self._level_scores(scoring.FEATURE_CRITERIA[criterion], allow)
        if criterion == "nice_to_have":
            return self._level_scores(dict.fromkeys(q.nice_to_have, 1.0), allow)
        if criterion == "performance":
            return np.array(
                [scoring.UNKNOWN_SCORE if s is None else min(1.0, s) for s in self.relative_speed]
            )
        if criterion == "ease_of_learning":
            return np.array(
                [scoring.LEARNING.get(c or "", scoring.UNKNOWN_SCORE) for c in self.learning_curve]
            )
        if criterion == "batteries_included":
            built = self._count(scoring.BATTERIES, [CODE["built_in"]])
            partial = self._count(scoring.BATTERIES, [CODE["partial"]])
            return (built + 0.5 * partial) / len(scoring.BATTERIES)
        if criterion == "flexibility":
            kind = np.array(
                [
                    scoring.CLASSIFICATION_FLEXIBILITY.get(c or "", scoring.UNKNOWN_SCORE)
                    for c in self.classification
                ]
            )
            open_layers = self._count(scoring.OPTIONAL_LAYERS, [CODE["extension"], CODE["none"]])
            return (kind + open_layers / len(scoring.OPTIONAL_LAYERS)) / 2
        if criterion == "ecosystem":
            described = (self.levels != MISSING).sum(axis=1)
            covered = np.isin(self.levels, [CODE["built_in"], CODE["extension"]]).sum(axis=1)
            coverage = covered / np.maximum(1, described)
            ecosystem: Floats = (coverage + self.packages / max(1, self.max_via)) / 2
            return ecosystem
        if criterion == "maintenance":
            rows = self.maintenance or (None,) * len(self)
            return np.array([scoring.maintenance_score(m) for m in rows])
        raise ValueError(f"unknown criterion {criterion}")

    def satisfies(self, feature: str, allow: bool) -> NDArray[np.bool_]:
        """scoring.satisfies for every framework."""
        column = self.columns.get(feature)
        if column is None:
            return np.zeros(len(self), dtype=bool)
        ok = [CODE["built_in"], CODE["partial"]] + ([CODE["extension"]] if allow else [])
        return np.isin(self.levels[:, column], ok)


class Ranker:
    """Answers for one query: the top of the ranking, and the winner of any trial
    that only changes weights or drops must-haves (what sensitivity tries)."""

    def __init__(self, table: Table, q: Query) -> None:
        self.table = table
        self.q = q
        self._criteria = [*scoring.CRITERIA, *(["nice_to_have"] if q.nice_to_have else [])]
        self._scores = table.scores(q.allow_extensions)
        if q.nice_to_have:
            nice = table.criterion("nice_to_have", q) * table.lifecycle_factor
            self._scores = np.column_stack([self._scores, nice])
        self._must = {f: table.satisfies(f, q.allow_extensions) for f in q.must_have}
        self._accepted = np.array([q.accepts(lang) for lang in table.language_of], dtype=bool)

    def _kept(self, q: Query) -> NDArray[np.bool_]:
        # Sensitivity trials change weights and must-haves, never the languages.
        kept = self._accepted.copy()
        for feature in q.must_have:
            kept &= self._must[feature]
        return kept

    def _approx(self, q: Query) -> Floats:
        active = {c: w for c, w in q.weights.items() if w > 0}
        if q.nice_to_have:
            active["nice_to_have"] = scoring.NICE_TO_HAVE_WEIGHT
        weights = np.array([active.get(c, 0) for c in self._criteria], dtype=np.float64)
        return 100 * (self._scores @ weights) / (sum(active.values()) or 1)

    def _exact(self, rows: NDArray[np.intp], q: Query) -> list[scoring.Ranked]:
        ranked = [
            scoring.score_framework(self.table.facts(int(r)), q, self.table.max_via) for r in rows
        ]
        ranked.sort(key=lambda r: (-r.score, r.framework.slug))
        return ranked

    def top(self, limit: int, q: Query | None = None) -> list[scoring.Ranked]:
        """The first `limit` frameworks as scoring.rank orders them."""
        q = q or self.q
        kept = np.flatnonzero(self._kept(q))
        if not len(kept) or limit < 1:
            return []
        approx = self._approx(q)[kept]
        cut = np.sort(approx)[::-1][min(limit, len(kept)) - 1] - MARGIN
        return self._exact(kept[approx >= cut], q)[:limit]

    def winner(self, q: Query) -> str | None:
        top = self.top(1, q)
        return top[0].framework.slug if top else None

    def excluded(self) -> list[scoring.Excluded]:
        rows = np.flatnonzero(~self._kept(self.q))
        # Plain lists: indexing NumPy arrays one element at a time is slow in a loop.
        lacks = {f: (~self._must[f][rows]).tolist() for f in self.q.must_have}
        languages = self.table.language_of
        accepted = self._accepted.tolist()
        return [
            scoring.Excluded(
                self.table.slugs[r],
                tuple(f for f in lacks if lacks[f][i]),
                None if accepted[r] else languages[r],
            )
            for i, r in enumerate(rows.tolist())
        ]

    def sensitivity(self) -> list[scoring.Change]:
        return scoring.smallest_changes(self.winner, self.q)
