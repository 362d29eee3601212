"""Read the YAML dataset, lint it, and write it to the database in one transaction."""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.enums import SourceKind
from app.seed.schema import (
    BenchmarksFile,
    Dataset,
    FeaturesFile,
    FrameworkIn,
    MigrationsFile,
    SourceIn,
    SourcesFile,
    StatementIn,
    SupportFile,
    UseCasesFile,
)
from app.sync.npm import NpmEntry, NpmIndexFile
from app.sync.pypi import SIGNALS, IndexEntry, PackageIndexFile

M = TypeVar("M", bound=BaseModel)


class DatasetError(Exception):
    """The files cannot be loaded; `problems` says each reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the dataset")
        self.problems = problems


class _StrictLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping. PyYAML keeps the last one
    silently, so a statement pasted twice (or two curators' edits of one statement
    merged side by side) would drop one of them without a word."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> object:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read(path: Path, model: type[M], root: Path, problems: list[str]) -> M | None:
    name = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (safe)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{name}: cannot be read as YAML: {exc}".replace("\n", " "))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {where}: {msg}")
        return None


def _read_optional(path: Path, model: type[M], root: Path, problems: list[str]) -> M | None:
    return _read(path, model, root, problems) if path.exists() else None


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def statements(value: StatementIn | list[StatementIn]) -> list[StatementIn]:
    return value if isinstance(value, list) else [value]


def base_chain(frameworks: dict[str, FrameworkIn], slug: str) -> list[str]:
    """The frameworks `slug` builds on, nearest first; stops at a missing base or a cycle
    (both are lint errors)."""
    chain: list[str] = []
    current = frameworks.get(slug)
    while current is not None and current.based_on and current.based_on not in chain:
        if current.based_on == slug:
            break
        chain.append(current.based_on)
        current = frameworks.get(current.based_on)
    return chain


def inherited_support(dataset: Dataset, slug: str) -> dict[str, tuple[str, list[StatementIn]]]:
    """Feature -> (the base that states it, its statements) for every feature `slug` makes no
    statement on and a framework it builds on does; the nearest base wins."""
    by_slug = {f.slug: f for f in dataset.frameworks}
    own = by_slug[slug].support if slug in by_slug else {}
    out: dict[str, tuple[str, list[StatementIn]]] = {}
    for base in base_chain(by_slug, slug):
        for feature, value in by_slug[base].support.items() if base in by_slug else ():
            if feature not in own and feature not in out:
                out[feature] = (base, statements(value))
    return out


def apply_index_entry(fw: FrameworkIn, entry: IndexEntry) -> SourceIn:
    """Version facts from the package index win over the curated file; its licence only fills
    what curation left unknown. `first_release_date` is the package's first upload, which
    can postdate the framework (renamed packages), so it never sets `first_release_year`."""
    source = SourceIn(
        slug=f"package-index-{entry.framework}",
        title=f"{entry.package} release history on the Python Package Index",
        publisher="Python Software Foundation",
        retrieved=entry.retrieved,
        kind=SourceKind.documentation,
        notes="Read through the index's JSON API by `fwatlas sync pypi`.",
    )
    updates: dict[str, object] = {
        "latest_version": entry.latest_version,
        "latest_release_date": entry.latest_release_date,
        "first_release_date": entry.first_release_date,
        # The maintenance signals, null included: a value the index does not give is unknown.
        **{name: getattr(entry, name) for name in SIGNALS},
    }
    if fw.license is None and entry.license:
        updates["license"] = entry.license
    _apply(fw, updates, source)
    return source


def _apply(fw: FrameworkIn, updates: dict[str, object], source: SourceIn) -> None:
    """Set each attribute, backed by `source`; a null is unknown, which nothing backs."""
    for name, value in updates.items():
        setattr(fw, name, value)
        if value is None:
            fw.attribute_sources.pop(name, None)
            continue
        fw.attribute_sources[name] = sorted({*fw.attribute_sources.get(name, []), source.slug})


def apply_npm_entry(fw: FrameworkIn, entry: NpmEntry) -> SourceIn:
    """The latest manifest's facts win over the curated file, as the PyPI index's do; its
    licence only fills what curation left unknown. Release dates stay curated."""
    source = SourceIn(
        slug=f"package-index-npm-{entry.framework}",
        title=f"{entry.package}: the latest version's manifest on the npm registry",
        publisher="npm",
        retrieved=entry.retrieved,
        kind=SourceKind.documentation,
        notes="Read by `fwatlas sync npm`.",
    )
    updates: dict[str, object] = {
        "latest_version": entry.latest_version,
        "typed": entry.typed,
        "module_format": entry.module_format,
        "deprecation": entry.deprecation,
    }
    if fw.license is None and entry.license:
        updates["license"] = entry.license
    if fw.latest_version != entry.latest_version:
        # A release date read for another version would now be wrong.
        updates["latest_release_date"] = None
    _apply(fw, updates, source)
    return source


# The files `fwatlas sync` generates, each applied over the curated frameworks by its own rule.
REGISTRY_FILES: tuple[
    tuple[str, type[PackageIndexFile] | type[NpmIndexFile], Callable[[FrameworkIn, Any], SourceIn]],
    ...,
] = (
    ("package_index.yaml", PackageIndexFile, apply_index_entry),
    ("npm_index.yaml", NpmIndexFile, apply_npm_entry),
)


def read_dataset(root: Path) -> Dataset:
    """Parse and validate every file under `root`; raise DatasetError naming each problem."""
    if not root.is_dir():
        raise DatasetError([f"{root}: no such dataset folder"])
    problems: list[str] = []
    sources = []
    for path in _files(root / "sources"):
        if (doc := _read(path, SourcesFile, root, problems)) is not None:
            sources.extend(doc.sources)
    features = _read(root / "features.yaml", FeaturesFile, root, problems)
    use_cases = _read(root / "use_cases.yaml", UseCasesFile, root, problems)
    frameworks: dict[str, FrameworkIn] = {}
    unreadable: set[str] = set()
    for path in _files(root / "frameworks"):
        if (fw := _read(path, FrameworkIn, root, problems)) is None:
            unreadable.add(path.stem)
        else:
            if path.stem != fw.slug:
                problems.append(f"{path.name}: slug '{fw.slug}' differs from the file name")
            frameworks[fw.slug] = fw
    for path in _files(root / "support"):
        if (sup := _read(path, SupportFile, root, problems)) is None:
            continue
        target = frameworks.get(sup.framework)
        if target is None and sup.framework in unreadable:
            continue  # its framework file's own problems are already reported
        if target is None:
            problems.append(f"support/{path.name}: framework '{sup.framework}' has no file")
            continue
        for feature, value in sup.support.items():
            if feature in target.support:
                problems.append(f"support/{path.name}: {feature} is also stated in the framework")
            target.support[feature] = value
    for name, model, apply in REGISTRY_FILES:
        index = _read_optional(root / name, model, root, problems)
        for entry in index.entries if index else []:
            if entry.framework in frameworks:
                sources.append(apply(frameworks[entry.framework], entry))
            elif entry.framework not in unreadable:  # else already reported
                problems.append(f"{name}: framework '{entry.framework}' has no file")
    bench = _read_optional(root / "benchmarks.yaml", BenchmarksFile, root, problems)
    mig = _read_optional(root / "migrations.yaml", MigrationsFile, root, problems)
    runs = bench.runs if bench else []
    migrations = mig.migrations if mig else []
    if problems or features is None or use_cases is None:
        raise DatasetError(problems)
    return Dataset(
        sources=sorted(sources, key=lambda s: s.slug),
        categories=features.categories,
        features=features.features,
        use_cases=use_cases.use_cases,
        frameworks=[frameworks[k] for k in sorted(frameworks)],
        runs=sorted(runs, key=lambda r: r.slug),
        migrations=migrations,
    )


def content_hash(dataset: Dataset) -> str:
    canonical = json.dumps(dataset.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
