"""Turn a `fwatlas bench` run file into one benchmark run whose source has kind `measured`.

Calibration apps are not frameworks of the dataset: their figures go into the run's
notes, and every result says its ratio to the bare server of its interface.
"""

from typing import Any

from pydantic import ValidationError

from app.bench.runfile import FORMAT, AppStatus, Result, RunFile
from app.enums import SourceKind
from app.seed.schema import ResultIn, RunIn, SourceIn


def is_run_file(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def _machine(run: RunFile) -> str:
    env = run.environment
    memory = f", {env.memory_mb / 1024:.0f} GiB" if env.memory_mb else ""
    return f"{env.cpu_model or 'unknown CPU'}, {env.cores or '?'} cores{memory}"


def _result(r: Result) -> ResultIn:
    server = " ".join(x for x in (r.server, r.server_version) if x) or None
    notes = [
        f"median of {r.rounds} round(s) of {r.duration_s:g} s: "
        + ", ".join(f"{x:.0f}" for x in r.rps_by_round)
        + " rps"
    ]
    if r.ratio_to_calibration is not None:
        notes.append(f"{r.ratio_to_calibration:.2f}x the bare server of its interface")
    return ResultIn(
        framework=r.framework,
        framework_version=r.framework_version,
        test_type=r.test_type,
        server=server,
        workers=r.workers,
        concurrency=r.concurrency,
        requests_per_second=r.requests_per_second,
        latency_p50_ms=r.latency_p50_ms,
        latency_p90_ms=r.latency_p90_ms,
        latency_p99_ms=r.latency_p99_ms,
        errors=r.errors,
        peak_rss_mb=r.peak_rss_mb,
        cpu_seconds=r.cpu_seconds,
        notes="; ".join(notes),
    )


def _run_notes(run: RunFile) -> str:
    env, settings = run.environment, run.settings
    lines = [
        f"Measured with `fwatlas bench` at commit {env.commit or 'unknown'}; "
        f"{env.load_generator}; {env.database or 'PostgreSQL'}: {env.database_note}.",
        f"{settings.rounds} round(s) of {settings.duration_s:g} s after {settings.warmup_s:g} s "
        f"of warm-up, concurrency {', '.join(map(str, settings.concurrency))}, query and "
        f"update tests at queries={settings.query_count}; {env.pinning}.",
        f"Load average at start {env.load_average_start}, at end {env.load_average_end}; "
        f"CPU steal {env.cpu_steal_percent if env.cpu_steal_percent is not None else '?'}%.",
    ]
    loads = [s.load_average for s in run.samples if s.load_average is not None]
    if loads:
        lines.append(
            f"Load average as each measurement ended: {min(loads):.1f} to {max(loads):.1f} "
            f"(median {sorted(loads)[len(loads) // 2]:.1f}) on {env.cores or '?'} cores."
        )
    calibration = [r for r in run.results if r.calibration]
    if calibration:
        lines.append(
            "Bare servers: "
            + "; ".join(
                f"{r.framework} {r.test_type.value} c={r.concurrency} "
                f"{r.requests_per_second:.0f} rps"
                for r in calibration
            )
            + "."
        )
    for app in run.apps:
        if app.status is not AppStatus.verified:
            lines.append(f"{app.framework}: {app.status.value}: {app.reason or 'no reason'}.")
        for incident in app.incidents:
            lines.append(f"{app.framework}: {incident}.")
    return "\n".join(lines)


def convert(data: dict[str, Any]) -> tuple[SourceIn, RunIn]:
    """Raises pydantic.ValidationError when the file is not a valid run file."""
    run = RunFile.model_validate(data)
    day = run.environment.date[:10]
    results = [_result(r) for r in run.results if not r.calibration and r.requests_per_second > 0]
    if not results:
        raise ValueError("the run file has no measured results to import")
    source = SourceIn.model_validate(
        {
            "slug": run.run_id,
            "title": f"fwatlas bench on {_machine(run)} ({day})",
            "author": None,
            "publisher": "Framework Atlas",
            "url": None,
            "published": day,
            "retrieved": day,
            "kind": SourceKind.measured,
            "notes": "A run of this project's reference apps under bench/apps, verified, "
            "then loaded with wrk on the machine named in the title.",
        }
    )
    os_name = " ".join(x for x in (run.environment.os, run.environment.kernel) if x) or None
    return source, RunIn(
        slug=run.run_id,
        title=f"fwatlas bench, {_machine(run)}, {day}",
        source=source.slug,
        date=day,
        hardware=_machine(run),
        os=os_name[:120] if os_name else None,
        python_version=run.environment.python_version,
        notes=_run_notes(run),
        results=results,
    )


__all__ = ["ValidationError", "convert", "is_run_file"]
