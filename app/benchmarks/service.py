"""Benchmark results with provenance, and their reconciliation across runs."""

from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.benchmarks.reconcile import (
    DISAGREEMENT_FACTOR,
    Figure,
    NoBaselineError,
    reconcile,
)
from app.benchmarks.schemas import (
    BenchmarkResultOut,
    BenchmarkSummary,
    Environment,
    RunRatioOut,
    StandingOut,
)
from app.catalogue.schemas import BenchmarkFigure
from app.derived import derived
from app.enums import SourceKind, TestType
from app.errors import unknown
from app.models import BenchmarkResult, BenchmarkRun, Framework, Source
from app.paging import Page, decode_cursor, paginate
from app.support.reads import check_known

METHOD = (
    "Within each run, every framework's requests per second (a range counts as its "
    "midpoint, an open range as its bound) is divided by the baseline's figure in the same "
    "run; a framework's relative_speed is the geometric mean of those ratios over the runs "
    "that measured both (ratio_low..ratio_high is the spread of those ratios). The same "
    "mean over measured runs only (this project's fwatlas bench) and over cited runs only "
    "(articles, suites) is given too; cited_disagrees flags a cited ratio that differs from "
    "the measured one by more than the disagreement factor. A run measuring a framework "
    "at several concurrencies counts its best figure. Results whose source names no test "
    "type count towards every test type unless include_unspecified is false. See "
    "docs/benchmarks.md."
)


class BenchmarkSort(StrEnum):
    rps = "rps"
    rps_desc = "-rps"
    date = "date"
    date_desc = "-date"


def _rows(conds: Sequence[Any]) -> Any:
    return (
        select(BenchmarkResult, BenchmarkRun, Framework.slug, Source.slug)
        .join(BenchmarkRun, col(BenchmarkRun.id) == col(BenchmarkResult.run_id))
        .join(Framework, col(Framework.id) == col(BenchmarkResult.framework_id))
        .join(Source, col(Source.id) == col(BenchmarkRun.source_id))
        .where(*conds)
    )


def _slug_filter(
    session: Session, model: Any, pointer: str, wanted: Sequence[str], kind: str, column: Any
) -> Any:
    ids = dict(session.exec(select(model.slug, model.id).where(col(model.slug).in_(wanted))).all())
    check_known(pointer, wanted, ids, kind, lambda: session.exec(select(model.slug)).all())
    return col(column).in_(list(ids.values()))


def _filters(
    session: Session,
    *,
    framework: Sequence[str],
    test_type: Sequence[TestType],
    source: Sequence[str],
    server: Sequence[str],
    run: Sequence[str],
) -> list[Any]:
    conds: list[Any] = []
    if framework:
        conds.append(
            _slug_filter(
                session,
                Framework,
                "/query/framework",
                framework,
                "framework",
                BenchmarkResult.framework_id,
            )
        )
    if source:
        conds.append(
            _slug_filter(session, Source, "/query/source", source, "source", BenchmarkRun.source_id)
        )
    if run:
        conds.append(
            _slug_filter(session, BenchmarkRun, "/query/run", run, "run", BenchmarkResult.run_id)
        )
    if test_type:
        conds.append(col(BenchmarkResult.test_type).in_(test_type))
    if server:
        conds.append(
            func.lower(func.coalesce(BenchmarkResult.server, "")).in_([s.lower() for s in server])
        )
    return conds


def result_out(
    result: BenchmarkResult, run: BenchmarkRun, framework: str, source: str
) -> BenchmarkResultOut:
    return BenchmarkResultOut(
        id=result.id or 0,
        run=run.slug,
        run_title=run.title,
        framework=framework,
        framework_version=result.framework_version,
        test_type=result.test_type,
        server=result.server,
        workers=result.workers,
        concurrency=result.concurrency,
        requests_per_second=result.requests_per_second,
        rps_low=result.rps_low,
        rps_high=result.rps_high,
        approximate=result.approximate,
        latency_avg_ms=result.latency_avg_ms,
        latency_p50_ms=result.latency_p50_ms,
        latency_p90_ms=result.latency_p90_ms,
        latency_p99_ms=result.latency_p99_ms,
        latency_ms=result.latency_ms,
        errors=result.errors,
        peak_rss_mb=result.peak_rss_mb,
        cpu_seconds=result.cpu_seconds,
        reported_relative_speed=result.reported_relative_speed,
        environment=Environment(
            hardware=run.hardware, os=run.os, python_version=run.python_version
        ),
        source=source,
        date=run.date,
        notes=result.notes,
    )


def list_results(
    session: Session,
    *,
    framework: Sequence[str] = (),
    test_type: Sequence[TestType] = (),
    source: Sequence[str] = (),
    server: Sequence[str] = (),
    run: Sequence[str] = (),
    sort: BenchmarkSort = BenchmarkSort.rps_desc,
    limit: int,
    cursor: str | None,
) -> Page[BenchmarkResultOut]:
    conds = _filters(
        session, framework=framework, test_type=test_type, source=source, server=server, run=run
    )
    by_date = sort in (BenchmarkSort.date, BenchmarkSort.date_desc)
    key: Any = func.coalesce(BenchmarkRun.date, "") if by_date else col(BenchmarkResult.rps_sort)
    descending = sort.value.startswith("-")
    stmt = _rows(conds)
    if cursor:
        sort_name, value, last_id = decode_cursor(cursor, 3, (str, str if by_date else float, int))
        if sort_name != sort.value:
            raise unknown("/query/cursor", "was made for another sort order")
        after = sa.tuple_(key, BenchmarkResult.id)
        stmt = stmt.where(after < (value, last_id) if descending else after > (value, last_id))
    order = (
        (key.desc(), col(BenchmarkResult.id).desc())
        if descending
        else (key, col(BenchmarkResult.id))
    )
    rows = session.exec(stmt.order_by(*order).limit(limit + 1)).all()
    total = session.exec(
        select(func.count())
        .select_from(BenchmarkResult)
        .join(BenchmarkRun, col(BenchmarkRun.id) == col(BenchmarkResult.run_id))
        .where(*conds)
    ).one()

    def cursor_key(row: Any) -> list[Any]:
        result, run_row, _, _ = row
        return [sort.value, (run_row.date or "") if by_date else result.rps_sort, result.id]

    rows, next_cursor = paginate(rows, limit, cursor_key)
    return Page(
        items=[result_out(r, run_row, fw, src) for r, run_row, fw, src in rows],
        next_cursor=next_cursor,
        total=total,
    )


def summarise(
    session: Session,
    *,
    test_type: TestType | None = None,
    frameworks: Sequence[str] = (),
    baseline: str | None = None,
    include_unspecified: bool = True,
) -> BenchmarkSummary:
    if baseline:
        _slug_filter(
            session,
            Framework,
            "/query/baseline",
            [baseline],
            "framework",
            BenchmarkResult.framework_id,
        )
    types = [test_type] if test_type else list(TestType)
    if test_type and include_unspecified and test_type is not TestType.unspecified:
        types.append(TestType.unspecified)
    conds = [col(BenchmarkResult.test_type).in_(types)]
    if frameworks:
        fw_cond = _slug_filter(
            session,
            Framework,
            "/query/frameworks",
            frameworks,
            "framework",
            BenchmarkResult.framework_id,
        )
        if baseline:  # the baseline is needed in every run, even when not shown
            fw_cond = sa.or_(fw_cond, col(Framework.slug) == baseline)
        conds.append(fw_cond)
    # Plain columns, not ORM objects: a summary may read every result in the dataset.
    figures = [
        Figure(*row)
        for row in session.connection().execute(
            sa.select(
                col(BenchmarkRun.slug),
                col(Source.slug),
                col(Framework.slug),
                sa.type_coerce(col(BenchmarkResult.test_type), sa.String),
                col(BenchmarkResult.requests_per_second),
                col(BenchmarkResult.rps_low),
                col(BenchmarkResult.rps_high),
                col(Source.kind) == SourceKind.measured,
            )
            .join(BenchmarkRun, col(BenchmarkRun.id) == col(BenchmarkResult.run_id))
            .join(Framework, col(Framework.id) == col(BenchmarkResult.framework_id))
            .join(Source, col(Source.id) == col(BenchmarkRun.source_id))
            .where(*conds)
        )
    ]
    try:
        chosen, standings = reconcile(figures, baseline)
    except NoBaselineError as exc:
        raise unknown("/query/baseline", str(exc)) from None
    shown = [s for s in standings if not frameworks or s.framework in frameworks]
    return BenchmarkSummary(
        test_type=test_type,
        test_types_included=sorted({TestType(f.test_type) for f in figures}),
        baseline=chosen,
        disagreement_factor=DISAGREEMENT_FACTOR,
        method=METHOD,
        items=[
            StandingOut(
                framework=s.framework,
                relative_speed=s.relative_speed,
                rps_min=s.rps_min,
                rps_max=s.rps_max,
                runs=s.runs,
                sources=list(s.sources),
                disagreement=s.disagreement,
                ratio_low=_round(s.ratio_low),
                ratio_high=_round(s.ratio_high),
                measured_relative_speed=s.measured_relative_speed,
                cited_relative_speed=s.cited_relative_speed,
                cited_disagrees=s.cited_disagrees,
                per_run=[
                    RunRatioOut(
                        run=r.run,
                        source=r.source,
                        rps=r.rps,
                        baseline_rps=r.baseline_rps,
                        ratio=round(r.ratio, 4),
                        measured=r.measured,
                    )
                    for r in s.per_run
                ],
            )
            for s in shown
        ],
        sources=sorted({src for s in shown for src in s.sources}),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def kept_summary(session: Session, test_type: TestType) -> BenchmarkSummary:
    """The default summary of one test type, which every framework's page draws on:
    built once per dataset version."""
    return derived(
        session, ("summary", test_type), partial(summarise, session, test_type=test_type)
    )


def standings_for(session: Session, framework: str) -> list[BenchmarkFigure]:
    """A framework's reconciled standing in each test type it was measured in."""
    types = sorted(
        TestType(t)
        for t in set(
            session.exec(
                select(BenchmarkResult.test_type)
                .join(Framework, col(Framework.id) == col(BenchmarkResult.framework_id))
                .where(Framework.slug == framework)
            ).all()
        )
    )
    specific = [t for t in types if t is not TestType.unspecified] or types
    figures = []
    for test_type in specific:
        summary = kept_summary(session, test_type)
        for item in summary.items:
            if item.framework == framework:
                figures.append(
                    BenchmarkFigure(
                        test_type=test_type.value,
                        relative_speed=item.relative_speed,
                        baseline=summary.baseline,
                        rps_min=item.rps_min,
                        rps_max=item.rps_max,
                        runs=item.runs,
                        sources=item.sources,
                        disagreement=item.disagreement,
                    )
                )
    return figures
