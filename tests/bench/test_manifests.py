"""Every shipped reference app declares what it needs, pinned, and names a known framework."""

from pathlib import Path

import pytest

from app.bench.manifest import ManifestError, discover, read_app
from app.seed.load import read_dataset
from tests.conftest import SEED

APPS = Path(__file__).resolve().parents[2] / "bench" / "apps"


def test_every_app_names_a_dataset_framework_or_is_a_calibration_app() -> None:
    known = {f.slug for f in read_dataset(SEED).frameworks}
    apps = discover(APPS)
    assert len(apps) >= 4
    strangers = [a.slug for a in apps if not a.manifest.calibration and a.slug not in known]
    assert strangers == []


def test_the_calibration_apps_come_first_so_every_run_has_its_baselines() -> None:
    apps = discover(APPS)
    assert [a.slug for a in apps[:2]] == ["bare-asgi", "bare-wsgi"]
    assert {a.manifest.interface for a in apps[:2]} == {"asgi", "wsgi"}


def _write(folder: Path, requirements: str, framework: str = "demo") -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.toml").write_text(
        f'framework = "{framework}"\ninterface = "wsgi"\nserver = "gunicorn"\n'
        'tests = ["json"]\nstart = ["{bin}/gunicorn", "app:app"]\n'
        f"[install]\nrequirements = {requirements}\n"
    )
    return folder


def test_an_unpinned_requirement_is_refused_by_name(tmp_path: Path) -> None:
    folder = _write(tmp_path / "demo", '["flask>=3", "gunicorn==27.0.1"]')
    with pytest.raises(ManifestError, match=r"must be pinned with ==: flask>=3$"):
        read_app(folder)


def test_a_folder_must_carry_its_frameworks_slug(tmp_path: Path) -> None:
    folder = _write(tmp_path / "other", '["flask==3.1.3"]', framework="demo")
    with pytest.raises(ManifestError, match="named after the framework"):
        read_app(folder)


def test_an_app_for_another_language_declares_commands_instead_of_requirements(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "express"
    folder.mkdir()
    (folder / "manifest.toml").write_text(
        'framework = "express"\ninterface = "native"\nlanguage = "javascript"\n'
        'server = "node"\ntests = ["json"]\nstart = ["node", "app.js"]\n'
        '[install]\ntoolchain = "commands"\ncommands = [["npm", "ci"]]\n'
        'version_command = ["node", "-p", "require(\'express/package.json\').version"]\n'
    )
    app = read_app(folder)
    assert app.manifest.install.commands == [["npm", "ci"]]
    assert app.manifest.language == "javascript"
