"""The `fwatlas bench` command: options, progress and the closing table."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.config import ROOT
from app.enums import TestType

if TYPE_CHECKING:
    from app.bench.runfile import RunFile

err = Console(stderr=True)
out = Console()


def _list(value: str | None) -> list[str] | None:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def _tests(value: str | None) -> list[TestType] | None:
    names = _list(value)
    if names is None:
        return None
    try:
        return [TestType(n) for n in names]
    except ValueError:
        raise typer.BadParameter(f"test types are {', '.join(t.value for t in TestType)}") from None


def _ints(value: str) -> list[int]:
    try:
        numbers = [int(v) for v in _list(value) or []]
    except ValueError:
        raise typer.BadParameter("a comma list of integers, e.g. 16,64,256") from None
    if not numbers or any(n < 1 for n in numbers):
        raise typer.BadParameter("at least one concurrency, each >= 1")
    return numbers


def bench(
    frameworks: Annotated[
        str | None, typer.Option(help="Comma list of frameworks (default: every app).")
    ] = None,
    tests: Annotated[
        str | None,
        typer.Option(help="Comma list of test types (default: all but update, which is slow)."),
    ] = None,
    duration: Annotated[int, typer.Option(min=1, help="Seconds per measurement.")] = 2,
    concurrency: Annotated[str, typer.Option(help="Comma list of connection counts.")] = (
        "16,64,256"
    ),
    rounds: Annotated[int, typer.Option(min=1, help="Rounds; medians are taken over them.")] = 3,
    warmup: Annotated[int, typer.Option(min=0, help="Warm-up seconds per test.")] = 1,
    out_file: Annotated[Path, typer.Option("--out", help="The run file to write.")] = Path(
        "bench/results/bench-run.json"
    ),
    resume: Annotated[
        bool, typer.Option(help="Continue the run in --out, skipping what it already has.")
    ] = False,
    verify_only: Annotated[
        bool, typer.Option(help="Install and verify every app, measure nothing.")
    ] = False,
    strict: Annotated[
        bool, typer.Option(help="Exit 1 unless every chosen app was verified and measured.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port the apps listen on, one at a time.")] = 18500,
    database_url: Annotated[
        str,
        typer.Option(
            envvar="FWATLAS_BENCH_DATABASE_URL",
            help="PostgreSQL for the apps (libpq URI); the harness drops and refills it.",
        ),
    ] = "postgresql://postgres@127.0.0.1:5432/bench_apps",
    apps_dir: Annotated[Path, typer.Option("--apps", help="Reference apps.")] = ROOT
    / "bench"
    / "apps",
    env_cache: Annotated[
        Path, typer.Option(help="Where the apps' environments are kept between runs.")
    ] = ROOT / "bench" / ".envs",
) -> None:
    """Verify, then measure the reference apps under bench/apps with wrk; write a run file."""
    # Imported here so that every other fwatlas command starts without them.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from app.bench import database, runner
    from app.bench.machine import NoLoadGenerator
    from app.bench.manifest import ManifestError

    opts = runner.Options(
        apps_root=apps_dir.resolve(),
        out=out_file.resolve(),
        env_cache=env_cache.resolve(),
        db=database.Database(database_url),
        frameworks=_list(frameworks),
        tests=_tests(tests),
        concurrency=_ints(concurrency),
        duration=duration,
        warmup=warmup,
        rounds=rounds,
        port=port,
        resume=resume,
        verify_only=verify_only,
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def plan(total: int) -> None:
            progress.reset(task, total=total)

        def step(text: str) -> None:
            progress.update(task, description=text)
            progress.advance(task)

        hooks = runner.Hooks(
            say=lambda text: err.print(text, highlight=False), plan=plan, step=step
        )
        try:
            run = runner.execute(opts, hooks)
        except (runner.BenchError, ManifestError, NoLoadGenerator) as exc:
            err.print(f"[red]error[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None
    _report(run)
    out.print(f"wrote {out_file}")
    if strict:
        _check_complete(run)


def _check_complete(run: "RunFile") -> None:
    from app.bench.runfile import AppStatus

    failed = [a.framework for a in run.apps if a.status is not AppStatus.verified]
    measured = {(r.framework, r.test_type, r.concurrency) for r in run.results}
    missing = [
        f"{a.framework} {t.value} c={c}"
        for a in run.apps
        if a.status is AppStatus.verified and not run.settings.verify_only
        for t in run.settings.tests
        if t.value in a.verification
        for c in run.settings.concurrency
        if (a.framework, t, c) not in measured
    ]
    if failed or missing:
        err.print(f"[red]incomplete[/red]: {', '.join(failed + missing)}", highlight=False)
        raise typer.Exit(1)


def _report(run: "RunFile") -> None:
    from rich.table import Table

    table = Table("test", "c", "framework", "version", "rps", "p99 ms", "x bare", "errors")
    for r in run.results:
        table.add_row(
            r.test_type.value,
            str(r.concurrency),
            r.framework,
            r.framework_version or "",
            f"{r.requests_per_second:,.0f}",
            f"{r.latency_p99_ms:.1f}",
            "" if r.ratio_to_calibration is None else f"{r.ratio_to_calibration:.2f}",
            str(r.errors),
        )
    if run.results:
        out.print(table)
    for app in run.apps:
        version = f" {app.framework_version}" if app.framework_version else ""
        line = f"{app.framework}{version}: {app.status.value}"
        out.print(line + (f": {app.reason}" if app.reason else ""), highlight=False)
        for incident in app.incidents:
            out.print(f"  {incident}", highlight=False)
