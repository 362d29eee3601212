"""The `fwatlas` command line."""

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from tests.conftest import SEED

runner = CliRunner()


def test_validate_passes_on_the_shipped_dataset() -> None:
    result = runner.invoke(app, ["validate", "--path", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output


def test_validate_report_shows_completeness() -> None:
    result = runner.invoke(app, ["validate", "--path", str(SEED), "--report"])
    assert result.exit_code == 0
    assert "django" in result.output
    from app.seed.load import read_dataset

    features = len(read_dataset(SEED).features)
    assert f"{features}/{features}" in result.output  # a framework with every cell known
    assert "unknown:" in result.output
    assert re.search(r"unknown: \d+ of \d+ statements \(\d+\.\d%\)", result.output)


def test_validate_fails_with_one_line_per_problem(tmp_path: Path) -> None:
    root = Path(shutil.copytree(SEED, tmp_path / "seed"))
    path = root / "frameworks" / "flask.yaml"
    text = path.read_text().replace("first_release_year: 2010", "first_release_year: 1066")
    path.write_text(text.replace("license: BSD-3-Clause", "license: BSD-3-Clause\nmascot: none"))
    result = runner.invoke(app, ["validate", "--path", str(root)])
    assert result.exit_code == 1
    assert "first_release_year: Input should be greater than or equal to 1990" in result.output
    assert "mascot: Extra inputs are not permitted" in result.output
    assert "2 problem(s); nothing was changed." in result.output


def test_an_example_file_is_only_checked_never_loaded(engine: object) -> None:
    example = str(SEED / "examples" / "techempower-style.csv")
    refused = runner.invoke(app, ["benchmarks", "import", example])
    assert refused.exit_code == 1
    assert "made-up numbers" in refused.output
    assert "use --dry-run" in refused.output
    checked = runner.invoke(app, ["benchmarks", "import", example, "--dry-run"])
    assert checked.exit_code == 0, checked.output
    assert "valid; nothing written (--dry-run)" in checked.output
