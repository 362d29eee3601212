"""`make soak`: the real server under bursts, floods, big bodies and a changing database.

Starts `fwatlas serve` as the README does, over its own freshly migrated and
seeded database, runs each scenario against it and checks what the server
promises (`bench/README.md`, "make soak"). Prints a table per scenario, writes
the whole record as JSON under `bench/results/`, and exits non-zero naming
every promise that broke. The server is killed at the end, whatever happens.
"""

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from bench.harness import ensure_wrk
from bench.soak_data import make_dataset
from bench.soak_proc import MIB, Server, fwatlas, raise_nofile
from bench.soak_scenarios import Plan, Result, bodies, burst, floods
from bench.soak_seed import seed_while_reading

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SMOKE = Plan(
    burst_seconds=3,
    header_requests=30,
    query_requests=1000,
    flood_seconds=12,
    seed_seconds=4,
    # One cache-less reader: three would slow the one load that CI can afford.
    readers_uncached=1,
    recovery_wait=5,
)


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--smoke", action="store_true", help="the same scenarios, short (for CI)")
    p.add_argument("--port", type=int, default=8743)
    p.add_argument("--database-url", help="PostgreSQL to use (default: a SQLite file)")
    p.add_argument("--workers", type=int, default=1, help="passed to fwatlas serve")
    p.add_argument("--cache-mib", type=int, help="FWATLAS_CACHE_MAX_BYTES, in MiB (16)")
    p.add_argument("--overhead-mib", type=int, help="RSS growth allowed over the cache (48)")
    p.add_argument("--burst-seconds", type=int)
    p.add_argument("--seed-seconds", type=float)
    p.add_argument("--flood-seconds", type=float, help="the most both floods may take (120)")
    p.add_argument("--recovery-wait", type=float, help="wait for a stalled server (30 s)")
    p.add_argument(
        "--latency-advisory",
        action="store_true",
        help="report latency promises without failing on them (CI on a shared VM)",
    )
    p.add_argument(
        "--only",
        action="append",
        choices=["burst", "floods", "bodies", "seed"],
        help="run only these scenarios (repeatable)",
    )
    return p.parse_args()


def plan_from(args: argparse.Namespace) -> Plan:
    plan = SMOKE if args.smoke else Plan()
    names = ("cache_mib", "overhead_mib", "burst_seconds", "seed_seconds", "flood_seconds")
    for name in (*names, "recovery_wait"):
        if getattr(args, name) is not None:
            setattr(plan, name, getattr(args, name))
    return plan


def show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
    return str(value)


def report(result: Result) -> None:
    print(f"\n## {result.name}")
    width = max(len(k) for k in [*result.figures, "x"])
    for key, value in result.figures.items():
        if key != "torn examples":
            print(f"  {key:<{width}}  {show(value)}")
    for c in result.checks:
        verdict = "PASS" if c["ok"] else "FAIL"
        print(f"  {verdict}  {c['promise']}: {c['detail']}")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main() -> int:
    args = arguments()
    plan = plan_from(args)
    signal.signal(signal.SIGTERM, _stop)
    ensure_wrk()  # installed with apt-get when missing, as `make bench` does
    nofile = raise_nofile()
    if nofile < max(plan.burst_connections) + 200:
        sys.exit(f"open-file limit {nofile} is too low for c={max(plan.burst_connections)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if args.database_url else "sqlite"
    work = RESULTS / f"soak{'-smoke' if args.smoke else ''}-{database}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    url = args.database_url or f"sqlite:///{work / 'soak.db'}"
    env = {
        **os.environ,
        "FWATLAS_DATABASE_URL": url,
        "FWATLAS_CACHE_MAX_BYTES": str(plan.cache_mib * MIB),
    }
    datasets = {n: make_dataset(ROOT / "seed", work / f"dataset-{n}", n) for n in "AB"}
    started = time.monotonic()
    print(f"migrating and seeding dataset A ({database})")
    fwatlas(["db", "upgrade"], env)
    fwatlas(["seed", "--path", str(datasets["A"])], env)
    only = set(args.only or ["burst", "floods", "bodies", "seed"])
    rng = random.Random()
    results: list[Result] = []
    server = Server(args.port, env, work / "server.log", args.workers)
    try:
        with server:
            print(f"fwatlas serve on 127.0.0.1:{args.port}, RSS {server.rss() / MIB:.0f} MiB")
            steps: list[Callable[[], Result]] = []
            if "burst" in only:
                steps += [partial(burst, server, plan, c, rng) for c in plan.burst_connections]
            if "floods" in only:
                steps.append(partial(floods, server, plan))
            if "bodies" in only:
                steps.append(partial(bodies, server, plan))
            if "seed" in only:
                steps.append(partial(seed_while_reading, server, plan, env, datasets, work))
            for step in steps:
                began = time.monotonic()
                results.append(step())
                results[-1].figures["seconds"] = round(time.monotonic() - began, 1)
                report(results[-1])
    finally:
        server.stop()
        broken = [
            f"{r.name}: {c['promise']}"
            for r in results
            for c in r.checks
            if not c["ok"] and not (args.latency_advisory and c["timing"])
        ]
        record = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": database,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "plan": asdict(plan),
            "server_starts": server.starts,
            "seconds": round(time.monotonic() - started, 1),
            "results": [asdict(r) for r in results],
            "broken": broken,
        }
        out = RESULTS / f"{work.name}.json"
        out.write_text(json.dumps(record, indent=2, default=str))
    print(f"\n{len(results)} scenarios in {record['seconds']} s; record in {out.relative_to(ROOT)}")
    if broken:
        print(f"{len(broken)} promises broken:")
        for line in broken:
            print(f"  - {line}")
        return 1
    print("every promise held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
