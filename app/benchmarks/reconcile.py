"""Reconcile benchmark figures from different runs: pure functions, no I/O.

Absolute requests per second from different machines are not comparable, so
each figure becomes a ratio to a reference framework measured in the same run,
and the ratios of different runs are combined with a geometric mean. Runs this
project measured itself (`fwatlas bench`, source kind `measured`) and runs an
article or a suite reports (cited) are also combined separately, so a cited
ratio that the measurement contradicts is flagged rather than averaged away.
The method is documented, with a worked example, in docs/benchmarks.md.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Runs whose ratios for one framework differ by more than this factor disagree.
DISAGREEMENT_FACTOR = 1.25


def representative_rps(value: float | None, low: float | None, high: float | None) -> float:
    """One number for a figure: the value, a range's midpoint, or an open range's bound."""
    if value is not None:
        return value
    if low is not None and high is not None:
        return (low + high) / 2
    bound = low if low is not None else high
    if bound is None:
        raise ValueError("a benchmark figure has neither a value nor a range")
    return bound


@dataclass(frozen=True, slots=True)
class Figure:
    run: str
    source: str
    framework: str
    test_type: str
    requests_per_second: float | None = None
    rps_low: float | None = None
    rps_high: float | None = None
    measured: bool = False

    @property
    def point(self) -> float:
        return representative_rps(self.requests_per_second, self.rps_low, self.rps_high)

    @property
    def lowest(self) -> float:
        return min(v for v in (self.requests_per_second, self.rps_low, self.rps_high) if v)

    @property
    def highest(self) -> float:
        return max(v for v in (self.requests_per_second, self.rps_low, self.rps_high) if v)


@dataclass(frozen=True, slots=True)
class RunRatio:
    run: str
    source: str
    rps: float
    baseline_rps: float
    measured: bool = False

    @property
    def ratio(self) -> float:
        return self.rps / self.baseline_rps


@dataclass(frozen=True, slots=True)
class Standing:
    framework: str
    relative_speed: float | None
    rps_min: float
    rps_max: float
    runs: int
    sources: tuple[str, ...]
    disagreement: bool
    per_run: tuple[RunRatio, ...] = field(default=())
    measured_relative_speed: float | None = None
    cited_relative_speed: float | None = None
    # A cited run's ratio differs from the measured combination by more than the factor.
    cited_disagrees: bool = False

    @property
    def ratio_low(self) -> float | None:
        return min((r.ratio for r in self.per_run), default=None)

    @property
    def ratio_high(self) -> float | None:
        return max((r.ratio for r in self.per_run), default=None)


class NoBaselineError(ValueError):
    """The requested baseline was not measured in any run."""


def geometric_mean(values: Iterable[float]) -> float:
    logs = [math.log(v) for v in values]
    return math.exp(sum(logs) / len(logs))


def combined(ratios: Iterable[RunRatio]) -> float | None:
    values = [r.ratio for r in ratios]
    return round(geometric_mean(values), 4) if values else None


def by_run(figures: Iterable[Figure]) -> dict[str, dict[str, Figure]]:
    """Figures per run and framework; a framework measured twice in a run keeps its best."""
    runs: dict[str, dict[str, Figure]] = defaultdict(dict)
    for fig in figures:
        current = runs[fig.run].get(fig.framework)
        if current is None or fig.point > current.point:
            runs[fig.run][fig.framework] = fig
    return runs


def fastest(figures: Sequence[Figure]) -> str | None:
    """The default baseline: the framework that tops the most runs (ties: most runs, slug)."""
    wins: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for run in by_run(figures).values():
        top = max(run.values(), key=lambda f: (f.point, f.framework))
        wins[top.framework] += 1
        for name in run:
            seen[name] += 1
    if not wins:
        return None
    return min(wins, key=lambda name: (-wins[name], -seen[name], name))


def reconcile(
    figures: Sequence[Figure],
    baseline: str | None = None,
    factor: float = DISAGREEMENT_FACTOR,
) -> tuple[str | None, list[Standing]]:
    """Each framework's speed relative to `baseline` (default: the fastest), across runs."""
    baseline = baseline or fastest(figures)
    runs = by_run(figures)
    if baseline is not None and not any(baseline in run for run in runs.values()):
        raise NoBaselineError(f"'{baseline}' has no result in any run to compare against")
    per_framework: dict[str, list[Figure]] = defaultdict(list)
    for fig in figures:
        per_framework[fig.framework].append(fig)
    standings = []
    for name in sorted(per_framework):
        ratios = tuple(
            RunRatio(
                run=run_id,
                source=run[name].source,
                rps=run[name].point,
                baseline_rps=run[baseline].point,
                measured=run[name].measured,
            )
            for run_id, run in sorted(runs.items())
            if baseline is not None and name in run and baseline in run
        )
        values = [r.ratio for r in ratios]
        own = per_framework[name]
        measured = combined(r for r in ratios if r.measured)
        cited = [r.ratio for r in ratios if not r.measured]
        standings.append(
            Standing(
                framework=name,
                relative_speed=combined(ratios),
                rps_min=min(f.lowest for f in own),
                rps_max=max(f.highest for f in own),
                runs=len({f.run for f in own}),
                sources=tuple(sorted({f.source for f in own})),
                disagreement=len(values) > 1 and max(values) / min(values) > factor,
                per_run=ratios,
                measured_relative_speed=measured,
                cited_relative_speed=combined(r for r in ratios if not r.measured),
                cited_disagrees=measured is not None
                and any(max(c, measured) / min(c, measured) > factor for c in cited),
            )
        )
    standings.sort(key=lambda s: (-(s.relative_speed or 0), s.framework))
    return baseline, standings
