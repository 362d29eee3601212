"""Read benchmark results from a JSON or CSV file and write them in one transaction."""

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.benchmarks import measured
from app.db import bump_version
from app.models import BenchmarkRun, Framework, Source
from app.seed.schema import BenchmarksFile, ResultIn, RunIn, SourceIn
from app.seed.write import write_run

RUN_COLUMNS = ("run", "title", "source", "date", "hardware", "os", "python_version", "run_notes")


class BenchmarkImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the import file")
        self.problems = problems


def _messages(where: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(row)"
        out.append(f"{where}: {field}: {str(err['msg']).removeprefix('Value error, ')}")
    return out


def _from_csv(text: str) -> list[RunIn]:
    reader = csv.DictReader(text.splitlines())
    runs: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        cells = {k.strip(): (v.strip() if v and v.strip() else None) for k, v in row.items() if k}
        slug = cells.get("run")
        if not slug:
            problems.append(f"row {line}: run: a run id is required")
            continue
        result = {k: v for k, v in cells.items() if k not in RUN_COLUMNS and v is not None}
        try:
            ResultIn.model_validate(result)
        except ValidationError as exc:
            problems += _messages(f"row {line}", exc)
            continue
        run = runs.setdefault(
            slug,
            {
                "slug": slug,
                "title": cells.get("title") or slug,
                "source": cells.get("source"),
                "date": cells.get("date"),
                "hardware": cells.get("hardware"),
                "os": cells.get("os"),
                "python_version": cells.get("python_version"),
                "notes": cells.get("run_notes"),
                "results": [],
                "_line": line,
            },
        )
        run["results"].append(result)
    out = []
    for run in runs.values():
        line = run.pop("_line")
        try:
            out.append(RunIn.model_validate(run))
        except ValidationError as exc:
            problems += _messages(f"row {line} (run {run['slug']})", exc)
    if problems:
        raise BenchmarkImportError(problems)
    return out


def read_runs(path: Path) -> list[RunIn]:
    return read_file(path)[1]


def read_file(path: Path) -> tuple[list[SourceIn], list[RunIn]]:
    """The runs in a CSV, a dataset-style JSON file or a `fwatlas bench` run file, with the
    sources the file brings itself (a measured run is its own source)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BenchmarkImportError([f"{path}: cannot be read: {exc}"]) from None
    if path.suffix.lower() == ".csv":
        return [], _from_csv(text)
    try:
        data = json.loads(text)
        if measured.is_run_file(data):
            source, run = measured.convert(data)
            return [source], [run]
        return [], BenchmarksFile.model_validate(data).runs
    except json.JSONDecodeError as exc:
        raise BenchmarkImportError([f"{path}: not JSON: {exc}"]) from None
    except ValidationError as exc:
        raise BenchmarkImportError(_messages(path.name, exc)) from None
    except ValueError as exc:
        raise BenchmarkImportError([f"{path.name}: {exc}"]) from None


def _lookup(session: Session, model: Any, wanted: Iterable[str]) -> dict[str, Any]:
    return {
        row.slug: row for row in session.exec(select(model).where(col(model.slug).in_(set(wanted))))
    }


def import_runs(session: Session, runs: list[RunIn], new_sources: Sequence[SourceIn] = ()) -> int:
    """Write `runs` (replacing runs with the same id) and return the new dataset version."""
    known = _lookup(session, Source, (s.slug for s in new_sources))
    for src in new_sources:
        row = known.get(src.slug) or Source(slug=src.slug, title=src.title, kind=src.kind)
        for key, value in src.model_dump(exclude={"slug"}).items():
            setattr(row, key, str(value) if key == "url" and value else value)
        session.add(row)
    session.flush()
    sources = _lookup(session, Source, (r.source for r in runs))
    frameworks = _lookup(session, Framework, (x.framework for r in runs for x in r.results))
    problems = [
        f"run {r.slug}: source: unknown source '{r.source}'"
        for r in runs
        if r.source not in sources
    ]
    for run in runs:
        for i, result in enumerate(run.results):
            if result.framework not in frameworks:
                problems.append(
                    f"run {run.slug} results[{i}]: framework: "
                    f"unknown framework '{result.framework}'"
                )
    if len({r.slug for r in runs}) != len(runs):
        problems.append("the file names one run id twice")
    if problems:
        raise BenchmarkImportError(problems)
    existing = _lookup(session, BenchmarkRun, (r.slug for r in runs))
    for run in runs:
        write_run(session, run, sources, frameworks, existing)
    return bump_version(session, f"benchmarks import: {', '.join(r.slug for r in runs)}")
