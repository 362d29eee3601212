"""`fwatlas`: serve, migrate, load, check and export the dataset."""

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import Progress
from sqlmodel import Session

from app.cli_common import PathOpt, err, fail, load_checked, out, upgrade_database
from app.config import ROOT, get_settings
from app.seed.schema import RunIn, SourceIn
from app.sync.cli import sync_app

app = typer.Typer(help="Framework Atlas: the API and its dataset.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
bench_app = typer.Typer(help="Benchmark results.", no_args_is_help=True)
app.add_typer(bench_app, name="benchmarks")
app.add_typer(sync_app, name="sync")


ServerName = Literal["granian", "uvicorn", "uvicorn-h11"]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
    server: Annotated[
        ServerName | None, typer.Option(help="The HTTP server (see bench/README.md).")
    ] = None,
    access_log: Annotated[
        bool | None,
        typer.Option("--access-log/--no-access-log", help="One line per request on stdout."),
    ] = None,
    access_log_format: Annotated[
        Literal["text", "json"] | None, typer.Option(help="Access log lines as text or JSON.")
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(help="Comma-separated proxies whose X-Forwarded-For/-Proto are trusted."),
    ] = None,
    keepalive_timeout: Annotated[
        int | None, typer.Option(help="Seconds an idle keep-alive connection stays open.", min=1)
    ] = None,
    header_timeout: Annotated[
        int | None,
        typer.Option(help="Seconds a client has to send its request line and headers.", min=1),
    ] = None,
    graceful_timeout: Annotated[
        int | None,
        typer.Option(help="Seconds in-flight requests get to finish on SIGTERM.", min=1),
    ] = None,
    log_level: Annotated[
        Literal["critical", "error", "warning", "info", "debug"] | None,
        typer.Option(help="The server's own log level."),
    ] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes.")] = False,
) -> None:
    """Serve the API (Granian or Uvicorn), with an access log on stdout."""
    import os

    from app.serve import run

    given = {
        "host": host,
        "port": port,
        "workers": workers,
        "server": server,
        "access_log": access_log,
        "access_log_format": access_log_format,
        "forwarded_allow_ips": forwarded_allow_ips,
        "keepalive_timeout": keepalive_timeout,
        "header_timeout": header_timeout,
        "graceful_timeout": graceful_timeout,
        "server_log_level": log_level,
    }
    # Worker processes build their settings from the environment: put the options there.
    for name, value in given.items():
        if value is not None:
            os.environ[f"FWATLAS_{name.upper()}"] = (
                str(value).lower() if value is True or value is False else str(value)
            )
    get_settings.cache_clear()
    run(get_settings(), reload=reload)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    upgrade_database()
    out.print("database is at the latest migration")


@app.command()
def validate(
    path: PathOpt = None,
    report: Annotated[
        bool, typer.Option(help="Show per framework how many features are known.")
    ] = False,
    max_age_days: Annotated[
        int | None, typer.Option(help="Flag statements not verified within this many days.")
    ] = None,
) -> None:
    """Check the dataset files: schema, references, sourcing. Exit 1 on any problem."""
    from app.seed.lint import (
        BASELINE,
        completeness,
        lint,
        split_baseline,
        unknown_by_language,
        unknown_share,
    )
    from app.seed.load import DatasetError, read_dataset

    root = path or get_settings().seed_path
    try:
        dataset = read_dataset(root)
    except DatasetError as exc:
        fail(exc.problems)
    new, listed, stale = split_baseline(lint(dataset, max_age_days=max_age_days), root)
    if new or stale:
        fail(new + [f"{BASELINE} lists a problem that is gone, remove it: {s}" for s in stale])
    if listed:
        err.print(f"{len(listed)} known problem(s) listed in {BASELINE}, still to be worked off")
    out.print(
        f"ok: {len(dataset.frameworks)} frameworks, {len(dataset.features)} features, "
        f"{sum(len(f.support) for f in dataset.frameworks)} support statements, "
        f"{len(dataset.sources)} sources"
    )
    if report:
        from rich.table import Table

        table = Table(
            "framework", "known", "built_in", "extension", "partial", "none", "unknown", "missing"
        )
        for slug, known, total, levels in completeness(dataset):
            table.add_row(
                slug,
                f"{known}/{total}",
                *(
                    str(levels[k])
                    for k in ("built_in", "extension", "partial", "none", "unknown", "missing")
                ),
            )
        out.print(table)
        unknown, cells = unknown_share(dataset)
        out.print(
            f"unknown: {unknown} of {cells} statements ({100 * unknown / max(cells, 1):.1f}%),"
            f" inherited included; {len(dataset.frameworks)} frameworks,"
            f" {len(dataset.features)} features",
            soft_wrap=True,
        )
        for lang, (unknown, cells, count) in unknown_by_language(dataset).items():
            out.print(
                f"  {lang}: {count} frameworks, {unknown} of {cells} unknown"
                f" ({100 * unknown / max(cells, 1):.1f}%)"
            )


@app.command()
def seed(path: PathOpt = None) -> None:
    """Load the dataset into the database: upsert by slug, all or nothing."""
    from app.db import get_engine
    from app.seed.write import write_dataset

    dataset = load_checked(path)
    upgrade_database()
    with Progress(console=err, transient=True) as progress:
        progress.add_task("writing the dataset", total=None)
        with Session(get_engine()) as session, session.begin():
            version = write_dataset(session, dataset)
    if version is None:
        out.print("the database already holds this dataset; nothing changed")
    else:
        out.print(f"seeded {len(dataset.frameworks)} frameworks; dataset version is now {version}")


@app.command("seed-if-empty", hidden=True)
def seed_if_empty(path: PathOpt = None) -> None:
    """Seed only a database that has no dataset yet (used by `make run`)."""
    from app.db import current_version, get_engine

    upgrade_database()
    with Session(get_engine()) as session:
        empty = current_version(session).version == 0
    if empty:
        seed(path)
    else:
        out.print("the database already has a dataset; not seeding")


@app.command()
def export(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write the whole dataset as JSON, in the seed files' schema."""
    from app.db import get_engine
    from app.seed.export import export_dataset

    with Session(get_engine()) as session:
        dataset = export_dataset(session)
    text = json.dumps(dataset.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
    if out_file:
        out_file.write_text(text + "\n", encoding="utf-8")
        err.print(f"wrote {out_file}")
    else:
        sys.stdout.write(text + "\n")


EXAMPLES = ROOT / "seed" / "examples"


@bench_app.command("import")
def benchmarks_import(
    file: Annotated[
        Path, typer.Argument(help="A .json or .csv file (docs/benchmarks.md) or a bench run file.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; change nothing.")
    ] = False,
    to_seed: Annotated[
        bool,
        typer.Option(help="Write a bench run file into seed/ (YAML) instead of the database."),
    ] = False,
) -> None:
    """Load benchmark results: validated, all or nothing, idempotent by run id (importing
    the same file again changes nothing)."""
    from app.benchmarks.importer import BenchmarkImportError, import_runs, read_file
    from app.db import get_engine

    example = EXAMPLES.resolve() in file.resolve().parents
    if example and not dry_run:
        # Their numbers are made up: they show the format and must not reach the dataset.
        fail([f"{file} is an example of the format (made-up numbers): use --dry-run"])
    try:
        sources, runs = read_file(file)
        if to_seed and not dry_run:
            _to_seed(sources, runs)
            return
        with Session(get_engine()) as session:
            session.begin()
            version = import_runs(session, runs, sources)
            # Leaving the block without a commit rolls everything back.
            if not dry_run:
                session.commit()
    except BenchmarkImportError as exc:
        fail(exc.problems)
    results = sum(len(r.results) for r in runs)
    what = f"{results} results in {len(runs)} run(s)"
    if dry_run:
        out.print(f"{what}: valid; nothing written (--dry-run)")
    elif version is None:
        out.print(f"{what}: already in the dataset; nothing changed")
    else:
        out.print(f"imported {what}; dataset version is now {version}")


@bench_app.command("delete")
def benchmarks_delete(
    run: Annotated[str, typer.Argument(help="The run id, as `GET /benchmarks` shows it.")],
) -> None:
    """Remove one benchmark run and its results (one version bump)."""
    from app.benchmarks.importer import BenchmarkImportError, delete_run
    from app.db import get_engine

    try:
        with Session(get_engine()) as session, session.begin():
            version = delete_run(session, run)
    except BenchmarkImportError as exc:
        fail(exc.problems)
    out.print(f"deleted run {run}; dataset version is now {version}")


def _to_seed(sources: list[SourceIn], runs: list[RunIn]) -> None:
    from app.bench.seedfile import SeedWriteError, restore, write

    if len(sources) != 1 or len(runs) != 1:
        fail(["--to-seed takes a `fwatlas bench` run file"])
    try:
        before = write(get_settings().seed_path, sources[0], runs[0])
    except SeedWriteError as exc:
        fail([str(exc)])
    try:
        load_checked(None)  # the dataset must still validate with the run in it
    except typer.Exit:
        restore(before)
        raise
    out.print(f"wrote run {runs[0].slug} into {', '.join(str(p) for p in before)}")


def _bench_command() -> None:
    from app.bench.command import bench

    app.command("bench")(bench)


_bench_command()


@app.command()
def recommend(
    use_case: Annotated[str | None, typer.Option(help="A preset slug (see /use-cases).")] = None,
    must_have: Annotated[list[str] | None, typer.Option(help="A required feature; repeat.")] = None,
    nice_to_have: Annotated[
        list[str] | None, typer.Option(help="A wanted feature; repeat.")
    ] = None,
    priority: Annotated[
        list[str] | None, typer.Option(help="criterion=weight (0..5); repeat.")
    ] = None,
    team_experience: Annotated[
        str | None, typer.Option(help="beginner|intermediate|expert")
    ] = None,
    allow_extensions: Annotated[bool, typer.Option(help="Extensions satisfy must-haves.")] = True,
    limit: Annotated[int, typer.Option(help="How many results.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full JSON answer.")] = False,
) -> None:
    """Rank frameworks for a project and say why."""
    from pydantic import ValidationError
    from rich.table import Table

    from app.db import get_engine
    from app.errors import AppError
    from app.recommendations.schemas import RecommendationRequest
    from app.recommendations.service import recommend as run

    try:
        weights = {k: int(v) for k, v in (p.split("=", 1) for p in priority or [])}
        request = RecommendationRequest.model_validate(
            {
                k: v
                for k, v in {
                    "use_case": use_case,
                    "must_have": must_have,
                    "nice_to_have": nice_to_have,
                    "priorities": weights or None,
                    "team_experience": team_experience,
                    "allow_extensions": allow_extensions,
                    "limit": limit,
                }.items()
                if v is not None
            }
        )
        with Session(get_engine()) as session:
            answer = run(session, request)
    except ValidationError as exc:
        fail([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()])
    except AppError as exc:
        fail([exc.detail])
    except ValueError:
        fail(["--priority takes criterion=weight, e.g. performance=5"])
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
        return
    table = Table("rank", "framework", "score", "why", title="Recommendations")
    for result in answer.results:
        table.add_row(
            str(result.rank), result.name, f"{result.score:.1f}", "\n".join(result.reasons[:3])
        )
    out.print(table)
    if answer.excluded:
        out.print(
            "excluded: "
            + ", ".join(f"{e.framework} (lacks {', '.join(e.lacking)})" for e in answer.excluded)
        )
    for change in answer.sensitivity.smallest_changes[:3]:
        what = (
            f"weight of {change.criterion} {change.from_weight} -> {change.to_weight}"
            if change.kind == "weight"
            else f"dropping must-have {change.feature}"
        )
        out.print(f"{what} would make {change.new_winner} the top pick")
