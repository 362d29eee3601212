"""The manifest each reference app declares in `bench/apps/<slug>/manifest.toml`.

It says how to install and start the app without assuming Python: the `uv` toolchain
builds an isolated environment from pinned requirements, the `commands` toolchain runs
whatever the app's own ecosystem needs (npm, go build, cargo) in an environment folder.
"""

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.enums import TestType

MEASURABLE = (
    TestType.json,
    TestType.plaintext,
    TestType.db,
    TestType.query,
    TestType.fortune,
    TestType.update,
)
DEFAULT_PATHS = {
    TestType.json: "/json",
    TestType.plaintext: "/plaintext",
    TestType.db: "/db",
    TestType.query: "/queries?queries=",
    TestType.fortune: "/fortunes",
    TestType.update: "/updates?queries=",
}
# Requirements are pinned so a rerun installs what the shipped run measured.
PINNED = r"^[A-Za-z0-9._-]+(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.+!_-]+$"


class Toolchain(StrEnum):
    uv = "uv"
    commands = "commands"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Install(Strict):
    toolchain: Toolchain = Toolchain.uv
    requirements: list[str] = Field(default_factory=list)
    # The installed versions of these two packages are recorded with every result.
    framework_package: str | None = None
    server_package: str | None = None
    # Only for `commands`: argv lists run in the app folder; `{env}` is the environment folder.
    commands: list[list[str]] = Field(default_factory=list)
    version_command: list[str] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        import re

        if self.toolchain is Toolchain.uv:
            if not self.requirements:
                raise ValueError("a uv app lists its pinned requirements")
            loose = [r for r in self.requirements if not re.match(PINNED, r)]
            if loose:
                raise ValueError(f"requirements must be pinned with ==: {', '.join(loose)}")
        elif not self.commands:
            raise ValueError("a commands app lists its install commands")
        return self


class Manifest(Strict):
    framework: str = Field(description="The dataset's slug, or the calibration app's id.")
    calibration: bool = False
    # The server interface (asgi, wsgi, ...): results are also read as a ratio to the
    # calibration app of the same interface.
    interface: str
    language: str = "python"
    server: str
    workers: int = Field(default=1, ge=1, le=64)
    tests: list[TestType] = Field(min_length=1)
    paths: dict[TestType, str] = Field(default_factory=dict)
    install: Install
    # argv; `{bin}` is the environment's executables, `{host}`/`{port}`/`{workers}` as named.
    start: list[str] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _known_tests(self) -> Self:
        unknown = [t for t in self.tests if t not in MEASURABLE]
        if unknown:
            raise ValueError(f"not a measurable test type: {', '.join(unknown)}")
        return self

    def path(self, test: TestType) -> str:
        return self.paths.get(test, DEFAULT_PATHS[test])


class App(BaseModel):
    model_config = ConfigDict(frozen=True)
    slug: str
    folder: Path
    manifest: Manifest


class ManifestError(Exception):
    pass


def read_app(folder: Path) -> App:
    file = folder / "manifest.toml"
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        manifest = Manifest.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{folder.name}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(manifest)'}: {e['msg']}" for e in exc.errors()
        )
        raise ManifestError(f"{folder.name}: {problems}") from None
    if manifest.framework != folder.name:
        raise ManifestError(f"{folder.name}: the folder is named after the framework's slug")
    return App(slug=folder.name, folder=folder, manifest=manifest)


def discover(root: Path) -> list[App]:
    """Every app under `root`, calibration apps first so ratios always have a baseline."""
    apps = [read_app(p.parent) for p in sorted(root.glob("*/manifest.toml"))]
    return sorted(apps, key=lambda a: (not a.manifest.calibration, a.slug))
