"""Write a measured run into the dataset's YAML, so it ships with the seed data.

The run is appended to `benchmarks.yaml` as text (the file's other runs, comments and
folding stay as they are) and its source goes into `sources/measured.yaml`.
"""

from pathlib import Path

import yaml

from app.seed.schema import RunIn, SourceIn, SourcesFile

HEADER = "# Sources of kind `measured`: runs of `fwatlas bench` (see bench/README.md).\n"


class SeedWriteError(Exception):
    pass


def _dump(value: object) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=88)


def write(root: Path, source: SourceIn, run: RunIn) -> dict[Path, str | None]:
    """Write both files; return what they held before, so a caller can put them back."""
    bench_file = root / "benchmarks.yaml"
    source_file = root / "sources" / "measured.yaml"
    before = {
        p: p.read_text(encoding="utf-8") if p.exists() else None for p in (bench_file, source_file)
    }
    text = bench_file.read_text(encoding="utf-8") if bench_file.exists() else "runs:\n"
    existing = yaml.safe_load(text) or {}
    if any(r.get("slug") == run.slug for r in existing.get("runs") or []):
        raise SeedWriteError(f"{bench_file.name} already has a run {run.slug}")
    entry = _dump([run.model_dump(mode="json", exclude_defaults=True)])
    block = "".join(f"  {line}\n" if line else "\n" for line in entry.splitlines())
    bench_file.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")

    sources: list[SourceIn] = []
    if source_file.exists():
        sources = SourcesFile.model_validate(yaml.safe_load(source_file.read_text())).sources
    sources = [s for s in sources if s.slug != source.slug] + [source]
    dumped = [
        {"slug": s.slug, **s.model_dump(mode="json", exclude={"slug"}, exclude_none=True)}
        for s in sources
    ]
    source_file.parent.mkdir(parents=True, exist_ok=True)
    source_file.write_text(HEADER + _dump({"sources": dumped}), encoding="utf-8")
    return before


def restore(before: dict[Path, str | None]) -> None:
    for path, text in before.items():
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8")
