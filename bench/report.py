"""Turn `make bench`'s wrk runs into ratios, targets and a table."""

import statistics
from typing import Any

from bench.harness import Endpoint

Runs = list[dict[str, float]]


def stats(runs: Runs) -> dict[str, Any]:
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "errors": sum(int(r["errors"]) for r in runs),
        "socket_errors": sum(int(r["socket_errors"]) for r in runs),
        "requests": sum(int(r["requests"]) for r in runs),
        "cpu_us_per_request": round(statistics.median(r["cpu_us"] for r in runs), 2),
        "rounds": [round(r["rps"], 1) for r in runs],
    }


def paired(runs: Runs, base: Runs, key: str) -> float:
    # Each round's runs were back to back: their ratio is what the host's shifting
    # speed cancels out of.
    return round(statistics.median(a[key] / b[key] for a, b in zip(runs, base, strict=True)), 3)


def log_cost_us(on: Runs, off: Runs) -> float:
    """What the access log adds to one request, in the server's CPU time: on a shared
    host, rps moves with the neighbours' load, CPU time per request much less."""
    costs = [a["cpu_us"] - b["cpu_us"] for a, b in zip(on, off, strict=True)]
    return round(statistics.median(costs), 2)


def cpu_ratio(runs: Runs, base: Runs) -> float:
    """The baseline's CPU per request over the app's: the rps ratio a core of its own
    would give."""
    return round(
        statistics.median(b["cpu_us"] / a["cpu_us"] for a, b in zip(runs, base, strict=True)), 3
    )


def summarise(
    raw: dict[tuple[str, str, str], Runs],
    servers: tuple[str, ...],
    endpoints: tuple[Endpoint, ...],
    targets: dict[str, float],
    logged: dict[str, int],
    misses: list[float],
) -> dict[str, Any]:
    problems: list[str] = []
    by_server: dict[str, Any] = {}
    for server in servers:
        rows = []
        for ep in endpoints:
            base, app, nolog = (raw[(ep.name, server, v)] for v in ("baseline", "app", "app-nolog"))
            row: dict[str, Any] = {
                "endpoint": ep.name,
                "request": ep.target + ("  (Accept-Encoding: gzip)" if ep.gzip else ""),
                "baseline": stats(base),
                "app": stats(app),
                "app_no_access_log": stats(nolog),
                "rps_ratio": paired(app, base, "rps"),
                "p99_ratio": paired(app, base, "p99_ms"),
                "rps_ratio_no_access_log": paired(nolog, base, "rps"),
                "cpu_ratio": cpu_ratio(app, base),
                "cpu_ratio_no_access_log": cpu_ratio(nolog, base),
                "p99_ratio_no_access_log": paired(nolog, base, "p99_ms"),
                "access_log_us_per_request": log_cost_us(app, nolog),
                "rps_ratio_by_round": [
                    round(a["rps"] / b["rps"], 3) for a, b in zip(app, base, strict=True)
                ],
            }
            if ep.peer:
                peer = raw[(ep.name, server, "peer")]
                row["peer_fastapi"] = stats(peer)
                row["peer_rps_ratio"] = paired(peer, base, "rps")
                row["peer_cpu_ratio"] = cpu_ratio(peer, base)
            floor = targets["rps_ratio_304"] if ep.revalidate else targets["rps_ratio"]
            row["meets_target"] = (
                row["rps_ratio"] >= floor and row["p99_ratio"] <= targets["p99_ratio"]
            )
            for who in ("baseline", "app", "app_no_access_log", "peer_fastapi"):
                if who in row and (row[who]["errors"] or row[who]["socket_errors"]):
                    problems.append(
                        f"{server} {who} {ep.name}: {row[who]['errors']} error answers, "
                        f"{row[who]['socket_errors']} socket errors"
                    )
            rows.append(row)
        served = sum(r["app"]["requests"] for r in rows)
        if logged[server] < served:
            problems.append(
                f"{server}: {served} requests answered but {logged[server]} access log lines"
            )
        by_server[server] = {
            "endpoints": rows,
            "access_log_lines": logged[server],
            "requests_counted_by_wrk": served,
        }
    miss_median = statistics.median(misses)
    return {
        "servers": by_server,
        "cache_miss_detail_ms": {
            "samples": len(misses),
            "median": round(miss_median, 3),
            "p90": round(statistics.quantiles(misses, n=10)[-1], 3) if len(misses) > 1 else None,
            "meets_target": miss_median < targets["miss_ms"],
        },
        "harness_problems": problems,
    }


def print_table(report: dict[str, Any]) -> None:
    for server, result in report["servers"].items():
        shipped = "  (ships)" if server == report["shipped_server"] else ""
        print(f"\n== {server}{shipped}: app = fwatlas serve, access log on")
        print(
            f"{'endpoint':<20} {'base rps':>9} {'app rps':>9} {'ratio':>6} {'p99 x':>6} "
            f"{'nolog':>6} {'p99 x':>6} {'cpu':>6} {'nolog':>6} {'log us':>7}  ok"
        )
        for r in result["endpoints"]:
            print(
                f"{r['endpoint']:<20} {r['baseline']['rps']:>9.0f} {r['app']['rps']:>9.0f} "
                f"{r['rps_ratio']:>6.2f} {r['p99_ratio']:>6.2f} "
                f"{r['rps_ratio_no_access_log']:>6.2f} {r['p99_ratio_no_access_log']:>6.2f} "
                f"{r['cpu_ratio']:>6.2f} {r['cpu_ratio_no_access_log']:>6.2f} "
                f"{r['access_log_us_per_request']:>7.2f}  {'yes' if r['meets_target'] else 'NO'}"
            )
            if "peer_fastapi" in r:
                print(
                    f"{'  FastAPI peer':<20} {'':>9} {r['peer_fastapi']['rps']:>9.0f} "
                    f"{r['peer_rps_ratio']:>6.2f} {'':>6} {'':>6} {'':>6} "
                    f"{r['peer_cpu_ratio']:>6.2f}"
                )
        print(
            f"access log lines: {result['access_log_lines']} for "
            f"{result['requests_counted_by_wrk']} requests wrk counted"
        )
    print(
        "ratio: app rps / baseline rps, paired by round; p99 x: app p99 / baseline p99;"
        " nolog: the same with --no-access-log;\ncpu: baseline CPU per request / app CPU per"
        " request; log us: CPU the access log adds to a request"
    )
    m = report["cache_miss_detail_ms"]
    print(
        f"\nfirst framework detail after a data change: median {m['median']:.2f} ms "
        f"over {m['samples']} changes  {'yes' if m['meets_target'] else 'NO'}"
    )
    print(
        f"CPU time taken back by the host during the load runs: "
        f"{report['machine']['cpu_steal_during_load']:.0%}"
    )


def markdown(report: dict[str, Any]) -> str:
    """The README's tables, from a run's JSON: `python -m bench.report FILE`."""
    out = [
        "| server | request | baseline rps | app rps | **rps ratio** | p99 ratio "
        "| no-log rps ratio | CPU ratio (log on / off) | log us | FastAPI peer ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for server, result in report["servers"].items():
        for r in result["endpoints"]:
            peer = f"{r['peer_rps_ratio']:.2f}" if "peer_rps_ratio" in r else ""
            out.append(
                f"| {server} | {r['endpoint']} | {r['baseline']['rps']:.0f} "
                f"| {r['app']['rps']:.0f} | **{r['rps_ratio']:.2f}** | {r['p99_ratio']:.2f} "
                f"| {r['rps_ratio_no_access_log']:.2f} "
                f"| {r['cpu_ratio']:.2f} / {r['cpu_ratio_no_access_log']:.2f} "
                f"| {r['access_log_us_per_request']:.1f} | {peer} |"
            )
    out += [
        "",
        "| server | request | CPU us per request: baseline | app | app, no log | FastAPI peer |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for server, result in report["servers"].items():
        for r in result["endpoints"]:
            peer = f"{r['peer_fastapi']['cpu_us_per_request']:.1f}" if "peer_fastapi" in r else ""
            out.append(
                f"| {server} | {r['endpoint']} | {r['baseline']['cpu_us_per_request']:.1f} "
                f"| {r['app']['cpu_us_per_request']:.1f} "
                f"| {r['app_no_access_log']['cpu_us_per_request']:.1f} | {peer} |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
