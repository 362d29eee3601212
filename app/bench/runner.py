"""A whole run: install, verify, then load every app in interleaved rounds, then medians."""

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from app.bench import database, envs, load, machine
from app.bench.manifest import App, discover
from app.bench.runfile import (
    AppRecord,
    AppStatus,
    RunFile,
    Sample,
    Settings,
    write_atomically,
)
from app.bench.summary import scrub, summarise
from app.bench.verify import advisory, verify
from app.enums import TestType

# Passed through to the apps; everything else (the project's venv above all) is left out.
PASS_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "SSL_CERT_FILE")


class BenchError(Exception):
    pass


@dataclass
class Options:
    apps_root: Path
    out: Path
    env_cache: Path
    db: database.Database
    frameworks: list[str] | None = None
    tests: list[TestType] | None = None
    concurrency: list[int] = field(default_factory=lambda: [16, 64, 256])
    duration: float = 2.0
    warmup: float = 1.0
    rounds: int = 3
    query_count: int = 20
    port: int = 18500
    host: str = "127.0.0.1"
    resume: bool = False
    verify_only: bool = False


@dataclass
class Hooks:
    """What the CLI shows: a line per event, and a bar over every planned step."""

    say: Callable[[str], None] = lambda _: None
    plan: Callable[[int], None] = lambda _: None
    step: Callable[[str], None] = lambda _: None


def select(apps: list[App], wanted: list[str] | None) -> list[App]:
    if not wanted:
        return apps
    known = {a.manifest.framework: a for a in apps}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise BenchError(
            f"no reference app for {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    # The calibration apps are always in the run: every figure is also a ratio to them.
    return [a for a in apps if a.manifest.calibration or a.manifest.framework in wanted]


def _app_env(env: envs.Environment, opts: Options, workers: int) -> dict[str, str]:
    base = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
    base["PATH"] = f"{env.bin}{os.pathsep}{base.get('PATH', '')}"
    if env.bin.joinpath("python").exists():
        base["VIRTUAL_ENV"] = str(env.folder)
    return {
        **base,
        **opts.db.parts(),
        "HOST": opts.host,
        "PORT": str(opts.port),
        "WORKERS": str(workers),
        "PYTHONUNBUFFERED": "1",
    }


class Harness:
    def __init__(self, opts: Options, hooks: Hooks, wrk: str) -> None:
        self.wrk = wrk
        self.opts = opts
        self.hooks = hooks
        self.logs = opts.out.with_name(opts.out.stem + "-logs")
        self.logs.mkdir(parents=True, exist_ok=True)
        self.script = self.logs / "report.lua"
        self.script.write_text(load.REPORT_LUA)
        self.server_cores, self.load_cores = load.cpus()
        self.envs: dict[str, envs.Environment] = {}

    @property
    def url(self) -> str:
        return f"http://{self.opts.host}:{self.opts.port}"

    def start(self, app: App) -> load.Server:
        m = app.manifest
        env = self.envs[app.slug]
        fill = {"bin": str(env.bin), "host": self.opts.host, "port": str(self.opts.port)}
        fill["workers"] = str(m.workers)
        argv = [part.format(**fill) for part in m.start]
        server = load.Server(
            load.pinned(argv, self.server_cores),
            app.folder,
            _app_env(env, self.opts, m.workers),
            self.logs / f"{app.slug}.log",
            self.opts.host,
            self.opts.port,
        )
        try:
            server.wait_ready(self.opts.host, self.opts.port)
        except load.StartError:
            server.stop()
            raise
        return server

    def prepare(self, app: App, record: AppRecord) -> None:
        """Install and verify one app; what went wrong is written in its record."""
        self.hooks.step(f"{record.framework}: installing")
        try:
            env = envs.ensure(app, self.opts.env_cache)
        except envs.InstallError as exc:
            record.status, record.reason = AppStatus.install_failed, str(exc)
            return
        self.envs[app.slug] = env
        record.framework_version = env.framework_version
        record.server_version = env.server_version
        if record.status is not AppStatus.pending:
            return  # verified by the run being resumed
        self.hooks.step(f"{record.framework}: verifying")
        try:
            server = self.start(app)
        except load.StartError as exc:
            record.status, record.reason = AppStatus.start_failed, str(exc)
            return
        try:
            record.verification = verify(self.url, app.manifest, self.opts.db, self.tests(app))
        finally:
            server.stop()
        failed = {t: p for t, p in record.verification.items() if any(not advisory(x) for x in p)}
        wanted = [t.value for t in self.tests(app)]
        if all(t in failed for t in wanted):
            record.status = AppStatus.verify_failed
        else:
            record.status = (
                AppStatus.partial if any(t in failed for t in wanted) else (AppStatus.verified)
            )
        if failed:
            record.reason = "; ".join(
                f"{t}: {next(x for x in p if not advisory(x))}" for t, p in sorted(failed.items())
            )
        noted = {
            x.rsplit(": ", 1)[-1]: t
            for t, p in record.verification.items()
            for x in p
            if advisory(x)
        }
        for note in sorted(noted):
            record.incidents.append(f"verification note: {note} (measured anyway)")

    def tests(self, app: App) -> list[TestType]:
        chosen = self.opts.tests or [t for t in app.manifest.tests if t is not TestType.update]
        return [t for t in app.manifest.tests if t in chosen]

    def target(self, app: App, test: TestType) -> str:
        path = app.manifest.path(test)
        if test in (TestType.query, TestType.update):
            path += str(self.opts.query_count)
        return self.url + path

    def todo(
        self, app: App, record: AppRecord, run: RunFile, round_no: int
    ) -> list[tuple[TestType, int]]:
        done = {
            (s.test_type, s.concurrency)
            for s in run.samples
            if s.framework == app.slug and s.round == round_no
        }
        return [
            (t, c)
            for t in self.tests(app)
            if t.value in record.verification  # only what was verified is measured
            and not any(not advisory(x) for x in record.verification[t.value])
            for c in self.opts.concurrency
            if (t, c) not in done
        ]

    def load_round(self, app: App, record: AppRecord, run: RunFile, round_no: int) -> None:
        todo = self.todo(app, record, run, round_no)
        if not todo:
            return
        try:
            server = self.start(app)
        except load.StartError as exc:
            record.incidents.append(f"round {round_no}: did not start: {exc}")
            for _ in todo:
                self.hooks.step(f"{record.framework}: did not start")
            return
        wrk = self.wrk
        try:
            warmed: set[TestType] = set()
            for test, concurrency in todo:
                self.hooks.step(f"{record.framework} {test.value} c={concurrency} r{round_no}")
                if not server.alive():
                    continue
                url = self.target(app, test)
                if test not in warmed and self.opts.warmup > 0:
                    load.wrk(
                        wrk,
                        self.script,
                        url,
                        max(self.opts.concurrency),
                        self.opts.warmup,
                        self.load_cores,
                    )
                    warmed.add(test)
                got = load.measure(
                    wrk, self.script, server, url, concurrency, self.opts.duration, self.load_cores
                )
                if not server.alive():
                    record.incidents.append(
                        f"round {round_no}: crashed under {test.value} c={concurrency}: "
                        f"{server.tail()}"
                    )
                    continue
                if got.requests == 0:
                    record.incidents.append(
                        f"round {round_no}: no request completed under {test.value} "
                        f"c={concurrency} in {self.opts.duration} s; not recorded"
                    )
                    continue
                run.samples.append(
                    Sample(
                        framework=app.slug,
                        test_type=test,
                        concurrency=concurrency,
                        round=round_no,
                        load_average=round(os.getloadavg()[0], 2),
                        **got.__dict__,
                    )
                )
                write_atomically(self.opts.out, run)
        except (RuntimeError, OSError) as exc:
            record.incidents.append(f"round {round_no}: load failed: {exc}")
        finally:
            server.stop()


def execute(opts: Options, hooks: Hooks) -> RunFile:
    apps = select(discover(opts.apps_root), opts.frameworks)
    wrk = machine.ensure_wrk()
    settings = Settings(
        frameworks=[a.manifest.framework for a in apps],
        tests=opts.tests or sorted({t for a in apps for t in a.manifest.tests} - {TestType.update}),
        concurrency=opts.concurrency,
        duration_s=opts.duration,
        warmup_s=opts.warmup,
        rounds=opts.rounds,
        query_count=opts.query_count,
        verify_only=opts.verify_only,
    )
    hooks.say("preparing the benchmark database")
    database.prepare(opts.db)
    harness = Harness(opts, hooks, wrk)
    steal_start, cpu_start = machine.steal_seconds(), sum(psutil.cpu_times())
    if opts.resume and opts.out.exists():
        run = RunFile.model_validate_json(opts.out.read_text())
        if run.settings != settings:
            raise BenchError(f"{opts.out} was made with other settings; rerun without --resume")
        hooks.say(f"resuming {run.run_id}: {len(run.samples)} samples already measured")
    else:
        now = datetime.now(UTC)
        pinning = (
            f"server on cores {sorted(harness.server_cores)}, wrk on {sorted(harness.load_cores)}"
        )
        run = RunFile(
            run_id=f"fwatlas-bench-{now:%Y-%m-%d-%H%M}",
            environment=machine.describe(opts.apps_root.parents[1], wrk, opts.db, pinning, now),
            settings=settings,
            apps=[
                AppRecord(
                    framework=a.slug,
                    calibration=a.manifest.calibration,
                    language=a.manifest.language,
                    server=a.manifest.server,
                    workers=a.manifest.workers,
                )
                for a in apps
            ],
        )
    records = {r.framework: r for r in run.apps}
    hooks.plan(len(apps) * 2)
    for app in apps:
        rec = records[app.slug]
        harness.prepare(app, rec)
        if rec.status not in (AppStatus.verified, AppStatus.partial):
            hooks.say(f"{app.slug}: {rec.status.value}: {rec.reason}")
        elif rec.reason:
            hooks.say(f"{app.slug}: not measured: {rec.reason}")
        write_atomically(opts.out, run)
    live = (AppStatus.verified, AppStatus.partial)
    measurable = [a for a in apps if records[a.slug].status in live and not opts.verify_only]
    planned = sum(
        len(harness.todo(a, records[a.slug], run, r))
        for a in measurable
        for r in range(1, opts.rounds + 1)
    )
    warmups = sum(len(harness.tests(a)) for a in measurable) * opts.rounds
    minutes = (planned * (opts.duration + 0.3) + warmups * opts.warmup) / 60
    if planned:
        eta = f"about {minutes:.0f} min" if minutes >= 1 else "under a minute"
        hooks.say(f"{planned} measurements over {len(measurable)} apps, {eta}")
    hooks.plan(planned)
    for round_no in range(1, opts.rounds + 1):
        # A different app goes first each round, so a noisy minute is spread over all.
        shift = (round_no - 1) % max(1, len(measurable))
        for app in measurable[shift:] + measurable[:shift]:
            harness.load_round(app, records[app.slug], run, round_no)
    folders = (opts.env_cache, opts.apps_root.parents[1], Path(sys.base_prefix))
    for rec in run.apps:
        rec.reason = scrub(rec.reason, *folders) if rec.reason else None
        rec.incidents = [scrub(x, *folders) for x in rec.incidents]
    run.results = summarise(run, apps)
    steal_end, cpu_end = machine.steal_seconds(), sum(psutil.cpu_times())
    if steal_start is not None and steal_end is not None and cpu_end > cpu_start:
        share = 100 * (steal_end - steal_start) / (cpu_end - cpu_start)
        run.environment.cpu_steal_percent = round(share, 1)
    run.environment.load_average_end = machine.load_average()
    run.environment.finished = datetime.now(UTC).isoformat(timespec="seconds")
    write_atomically(opts.out, run)
    return run
