"""Read benchmark results from a JSON or CSV file and write them in one transaction."""

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from app.benchmarks import measured
from app.db import bump_version
from app.models import BenchmarkResult, BenchmarkRun, Framework, Source
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


def _fingerprint(session: Session, slugs: Iterable[str]) -> list[tuple[Any, ...]]:
    """What the named runs hold, ids aside: equal before and after a write means the
    write changed nothing."""
    runs = _lookup(session, BenchmarkRun, slugs)
    by_id = {r.id: slug for slug, r in runs.items()}
    run_rows = [
        (slug, *(v for k, v in sorted(r.model_dump().items()) if k != "id"))
        for slug, r in sorted(runs.items())
    ]
    results = session.exec(
        select(BenchmarkResult).where(col(BenchmarkResult.run_id).in_(list(by_id)))
    ).all()
    result_rows = sorted(
        (by_id[x.run_id], *(repr(v) for k, v in sorted(x.model_dump().items()) if k != "id"))
        for x in results
    )
    return [*run_rows, *result_rows]


def import_runs(
    session: Session, runs: list[RunIn], new_sources: Sequence[SourceIn] = ()
) -> int | None:
    """Write `runs` (replacing runs with the same id), and the sources a measured run brings,
    and return the new dataset version, or None when the database already held exactly
    these (then nothing changes)."""
    attempt = session.begin_nested()
    known = _lookup(session, Source, (s.slug for s in new_sources))
    sources_changed = False
    for src in new_sources:
        row = known.get(src.slug) or Source(slug=src.slug, title=src.title, kind=src.kind)
        for key, value in src.model_dump(exclude={"slug"}).items():
            setattr(row, key, str(value) if key == "url" and value else value)
        sources_changed = sources_changed or src.slug not in known or session.is_modified(row)
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
        attempt.rollback()
        raise BenchmarkImportError(problems)
    slugs = [r.slug for r in runs]
    before = _fingerprint(session, slugs)
    existing = _lookup(session, BenchmarkRun, slugs)
    for run in runs:
        write_run(session, run, sources, frameworks, existing)
    session.flush()
    if not sources_changed and _fingerprint(session, slugs) == before:
        attempt.rollback()  # a no-op import must not bump the version
        return None
    attempt.commit()
    return bump_version(session, f"benchmarks import: {', '.join(slugs)}")


def delete_run(session: Session, slug: str) -> int:
    """Remove a run and its results; return the new dataset version."""
    run = session.exec(select(BenchmarkRun).where(BenchmarkRun.slug == slug)).first()
    if run is None:
        known = ", ".join(session.exec(select(BenchmarkRun.slug).order_by(BenchmarkRun.slug)).all())
        raise BenchmarkImportError([f"no run has the id '{slug}'; runs: {known or 'none'}"])
    session.exec(delete(BenchmarkResult).where(col(BenchmarkResult.run_id) == run.id))
    session.delete(run)
    session.flush()
    return bump_version(session, f"benchmarks delete: {slug}")
