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
    measured: bool = False,
) -> Figure:
    return Figure(
        run=run,
        source=source,
        framework=framework,
        test_type="json",
        requests_per_second=rps,
        rps_low=low,
        rps_high=high,
        measured=measured,
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


def test_measured_and_cited_runs_are_combined_apart_and_a_contradicted_citation_flagged() -> None:
    figures = [
        fig("article", "a", 20_000),
        fig("article", "b", 8000),  # the article: b is 0.4 of a
        fig("ours", "a", 1000, measured=True),
        fig("ours", "b", 900, measured=True),  # measured: 0.9 of a
        fig("ours", "c", 500, measured=True),
    ]
    _, items = reconcile(figures, "a")
    by = {i.framework: i for i in items}
    b = by["b"]
    assert (b.cited_relative_speed, b.measured_relative_speed) == (0.4, 0.9)
    assert b.cited_disagrees  # 0.9 / 0.4 = 2.25 > 1.25
    assert (b.ratio_low, b.ratio_high) == (0.4, 0.9)
    assert [(r.run, r.measured) for r in b.per_run] == [("article", False), ("ours", True)]
    # Only measured: nothing cited to contradict.
    c = by["c"]
    assert (c.cited_relative_speed, c.measured_relative_speed) == (None, 0.5)
    assert not c.cited_disagrees


def test_a_citation_the_measurement_confirms_is_not_flagged() -> None:
    figures = [
        fig("article", "a", 100),
        fig("article", "b", 50),
        fig("ours", "a", 1000, measured=True),
        fig("ours", "b", 550, measured=True),
    ]
    b = next(i for i in reconcile(figures, "a")[1] if i.framework == "b")
    assert not b.cited_disagrees
    assert b.relative_speed == pytest.approx(math.sqrt(0.5 * 0.55), abs=1e-4)
