"""The reconciliation maths, on hand-made runs."""

import math

import pytest

from app.benchmarks.reconcile import Figure, NoBaselineError, fastest, reconcile


def fig(
    run: str,
    framework: str,
    rps: float | None = None,
    low: float | None = None,
    high: float | None = None,
    source: str = "src",
) -> Figure:
    return Figure(
        run=run,
        source=source,
        framework=framework,
        test_type="json",
        requests_per_second=rps,
        rps_low=low,
        rps_high=high,
    )


def test_a_single_run_gives_plain_ratios() -> None:
    baseline, items = reconcile([fig("r1", "a", 1000), fig("r1", "b", 250)], "a")
    assert baseline == "a"
    by = {i.framework: i for i in items}
    assert by["b"].relative_speed == 0.25
    assert by["a"].relative_speed == 1.0
    assert not by["b"].disagreement
    assert by["b"].runs == 1


def test_runs_combine_by_geometric_mean_and_flag_disagreement() -> None:
    figures = [fig("r1", "a", 100), fig("r1", "b", 50), fig("r2", "a", 1000), fig("r2", "b", 800)]
    _, items = reconcile(figures, "a")
    b = next(i for i in items if i.framework == "b")
    assert b.relative_speed == pytest.approx(math.sqrt(0.5 * 0.8), abs=1e-4)
    assert b.disagreement  # 0.8 / 0.5 = 1.6 > 1.25
    assert [r.ratio for r in b.per_run] == [0.5, 0.8]


def test_close_runs_do_not_disagree() -> None:
    figures = [fig("r1", "a", 100), fig("r1", "b", 50), fig("r2", "a", 100), fig("r2", "b", 55)]
    _, items = reconcile(figures, "a")
    assert not next(i for i in items if i.framework == "b").disagreement


def test_a_range_counts_as_its_midpoint_and_an_open_range_as_its_bound() -> None:
    figures = [fig("r1", "a", low=10_000), fig("r1", "b", low=2000, high=4000)]
    _, items = reconcile(figures, "a")
    b = next(i for i in items if i.framework == "b")
    assert b.relative_speed == 0.3
    assert (b.rps_min, b.rps_max) == (2000, 4000)


def test_a_missing_baseline_is_an_error() -> None:
    with pytest.raises(NoBaselineError, match="'c' has no result"):
        reconcile([fig("r1", "a", 1), fig("r1", "b", 2)], "c")


def test_a_framework_never_run_beside_the_baseline_has_no_speed() -> None:
    figures = [fig("r1", "a", 100), fig("r1", "b", 50), fig("r2", "c", 70)]
    _, items = reconcile(figures, "a")
    c = next(i for i in items if i.framework == "c")
    assert c.relative_speed is None
    assert c.per_run == ()


def test_the_default_baseline_is_the_fastest_in_most_runs() -> None:
    figures = [
        fig("r1", "a", 100),
        fig("r1", "b", 90),
        fig("r2", "a", 5),
        fig("r2", "b", 9),
        fig("r3", "a", 7),
        fig("r3", "b", 3),
    ]
    assert fastest(figures) == "a"
    assert reconcile(figures)[0] == "a"
