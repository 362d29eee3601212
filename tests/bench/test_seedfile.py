"""A measured run written into the seed files ships with the dataset, beside the articles'."""

import shutil
from pathlib import Path

import pytest

from app.bench.seedfile import SeedWriteError, restore, write
from app.benchmarks.importer import read_file
from app.seed.lint import lint, split_baseline
from app.seed.load import read_dataset
from tests.bench.test_measured_run import a_run
from tests.conftest import SEED


def test_the_run_joins_the_dataset_and_the_other_runs_stay_as_written(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(SEED, root)
    original = (root / "benchmarks.yaml").read_text()
    measured_file = root / "sources" / "measured.yaml"
    measured_before = measured_file.read_text() if measured_file.exists() else None
    file = tmp_path / "run.json"
    file.write_text(a_run().model_dump_json())
    (source,), (run,) = read_file(file)

    before = write(root, source, run)

    assert (root / "benchmarks.yaml").read_text().startswith(original)
    dataset = read_dataset(root)
    new, _known, stale = split_baseline(lint(dataset), root)
    assert (new, stale) == ([], [])  # nothing beyond the known baseline, as seed checks
    measured = next(r for r in dataset.runs if r.slug == run.slug)
    assert [(r.framework, r.requests_per_second) for r in measured.results] == [("flask", 900.0)]
    assert next(s for s in dataset.sources if s.slug == run.slug).kind == "measured"
    with pytest.raises(SeedWriteError, match="already has a run"):
        write(root, source, run)
    restore(before)
    assert (root / "benchmarks.yaml").read_text() == original
    assert (measured_file.read_text() if measured_file.exists() else None) == measured_before
