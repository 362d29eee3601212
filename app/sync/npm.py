"""Refresh packaging facts from the npm registry: the latest manifest of each package.

The registry's publish times for old versions are not reliable as reached from here, so
release dates stay curated (from the projects' changelogs); this records what a manifest
states outright: the latest version, its licence, a deprecation, whether it ships type
declarations, and its module format. Answers go to seed/npm_index.yaml, generated and
kept apart from the curated files, as seed/package_index.yaml is for PyPI.
"""

import io
import tarfile
from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field

from app.enums import ModuleFormat
from app.sync import common
from app.sync.common import Failure
from app.types import AnyPackageName, Slug, VersionStr

# A tarball is read only to look for type declarations; none of ours is near this.
MAX_TARBALL_BYTES = 64 * 1024 * 1024
FACTS = ("latest_version", "license", "deprecation", "typed", "module_format")


class NpmEntry(BaseModel):
    framework: Slug
    package: AnyPackageName
    latest_version: VersionStr
    license: str | None = Field(default=None, max_length=80, description="SPDX, as stated.")
    deprecation: str | None = Field(
        default=None, max_length=500, description="The registry's deprecation message."
    )
    typed: bool | None = Field(
        default=None, description="The package ships TypeScript declarations (.d.ts)."
    )
    module_format: ModuleFormat | None = None
    retrieved: date


class NpmIndexFile(BaseModel):
    entries: list[NpmEntry]


def _conditions(exports: object) -> set[str]:
    """Every condition name used anywhere in an `exports` map."""
    found: set[str] = set()
    stack = [exports]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(k for k in node if not k.startswith("."))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def module_format(manifest: dict[str, object]) -> ModuleFormat:
    """ESM, CommonJS, or both, from `type`, `exports` conditions and a `module` entry."""
    conditions = _conditions(manifest.get("exports"))
    esm_default = manifest.get("type") == "module"
    has_esm = esm_default or "import" in conditions or isinstance(manifest.get("module"), str)
    has_cjs = not esm_default or "require" in conditions
    if has_esm and has_cjs:
        return ModuleFormat.dual
    return ModuleFormat.esm if has_esm else ModuleFormat.commonjs


def declared_types(manifest: dict[str, object]) -> bool:
    """Whether the manifest points at type declarations (`types`, `typings`, or a
    `types` condition in `exports`)."""
    return bool(manifest.get("types") or manifest.get("typings")) or (
        "types" in _conditions(manifest.get("exports"))
    )


def tarball_has_types(data: bytes) -> bool:
    """Whether a package tarball holds any .d.ts file: TypeScript finds declarations
    beside the entry point without a `types` field."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return any(m.isfile() and m.name.endswith(".d.ts") for m in archive)


def _licence(value: object) -> str | None:
    if isinstance(value, dict):  # the legacy {"type": ..., "url": ...} form
        value = value.get("type")
    return value if isinstance(value, str) and 0 < len(value) <= 80 else None


def parse(
    framework: str,
    package: str,
    manifest: object,
    today: date,
    ships_types: Callable[[str], bool | None] = lambda _url: None,
) -> NpmEntry:
    """The facts in one latest-version manifest; ValueError when it is not one.

    `ships_types` looks inside the tarball at a URL when the manifest does not say."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), str):
        raise ValueError("the answer is not a package manifest with a version")
    if manifest.get("name") != package:
        raise ValueError(f"the manifest is for '{manifest.get('name')}', not '{package}'")
    deprecated = manifest.get("deprecated")
    typed: bool | None = True
    if not declared_types(manifest):
        dist = manifest.get("dist")
        tarball = dist.get("tarball") if isinstance(dist, dict) else None
        typed = ships_types(tarball) if isinstance(tarball, str) else None
    return NpmEntry(
        framework=framework,
        package=package,
        latest_version=manifest["version"],
        license=_licence(manifest.get("license")),
        deprecation=deprecated[:500] if isinstance(deprecated, str) and deprecated else None,
        typed=typed,
        module_format=module_format(manifest),
        retrieved=today,
    )


def _tarball_reader(client: httpx.Client) -> Callable[[str], bool | None]:
    def read(url: str) -> bool | None:
        try:
            with client.stream("GET", url) as response:
                if response.status_code != 200:
                    return None
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_TARBALL_BYTES:
                        return None
                    chunks.append(chunk)
            return tarball_has_types(b"".join(chunks))
        except (httpx.HTTPError, tarfile.TarError, OSError, EOFError):
            return None

    return read


def fetch_all(
    client: httpx.Client,
    base_url: str,
    packages: Iterable[tuple[str, str]],
    today: date,
    advance: Callable[[str], None] = lambda _name: None,
) -> tuple[list[NpmEntry], list[Failure]]:
    """Ask the registry for each (framework, package)'s latest manifest; failures are
    reported, not raised."""
    read_tarball = _tarball_reader(client)
    return common.fetch_each(
        client,
        packages,
        lambda package: f"{base_url.rstrip('/')}/{quote(package, safe='@')}/latest",
        lambda framework, package, manifest: parse(
            framework, package, manifest, today, read_tarball
        ),
        "registry",
        advance,
    )
