"""`make bench`: Framework Atlas against a bare ASGI app sending the same bytes.

Both run under the same Uvicorn settings, one worker each, pinned to the same
core; wrk loads them in turn from the other core, interleaved over several
rounds. What is reported is the ratio of the app to the baseline in this run,
round by round (each round's two runs are back to back), so the machine's
speed, which on a shared host shifts from one second to the next, cancels out.
"""

import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
APP_PORT, BASE_PORT = 8741, 8742
# Headers the server adds itself; the baseline gets them from Uvicorn too.
SERVER_HEADERS = {"date", "server"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    query: str = ""
    revalidate: bool = False  # send the ETag back and expect 304

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


ENDPOINTS = (
    Endpoint("framework detail", "/api/v1/frameworks/django"),
    Endpoint("framework list", "/api/v1/frameworks"),
    Endpoint("compare (3)", "/api/v1/compare", "frameworks=django,fastapi,flask"),
    Endpoint("matrix (full)", "/api/v1/matrix"),
    Endpoint("recommendation", "/api/v1/recommendations", "use_case=cms"),
    Endpoint("304 revalidation", "/api/v1/frameworks/django", revalidate=True),
    Endpoint("chart (SVG)", "/api/v1/benchmarks/chart.svg"),
)
TARGETS = {"rps_ratio": 0.60, "p99_ratio": 3.0, "rps_ratio_304": 0.70, "miss_ms": 10.0}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing it with apt-get", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def pin(pid: int, cpu: int) -> None:
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, {cpu})


def prepare_database(env: dict[str, str]) -> None:
    for args in (["db", "upgrade"], ["seed"]):
        fwatlas = Path(sys.executable).parent / "fwatlas"
        subprocess.run([fwatlas, *args], env=env, check=True, capture_output=True)


@contextmanager
def server(app: str, port: int, env: dict[str, str]) -> Any:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        pin(proc.pid, 0)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{app} did not start")
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def record(endpoints: tuple[Endpoint, ...]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The app's answers, byte for byte, for the baseline to send back."""
    answers, etags = [], {}
    with httpx.Client(base_url=f"http://127.0.0.1:{APP_PORT}") as client:
        for ep in endpoints:
            first = client.get(ep.target)
            if first.status_code != 200:
                sys.exit(f"{ep.target} answered {first.status_code}: {first.text[:200]}")
            etag = first.headers["etag"]
            headers = {"if-none-match": etag} if ep.revalidate else {}
            resp = client.get(ep.target, headers=headers)
            if resp.status_code != (304 if ep.revalidate else 200):
                sys.exit(f"{ep.name}: unexpected {resp.status_code}")
            etags[ep.name] = etag
            answers.append(
                {
                    "path": ep.path,
                    "query": ep.query,
                    "if_none_match": etag if ep.revalidate else "",
                    "status": resp.status_code,
                    "headers": [
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in resp.headers.raw
                        if k.decode("latin-1").lower() not in SERVER_HEADERS
                    ],
                    "body": base64.b64encode(resp.content).decode(),
                }
            )
    return answers, etags


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PCT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_TOTAL = re.compile(r"(\d+) requests in")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(binary: str, url: str, args: argparse.Namespace, etag: str | None) -> dict[str, float]:
    cmd = [binary, "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if etag:
        cmd += ["-H", f"If-None-Match: {etag}"]
    proc = subprocess.Popen([*cmd, url], stdout=subprocess.PIPE, text=True)
    pin(proc.pid, 1)
    out, _ = proc.communicate()
    if proc.returncode != 0 or not (rps := WRK_RPS.search(out)):
        sys.exit(f"wrk failed on {url}:\n{out}")
    pct = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_PCT.findall(out)}
    return {
        "rps": float(rps.group(1)),
        "p50_ms": pct["50"],
        "p99_ms": pct["99"],
        # Answers with a 4xx or 5xx status, and connections that failed or timed out.
        "errors": int(m.group(1)) if (m := WRK_NON2XX.search(out)) else 0,
        "socket_errors": sum(int(g) for g in m.groups()) if (m := WRK_SOCKET.search(out)) else 0,
        "requests": int(m.group(1)) if (m := WRK_TOTAL.search(out)) else 0,
    }


def cache_miss_ms(env: dict[str, str], samples: int, interval: float) -> list[float]:
    """Bump the dataset version, wait for the app to see it, time the first detail request."""
    from sqlmodel import Session

    from app.db import bump_version, make_engine

    engine = make_engine(env["FWATLAS_DATABASE_URL"])
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{APP_PORT}") as client:
        client.get("/api/v1/frameworks/django")
        for _ in range(samples):
            with Session(engine) as session:
                bump_version(session, "bench: cache-miss probe")
                session.commit()
            time.sleep(interval + 0.1)
            start = time.perf_counter()
            resp = client.get("/api/v1/frameworks/django")
            times.append((time.perf_counter() - start) * 1000)
            resp.raise_for_status()
    engine.dispose()
    return times


def cpu_steal() -> tuple[int, int]:
    """(steal, total) jiffies so far: how much of the CPU a shared host took back."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def summarise(runs: list[dict[str, float]]) -> dict[str, float | list[float]]:
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "errors": sum(int(r["errors"]) for r in runs),
        "socket_errors": sum(int(r["socket_errors"]) for r in runs),
        "rounds": [round(r["rps"], 1) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--miss-samples", type=int, default=40)
    args = parser.parse_args()

    binary = ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / "bench.db"
    db.unlink(missing_ok=True)
    env = {
        **os.environ,
        "FWATLAS_DATABASE_URL": f"sqlite:///{db}",
        "BENCH_ANSWERS": str(RESULTS / "answers.json"),
    }
    env.pop("DATABASE_URL", None)
    prepare_database(env)
    interval = float(env.get("FWATLAS_VERSION_CHECK_INTERVAL", "1.0"))

    raw: dict[str, dict[str, list[dict[str, float]]]] = {
        ep.name: {"baseline": [], "app": []} for ep in ENDPOINTS
    }
    with ExitStack() as stack:
        stack.enter_context(server("app.main:app", APP_PORT, env))
        answers, etags = record(ENDPOINTS)
        Path(env["BENCH_ANSWERS"]).write_text(json.dumps(answers))
        stack.enter_context(server("bench.baseline:app", BASE_PORT, env))
        ports = {"baseline": BASE_PORT, "app": APP_PORT}
        for who in ("baseline", "app"):  # warm both, and the kernel's buffers
            wrk(binary, f"http://127.0.0.1:{ports[who]}{ENDPOINTS[0].target}", args, None)
        steal_before = cpu_steal()
        for rnd in range(args.rounds):
            order = ("baseline", "app") if rnd % 2 == 0 else ("app", "baseline")
            for ep in ENDPOINTS:
                for who in order:
                    url = f"http://127.0.0.1:{ports[who]}{ep.target}"
                    etag = etags[ep.name] if ep.revalidate else None
                    raw[ep.name][who].append(wrk(binary, url, args, etag))
                    print(
                        f"round {rnd + 1} {ep.name:<18} {who:<8} "
                        f"{raw[ep.name][who][-1]['rps']:>9.1f} rps",
                        flush=True,
                    )
        steal_after = cpu_steal()
        misses = cache_miss_ms(env, args.miss_samples, interval)
    steal = (steal_after[0] - steal_before[0]) / max(1, steal_after[1] - steal_before[1])

    results = []
    for ep in ENDPOINTS:
        base_runs, app_runs = raw[ep.name]["baseline"], raw[ep.name]["app"]
        base, app = summarise(base_runs), summarise(app_runs)
        # Each round's two runs were back to back: their ratio is what this machine's
        # shifting speed (CPU steal on a shared host) cancels out of.
        rps_ratio = round(
            statistics.median(
                a["rps"] / b["rps"] for a, b in zip(app_runs, base_runs, strict=True)
            ),
            3,
        )
        p99_ratio = round(
            statistics.median(
                a["p99_ms"] / b["p99_ms"] for a, b in zip(app_runs, base_runs, strict=True)
            ),
            3,
        )
        floor = TARGETS["rps_ratio_304"] if ep.revalidate else TARGETS["rps_ratio"]
        results.append(
            {
                "endpoint": ep.name,
                "request": ep.target,
                "baseline": base,
                "app": app,
                "rps_ratio": rps_ratio,
                "p99_ratio": p99_ratio,
                "rps_ratio_by_round": [
                    round(a["rps"] / b["rps"], 3) for a, b in zip(app_runs, base_runs, strict=True)
                ],
                "meets_target": rps_ratio >= floor
                and p99_ratio <= TARGETS["p99_ratio"]
                and app["errors"] == 0,
            }
        )
    miss_median = statistics.median(misses)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "cpu_steal_during_load": round(steal, 3),
        },
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "rounds": args.rounds,
            "wrk_threads": 1,
            "workers": 1,
        },
        "targets": TARGETS,
        "endpoints": results,
        "cache_miss_detail_ms": {
            "samples": len(misses),
            "median": round(miss_median, 3),
            "p90": round(statistics.quantiles(misses, n=10)[-1], 3),
            "meets_target": miss_median < TARGETS["miss_ms"],
        },
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


def print_table(report: dict[str, Any]) -> None:
    print()
    print(
        f"{'endpoint':<18} {'base rps':>9} {'app rps':>9} {'ratio':>6} "
        f"{'base p99':>9} {'app p99':>9} {'ratio':>6} {'errors':>6} {'socket':>6}  ok"
    )
    for r in report["endpoints"]:
        b, a = r["baseline"], r["app"]
        print(
            f"{r['endpoint']:<18} {b['rps']:>9.0f} {a['rps']:>9.0f} {r['rps_ratio']:>6.2f} "
            f"{b['p99_ms']:>7.2f}ms {a['p99_ms']:>7.2f}ms {r['p99_ratio']:>6.2f} "
            f"{a['errors']:>6} {a['socket_errors']:>6}  {'yes' if r['meets_target'] else 'NO'}"
        )
    m = report["cache_miss_detail_ms"]
    print(
        f"\nfirst framework detail after a data change: median {m['median']:.2f} ms, "
        f"p90 {m['p90']:.2f} ms over {m['samples']} changes  "
        f"{'yes' if m['meets_target'] else 'NO'}"
    )
    print(
        f"CPU time taken back by the host during the load runs: "
        f"{report['machine']['cpu_steal_during_load']:.0%}"
    )
    print(f"results: {RESULTS.relative_to(ROOT)}/latest.json")


if __name__ == "__main__":
    main()
