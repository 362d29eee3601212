"""What a run's samples come to: medians per framework, test and concurrency, and the
ratio of each to the bare server of its interface."""

import statistics
from pathlib import Path

from app.bench.manifest import App
from app.bench.runfile import Result, RunFile, Sample
from app.enums import TestType


def scrub(text: str, *folders: Path) -> str:
    """Reasons quote tracebacks; keep this machine's folders out of a file meant to be shared."""
    for folder, name in sorted(
        ((str(f), n) for f, n in zip(folders, ("<envs>", "<repo>", "<python>"), strict=True)),
        key=lambda pair: -len(pair[0]),
    ):
        text = text.replace(folder, name)
    return text


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def summarise(run: RunFile, apps: list[App]) -> list[Result]:
    by_slug = {a.slug: a for a in apps}
    records = {r.framework: r for r in run.apps}
    groups: dict[tuple[str, TestType, int], list[Sample]] = {}
    for s in run.samples:
        groups.setdefault((s.framework, s.test_type, s.concurrency), []).append(s)
    results = []
    for (slug, test, concurrency), samples in groups.items():
        m = by_slug[slug].manifest
        rec = records[slug]
        samples.sort(key=lambda s: s.round)
        results.append(
            Result(
                framework=m.framework,
                calibration=m.calibration,
                test_type=test,
                concurrency=concurrency,
                requests_per_second=_median([s.requests_per_second for s in samples]),
                framework_version=rec.framework_version,
                server=m.server,
                server_version=rec.server_version,
                workers=m.workers,
                duration_s=run.settings.duration_s,
                rounds=len(samples),
                latency_p50_ms=_median([s.latency_p50_ms for s in samples]),
                latency_p90_ms=_median([s.latency_p90_ms for s in samples]),
                latency_p99_ms=_median([s.latency_p99_ms for s in samples]),
                errors=sum(s.errors for s in samples),
                peak_rss_mb=max(s.peak_rss_mb for s in samples),
                cpu_seconds=_median([s.cpu_seconds for s in samples]),
                rps_by_round=[s.requests_per_second for s in samples],
            )
        )
    baselines = {
        (by_slug[r.framework].manifest.interface, r.test_type, r.concurrency): r
        for r in results
        if r.calibration and r.framework in by_slug
    }
    for r in results:
        base = baselines.get((by_slug[r.framework].manifest.interface, r.test_type, r.concurrency))
        if base is not None and base.requests_per_second:
            r.ratio_to_calibration = round(r.requests_per_second / base.requests_per_second, 3)
    return sorted(results, key=lambda r: (r.test_type.value, r.concurrency, r.framework))
