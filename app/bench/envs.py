"""One isolated environment per reference app, built from its manifest, never the project's.

Environments are cached under a git-ignored folder, keyed by what went into them, so a
rerun (and the CI smoke) pays for `uv pip install` once.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.bench.manifest import App, Toolchain

INSTALL_TIMEOUT_S = 600


class InstallError(Exception):
    pass


@dataclass(frozen=True)
class Environment:
    folder: Path
    bin: Path
    framework_version: str | None
    server_version: str | None


def find_uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    # `make sync` bootstraps uv here when it is not on the PATH.
    local = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "uv"
    if local.exists():
        return str(local)
    raise InstallError("uv is not on the PATH (run `make sync` to bootstrap it)")


def _key(app: App) -> str:
    recipe = app.manifest.install.model_dump(mode="json")
    recipe["python"] = sys.version.split()[0]
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()
    return f"{app.slug}-{digest[:12]}"


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{argv[0]}: {exc}") from None
    if done.returncode != 0:
        lines = [x.strip() for x in (done.stderr or done.stdout).strip().splitlines()]
        # uv and pip put the cause on lines naming an error; hints follow at the end.
        errors = [x for x in lines if "error" in x.lower() or x.startswith("cause")]
        reason = " | ".join((errors or lines[-6:])[:4])
        raise InstallError(reason or f"{argv[0]} exited {done.returncode}")
    return done.stdout


def _installed(uv: str, python: Path, cwd: Path) -> dict[str, str]:
    listing = _run([uv, "pip", "list", "--format", "json", "--python", str(python)], cwd)
    return {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listing)}


def _version(installed: dict[str, str], package: str | None) -> str | None:
    return installed.get(package.lower().replace("_", "-")) if package else None


def ensure(app: App, cache: Path) -> Environment:
    """The app's environment, built on first use; raises InstallError with the reason."""
    install = app.manifest.install
    folder = cache / _key(app)
    bin_dir = folder / "bin"
    done_marker = folder / ".complete"
    if install.toolchain is Toolchain.uv:
        uv = find_uv()
        if not done_marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
            reqs = install.requirements
            # The interpreter running the harness, so "this Python" means one thing.
            _run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)], app.folder, env)
            _run(
                [uv, "pip", "install", "--quiet", "--python", str(bin_dir / "python"), *reqs],
                app.folder,
                env,
            )
            done_marker.touch()
        installed = _installed(uv, bin_dir / "python", app.folder)
        return Environment(
            folder,
            bin_dir,
            _version(installed, install.framework_package),
            _version(installed, install.server_package),
        )
    if not done_marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        bin_dir.mkdir(parents=True)
        for argv in install.commands:
            _run([a.replace("{env}", str(folder)) for a in argv], app.folder)
        done_marker.touch()
    version = None
    if install.version_command:
        argv = [a.replace("{env}", str(folder)) for a in install.version_command]
        version = _run(argv, app.folder).strip() or None
    return Environment(folder, bin_dir, version, None)
