"""`make bench`: `fwatlas serve` as it ships, against a bare ASGI app sending the same bytes.

For each server (Granian, Uvicorn with httptools, Uvicorn with h11) four
processes run, one worker each, pinned to core 0: the app started by
`fwatlas serve --server S` (access log on, as shipped), the same with
`--no-access-log`, the bare ASGI baseline under the same server and settings
(no logging: the ceiling), and a plain FastAPI app with a response model
serving the same detail (the peer). wrk loads them from core 1, back to back,
interleaved over rounds. What counts is each round's ratio to the baseline on
the same server: the host's shifting speed (CPU steal) cancels out of it.
"""

import argparse
import base64
import json
import os
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.harness import (
    ENDPOINTS,
    RESULTS,
    ROOT,
    SERVER_HEADERS,
    Endpoint,
    Process,
    cache_miss_ms,
    cpu_steal,
    ensure_wrk,
    prepare_database,
    start,
    wrk,
)
from bench.report import print_table, summarise

SERVERS = ("granian", "uvicorn", "uvicorn-h11")
VARIANTS = ("baseline", "app", "app-nolog", "peer")
TARGETS = {"rps_ratio": 0.80, "p99_ratio": 2.0, "rps_ratio_304": 0.80, "miss_ms": 10.0}
FIRST_PORT = 18220


def record(
    url: str, endpoints: tuple[Endpoint, ...]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The app's answers, byte for byte, for the baseline to send back."""
    answers, etags = [], {}
    with httpx.Client(base_url=url) as client:
        for ep in endpoints:
            accept = {"accept-encoding": "gzip"} if ep.gzip else {"accept-encoding": "identity"}
            first = client.get(ep.target, headers=accept)
            if first.status_code != 200:
                sys.exit(f"{ep.target} answered {first.status_code}: {first.text[:200]}")
            etag = first.headers["etag"]
            headers = accept | ({"if-none-match": etag} if ep.revalidate else {})
            # Read the bytes as sent: compressed stays compressed.
            with client.stream("GET", ep.target, headers=headers) as resp:
                body = b"".join(resp.iter_raw())
            if resp.status_code != (304 if ep.revalidate else 200):
                sys.exit(f"{ep.name}: unexpected {resp.status_code}")
            etags[ep.name] = etag
            answers.append(
                {
                    "path": ep.path,
                    "query": ep.query,
                    "if_none_match": etag if ep.revalidate else "",
                    "gzip": ep.gzip,
                    "status": resp.status_code,
                    "headers": [
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in resp.headers.raw
                        if k.decode("latin-1").lower() not in SERVER_HEADERS
                    ],
                    "body": base64.b64encode(body).decode(),
                    "content_encoding": resp.headers.get("content-encoding", "identity"),
                }
            )
    return answers, etags


def launch(
    stack: ExitStack,
    procs: dict[str, dict[str, Process]],
    variants: tuple[str, ...],
    env: dict[str, str],
) -> None:
    python, fwatlas = sys.executable, str(Path(sys.executable).parent / "fwatlas")
    for s_index, server in enumerate(procs):
        for variant in variants:
            port = FIRST_PORT + s_index * len(VARIANTS) + VARIANTS.index(variant)
            cmd = {
                # Exactly what ships, but for the port and the server's own log level.
                "app": [fwatlas, "serve", "--server", server],
                "app-nolog": [fwatlas, "serve", "--server", server, "--no-access-log"],
                "baseline": [python, "-m", "bench.launch", "bench.baseline:factory"],
                "peer": [python, "-m", "bench.launch", "bench.peer:factory"],
            }[variant]
            proc_env = env | {
                "FWATLAS_SERVER": server,
                "FWATLAS_PORT": str(port),
                "FWATLAS_SERVER_LOG_LEVEL": "warning",
            }
            if variant.startswith("app"):
                cmd += ["--port", str(port), "--log-level", "warning"]
            procs[server][variant] = stack.enter_context(
                start(cmd, port, proc_env, RESULTS / f"access-{server}-{variant}.log", wait=False)
            )
    # Started all at once, waited for together: start-up is most of a smoke run.
    for server in procs:
        for variant in variants:
            procs[server][variant].wait_ready(f"{server} {variant}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--miss-samples", type=int, default=20)
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument(
        "--smoke", action="store_true", help="1 round of 1 s, shipped server only; fail on errors"
    )
    args = parser.parse_args()
    from app.config import Settings

    shipped = Settings().server
    servers = tuple(s for s in args.servers.split(",") if s)
    if args.smoke:
        args.duration, args.rounds, args.miss_samples, servers = 1, 1, 2, (shipped,)

    binary = ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / "bench.db"
    db.unlink(missing_ok=True)
    env = {
        **os.environ,
        "FWATLAS_DATABASE_URL": f"sqlite:///{db}",
        "BENCH_ANSWERS": str(RESULTS / "answers.json"),
    }
    for name in ("DATABASE_URL", "FWATLAS_ACCESS_LOG", "FWATLAS_ACCESS_LOG_FORMAT"):
        env.pop(name, None)
    prepare_database(env)
    interval = float(env.get("FWATLAS_VERSION_CHECK_INTERVAL", "1.0"))

    raw: dict[tuple[str, str, str], list[dict[str, float]]] = {}
    with ExitStack() as stack:
        procs: dict[str, dict[str, Process]] = {s: {} for s in servers}
        # The app first: the baseline and the peer replay what it answers.
        launch(stack, procs, ("app", "app-nolog"), env)
        answers, etags = record(procs[servers[0]]["app-nolog"].url, ENDPOINTS)
        Path(env["BENCH_ANSWERS"]).write_text(json.dumps(answers))
        launch(stack, procs, ("baseline", "peer"), env)
        for server in servers if not args.smoke else ():  # warm every process
            for variant in VARIANTS:
                wrk(binary, procs[server][variant].url + ENDPOINTS[0].target, 1, args, {})
        steal_before = cpu_steal()
        for rnd in range(args.rounds):
            order = VARIANTS if rnd % 2 == 0 else tuple(reversed(VARIANTS))
            for ep in ENDPOINTS:
                for server in servers:
                    for variant in order:
                        if variant == "peer" and not ep.peer:
                            continue
                        headers = {"Accept-Encoding": "gzip" if ep.gzip else "identity"}
                        if ep.revalidate:
                            headers["If-None-Match"] = etags[ep.name]
                        process = procs[server][variant]
                        cpu = process.cpu_seconds()
                        run = wrk(binary, process.url + ep.target, args.duration, args, headers)
                        cpu = process.cpu_seconds() - cpu
                        run["cpu_us"] = cpu / max(1, run["requests"]) * 1e6
                        raw.setdefault((ep.name, server, variant), []).append(run)
                        print(
                            f"round {rnd + 1} {ep.name:<20} {server:<11} {variant:<9} "
                            f"{run['rps']:>9.1f} rps {run['cpu_us']:>7.1f} us CPU",
                            flush=True,
                        )
        steal_after = cpu_steal()
        misses = cache_miss_ms(procs[servers[0]]["app"].url, env, args.miss_samples, interval)
        # A clean stop flushes the access logs: every request wrk counted must be there.
        logged = {server: procs[server]["app"].stop_and_count_lines() for server in servers}
    steal = (steal_after[0] - steal_before[0]) / max(1, steal_after[1] - steal_before[1])
    report = summarise(raw, servers, ENDPOINTS, TARGETS, logged, misses)
    report |= {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "shipped_server": shipped,
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
        "content_encoding": {
            a["path"] + ("+gzip" if a["gzip"] else ""): a["content_encoding"] for a in answers
        },
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = "smoke" if args.smoke else "bench"
    for file in (f"{name}-{stamp}.json", f"{name}-latest.json"):
        (RESULTS / file).write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"results: {RESULTS.relative_to(ROOT)}/{name}-latest.json")
    problems = report["harness_problems"]
    for problem in problems:
        print(f"HARNESS: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
