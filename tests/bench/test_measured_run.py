"""A run's medians, and a run file imported as one measured run next to the articles'."""

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.bench.manifest import discover
from app.bench.runfile import AppRecord, AppStatus, Environment, RunFile, Sample, Settings
from app.bench.summary import summarise
from app.benchmarks.importer import BenchmarkImportError, import_runs, read_file
from app.enums import TestType
from tests.bench.test_manifests import APPS


def sample(framework: str, rps: float, round_no: int, p99: float = 9.0) -> Sample:
    return Sample(
        framework=framework,
        test_type=TestType.json,
        concurrency=16,
        round=round_no,
        requests_per_second=rps,
        latency_p50_ms=1.0,
        latency_p90_ms=2.0 * round_no,
        latency_p99_ms=p99,
        errors=1,
        requests=int(rps),
        peak_rss_mb=30.0 + round_no,
        cpu_seconds=0.9,
        load_average=1.5 + round_no,
    )


def a_run() -> RunFile:
    samples = [
        *(sample("bare-wsgi", rps, r) for r, rps in enumerate((2000.0, 1000.0, 1800.0), 1)),
        *(sample("flask", rps, r) for r, rps in enumerate((900.0, 600.0, 1000.0), 1)),
    ]
    run = RunFile(
        run_id="fwatlas-bench-2026-12-02-0600",
        environment=Environment(
            cpu_model="Test CPU",
            cores=2,
            memory_mb=4096,
            python_version="3.11.7",
            load_generator="wrk 4.1.0",
            database="PostgreSQL 15",
            database_note="one database for every app",
            date="2026-12-02T06:00:00+00:00",
            pinning="server on cores [0], wrk on [1]",
        ),
        settings=Settings(
            frameworks=["bare-wsgi", "flask", "pylons"],
            tests=[TestType.json],
            concurrency=[16],
            duration_s=3,
            warmup_s=1,
            rounds=3,
            query_count=20,
        ),
        apps=[
            AppRecord(framework="bare-wsgi", calibration=True, status=AppStatus.verified),
            AppRecord(
                framework="flask",
                status=AppStatus.verified,
                framework_version="3.1.3",
                server="gunicorn",
                server_version="27.0.1",
                workers=1,
            ),
            AppRecord(
                framework="pylons",
                status=AppStatus.install_failed,
                reason="no wheel for this Python",
            ),
        ],
        samples=samples,
    )
    apps = [a for a in discover(APPS) if a.slug in ("bare-wsgi", "flask")]
    run.results = summarise(run, apps)
    return run


def test_results_are_medians_over_rounds_with_the_ratio_to_the_bare_server() -> None:
    flask = next(r for r in a_run().results if r.framework == "flask")
    assert flask.requests_per_second == 900.0
    assert flask.rps_by_round == [900.0, 600.0, 1000.0]
    assert flask.latency_p90_ms == 4.0
    assert flask.peak_rss_mb == 33.0  # the peak over rounds, not a median
    assert flask.errors == 3  # every error counts
    assert flask.ratio_to_calibration == 0.5  # 900 / 1800, both medians


def test_an_imported_run_is_one_measured_source_without_the_calibration_apps(
    tmp_path: Path, session: Session, client: Any
) -> None:
    file = tmp_path / "run.json"
    file.write_text(a_run().model_dump_json())
    sources, runs = read_file(file)
    import_runs(session, runs, sources)
    body = client.get("/api/v1/benchmarks?source=fwatlas-bench-2026-12-02-0600").json()
    assert [(i["framework"], i["requests_per_second"]) for i in body["items"]] == [("flask", 900.0)]
    result = body["items"][0]
    assert (result["latency_p90_ms"], result["peak_rss_mb"], result["cpu_seconds"]) == (
        4.0,
        33.0,
        0.9,
    )
    assert result["server"] == "gunicorn 27.0.1"
    assert "0.50x the bare server" in result["notes"]
    source = client.get("/api/v1/sources/fwatlas-bench-2026-12-02-0600").json()
    assert source["kind"] == "measured"
    assert "Test CPU, 2 cores" in source["title"]
    run = runs[0]
    assert "pylons: install-failed: no wheel for this Python." in (run.notes or "")
    assert "bare-wsgi json c=16 1800 rps" in (run.notes or "")
    assert "Load average as each measurement ended: 2.5 to 4.5 (median 3.5) on 2 cores" in (
        run.notes or ""
    )


def test_a_run_file_with_nothing_measured_is_refused(tmp_path: Path) -> None:
    run = a_run()
    run.results = [r for r in run.results if r.calibration]
    file = tmp_path / "run.json"
    file.write_text(run.model_dump_json())
    with pytest.raises(BenchmarkImportError) as caught:
        read_file(file)
    assert caught.value.problems == ["run.json: the run file has no measured results to import"]


def test_reasons_name_no_folder_of_the_machine_that_ran() -> None:
    from app.bench.summary import scrub

    text = '/srv/x/bench/.envs/pylons-1/lib/site.py", line 4 | /srv/x/bench/apps/p/app.py'
    assert scrub(text, Path("/srv/x/bench/.envs"), Path("/srv/x"), Path("/opt/py")) == (
        '<envs>/pylons-1/lib/site.py", line 4 | <repo>/bench/apps/p/app.py'
    )


def test_a_resumed_run_measures_only_what_its_file_lacks(tmp_path: Path) -> None:
    from app.bench.database import Database
    from app.bench.runner import Harness, Hooks, Options

    opts = Options(
        apps_root=APPS,
        out=tmp_path / "run.json",
        env_cache=tmp_path,
        db=Database("postgresql://nobody@127.0.0.1:1/none"),
        tests=[TestType.json, TestType.fortune],
        concurrency=[16, 64],
    )
    flask = next(a for a in discover(APPS) if a.slug == "flask")
    record = AppRecord(
        framework="flask",
        status=AppStatus.partial,
        verification={"json": [], "fortune": ["the fortunes are not sorted by message"]},
    )
    # json at c=16 is in the file for every round; the failed fortune is never loaded.
    assert Harness(opts, Hooks(), "wrk").todo(flask, record, a_run(), 2) == [(TestType.json, 64)]
