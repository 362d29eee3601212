"""Measure what the API costs on the synthetic scale dataset (see bench.generate).

    python -m bench.scale [--database-url URL] [--json bench/results/scale.json]

In-process, through the ASGI app, with the response cache off
(FWATLAS_CACHE_MAX_BYTES=0: ByteLRU.put keeps nothing larger than max_bytes // 4),
so every request runs the endpoint. Each case reports the median and p90 of
--runs timed requests after --warmup untimed ones; a case whose first request
takes over --slow-after seconds gets --slow-runs timed requests instead.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.scaledb import MARK, ROOT, SCHEMA, resolve_url, shown

API = "/api/v1"
WALK_LIMIT = 100  # the list's maximum page size (app.paging.MAX_LIMIT)
PAGE = 50


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def summarise_times(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    p90 = (
        statistics.quantiles(ordered, n=10, method="inclusive")[8]
        if len(ordered) > 1
        else ordered[0]
    )
    return {
        "n": len(ordered),
        "median_ms": round(1000 * statistics.median(ordered), 2),
        "p90_ms": round(1000 * p90, 2),
        "min_ms": round(1000 * ordered[0], 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def derived_module() -> Any:
    """app.derived, the per-dataset-version memo some endpoints use, if this tree has one."""
    try:
        import app.derived as derived
    except ImportError:
        return None
    return derived if hasattr(derived, "_values") else None


def drop_derived() -> None:
    """Forget the values app.derived keeps for the dataset version, as a new worker would."""
    derived = derived_module()
    if derived is not None:
        with derived._lock:
            derived._values.clear()
            derived._version = None


class Bench:
    def __init__(self, client: Any, args: argparse.Namespace) -> None:
        self.client = client
        self.args = args

    def get(self, url: str) -> Any:
        response = self.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:500]}")
        return response

    def series(self, url: str, before: Callable[[], None]) -> dict[str, Any]:
        """Median and p90 of timed GETs after warm-ups, `before()` (untimed) ahead of each.
        When the first GET takes over --slow-after seconds it counts as the first of only
        --slow-runs runs (stopping early past --slow-budget seconds)."""
        args = self.args

        def timed() -> tuple[float, Any]:
            before()
            start = time.perf_counter()
            response = self.get(url)
            return time.perf_counter() - start, response

        first, response = timed()
        slow = first > args.slow_after
        times: list[float] = [first] if slow else []
        if not slow:
            for _ in range(max(0, args.warmup - 1)):
                timed()
        wanted = max(1, args.slow_runs) if slow else args.runs
        while len(times) < wanted and not (slow and sum(times) > args.slow_budget):
            times.append(timed()[0])
        return {
            "first_ms": round(1000 * first, 2),
            "slow": slow,
            "first_call_counted": slow,
            "response_bytes": len(response.content),
            **summarise_times(times),
            "peak_rss_kib_after": peak_rss_kib(),
        }

    def measure(self, name: str, url: str) -> dict[str, Any]:
        """Response cache off throughout. `cold`: app.derived's values dropped before every
        request, the cost after a dataset change or in a fresh worker; `warm`: kept."""
        result: dict[str, Any] = {"url": url}
        has_derived = derived_module() is not None
        if has_derived:
            drop_derived()
            result["cold"] = self.series(url, drop_derived)
        result["warm"] = self.series(url, lambda: None)
        if not has_derived:
            result["cold"] = result["warm"]
            result["note"] = "no app.derived in this tree: every request is cold"
        for which in ("cold", "warm"):
            r = result[which]
            print(
                f"  {name:28} {which}  median {r['median_ms']:>10.1f} ms   "
                f"p90 {r['p90_ms']:>10.1f} ms   n={r['n']:<3} first {r['first_ms']:.1f} ms",
                flush=True,
            )
            if not has_derived:
                break
        return result


def next_cursor_from_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if not link:
        return None
    match = re.match(r"<([^>]+)>;\s*rel=\"next\"", link)
    if match is None:
        raise RuntimeError(f"unexpected Link header: {link}")
    return parse_qs(urlsplit(match.group(1)).query)["cursor"][0]


def capture_sql(engine: Any, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    from sqlalchemy import event

    captured: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return captured


def role(statement: str) -> str:
    s = " ".join(statement.split()).lower()
    if "group by" in s:
        return "facet"
    if "count(" in s:
        return "count"
    if "order by" in s and "limit" in s:
        return "page"
    return "other"


def sqlite_plan(raw: Any, statement: str, params: Any) -> list[str]:
    cur = raw.cursor()
    try:
        rows = cur.execute("EXPLAIN QUERY PLAN " + statement, params or ()).fetchall()
    finally:
        cur.close()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def pg_plan(raw: Any, statement: str, params: Any, analyze: bool = False) -> list[str]:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    with raw.cursor() as cur:
        cur.execute(prefix + statement, params or None)
        return [row[0] for row in cur.fetchall()]


def plan_flags(backend: str, lines: list[str]) -> dict[str, bool]:
    text = "\n".join(lines)
    if backend == "sqlite":
        details = [line.strip() for line in lines]
        full_scan = any(re.fullmatch(r"SCAN \w+", d) for d in details)
        index_scan = any(d.startswith("SCAN") and "INDEX" in d for d in details)
        search = any(d.startswith("SEARCH") for d in details)
        temp_sort = "USE TEMP B-TREE" in text
    else:
        full_scan = "Seq Scan" in text
        index_scan = bool(re.search(r"Index (Only )?Scan", text))
        search = "Bitmap Index Scan" in text or "Index Cond" in text
        temp_sort = bool(re.search(r"(^|->\s*)(Incremental )?Sort\b", text, re.MULTILINE))
    return {
        "full_table_scan": full_scan,
        "index_scan": index_scan,
        "index_search": search,
        "sort_step": temp_sort,
        "uses_index": index_scan or search,
    }


def explain_request(engine: Any, bench: Bench, url: str) -> list[dict[str, Any]]:
    statements = capture_sql(engine, lambda: bench.get(url))
    backend = engine.dialect.name
    out = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, params in statements:
            kind = role(statement)
            if "framework" not in statement:
                continue
            if backend == "sqlite":
                lines = sqlite_plan(raw, statement, params)
            else:
                lines = pg_plan(raw, statement, params)
            entry: dict[str, Any] = {
                "role": kind,
                "sql": " ".join(statement.split()),
                "params": params if isinstance(params, dict) else list(params or ()),
                "plan": lines,
                **plan_flags(backend, lines),
            }
            if backend == "postgresql" and kind == "page":
                entry["plan_analyze"] = pg_plan(raw, statement, params, analyze=True)
            out.append(entry)
        if backend == "postgresql":
            conn.rollback()
    return out


def profile_recommendation(use_case: str, top: int, cold: bool) -> dict[str, Any]:
    """One recommendation through the service in this thread (the endpoint runs in a
    worker thread, out of cProfile's reach), plus serializing the answer to JSON;
    `cold` drops app.derived's values first."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.recommendations import service
    from app.recommendations.schemas import RecommendationRequest

    if cold:
        drop_derived()
    else:  # make sure there is something to reuse
        with Session(get_engine()) as session:
            service.recommend(session, RecommendationRequest(use_case=use_case))
    profiler = cProfile.Profile()
    start = time.perf_counter()
    with Session(get_engine()) as session:
        profiler.enable()
        answer = service.recommend(session, RecommendationRequest(use_case=use_case))
        body = answer.model_dump_json()
        profiler.disable()
    elapsed = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    prefixes = sorted(
        {str(ROOT) + "/", *(p + "/" for p in sys.path if p and p.endswith("site-packages"))},
        key=len,
        reverse=True,
    )

    def where(key: tuple[str, int, str]) -> str:
        filename, line, func = key
        for prefix in prefixes:
            if filename.startswith(prefix):
                filename = filename[len(prefix) :]
                break
        return f"{filename}:{line}({func})" if line else f"{filename}({func})"

    def rows(sort: str, n: int) -> list[dict[str, Any]]:
        entries = stats.stats  # type: ignore[attr-defined]
        keyed = sorted(entries.items(), key=lambda kv: -kv[1][3 if sort == "cumtime" else 2])
        return [
            {
                "function": where(key),
                "ncalls": nc,
                "primitive_calls": cc,
                "tottime_s": round(tt, 3),
                "cumtime_s": round(ct, 3),
            }
            for key, (cc, nc, tt, ct, _callers) in keyed[:n]
        ]

    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return {
        "what": "app.recommendations.service.recommend + Recommendation.model_dump_json, "
        "called directly in the main thread under cProfile",
        "use_case": use_case,
        "cold": cold,
        "elapsed_under_profiler_s": round(elapsed, 2),
        "results": len(answer.results),
        "excluded": len(answer.excluded),
        "response_bytes": len(body),
        "top_cumulative": rows("cumtime", top),
        "top_tottime": rows("tottime", 15),
        "pstats_text": text.getvalue(),
    }


def git_state() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "head": run("git", "rev-parse", "HEAD"),
        "uncommitted_app_files": run("git", "status", "--porcelain", "app").splitlines(),
    }


def find_cache(asgi: Any) -> Any:
    """The app's ResponseCache: in front of the app (`app.cache`) or among its middleware."""
    if type(getattr(asgi, "cache", None)).__name__ == "ResponseCache":
        return asgi.cache
    layer = getattr(asgi, "middleware_stack", None)
    while layer is not None:
        if type(layer).__name__ == "ResponseCache":
            return layer
        layer = getattr(layer, "app", None)
    return None


def save(report: dict[str, Any], path: Path, complete: bool) -> None:
    """Written after every case, so a run cut short still leaves its figures."""
    report["complete"] = complete
    report["peak_rss_kib"] = peak_rss_kib()
    report["rss_kib_now"] = current_rss_kib()
    report["loadavg_now"] = os.getloadavg()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str) + "\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database-url", help="default: data/scale.db under the repo")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--slow-after", type=float, default=5.0, help="seconds")
    parser.add_argument("--slow-runs", type=int, default=3)
    parser.add_argument(
        "--slow-budget", type=float, default=900.0, help="stop a slow case's runs after this"
    )
    parser.add_argument("--depth", type=int, default=9_000, help="items before the deep page")
    parser.add_argument("--use-case", default="high-performance-api")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["matrix", "detail", "recommendations", "profile"],
        help="leave a case out (repeatable); the recommendation takes minutes at 10,000",
    )
    args = parser.parse_args(argv)

    url = resolve_url(args.database_url)
    # Before any app module reads the settings.
    os.environ["FWATLAS_DATABASE_URL"] = url
    os.environ["FWATLAS_CACHE_MAX_BYTES"] = "0"
    # The version clock would read the database once a second inside whichever request
    # comes next; an hour keeps that out of the figures.
    os.environ["FWATLAS_VERSION_CHECK_INTERVAL"] = "3600"
    from app.config import get_settings
    from app.db import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    settings = get_settings()
    assert settings.database_url == url, settings.database_url
    assert settings.cache_max_bytes == 0, settings.cache_max_bytes

    import sqlalchemy as sa

    engine = get_engine()
    with engine.connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM dataset_version")).scalar()
        n_frameworks = conn.execute(sa.text("SELECT count(*) FROM framework")).scalar_one()
        server = (
            conn.execute(sa.text("SHOW server_version")).scalar()
            if conn.dialect.name == "postgresql"
            else conn.exec_driver_sql("SELECT sqlite_version()").scalar()
        )
    if not (note or "").startswith(MARK):
        raise SystemExit(
            f"{shown(url)} does not hold a bench.generate dataset (note {note!r}); "
            "run python -m bench.generate first"
        )
    depth = args.depth
    if n_frameworks <= depth + PAGE or depth < 1:
        raise SystemExit(f"need more than {depth + PAGE} frameworks for the deep page")

    from starlette.testclient import TestClient

    import app.main as app_main
    from app.paging import encode_cursor

    backend = engine.dialect.name
    print(f"{shown(url)}: {note}; {backend} {server}", flush=True)
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {
            "url": shown(url),
            "backend": backend,
            "server_version": server,
            "schema": SCHEMA if backend == "postgresql" else None,
            "dataset_note": note,
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "git": git_state(),
        "method": {
            "transport": "starlette TestClient, in-process ASGI, one request at a time",
            "cache": "FWATLAS_CACHE_MAX_BYTES=0 (ResponseCache stores nothing)",
            "version_check_interval_s": settings.version_check_interval,
            "runs": args.runs,
            "warmup": args.warmup,
            "slow_after_s": args.slow_after,
            "slow_runs": args.slow_runs,
            "derived_memo": "app.derived present: cold = its values dropped before each "
            "request, warm = kept"
            if derived_module() is not None
            else "no app.derived in this tree",
        },
        "peak_rss_kib_at_start": peak_rss_kib(),
        "loadavg_at_start": os.getloadavg(),
        "cases": {},
    }
    cases = report["cases"]
    skip = set(args.skip)
    report["method"]["skipped"] = sorted(skip)
    with TestClient(app_main.app) as client:
        bench = Bench(client, args)
        meta = bench.get(f"{API}/meta").json()
        report["dataset_counts"] = meta["counts"]
        print("  counts: " + ", ".join(f"{k}={v:,}" for k, v in meta["counts"].items()))

        # a. the first page and the page at depth 9,000
        first_url = f"{API}/frameworks?limit={PAGE}"
        # The cache is off when a repeated request still reaches the database.
        bench.get(first_url)
        repeated = capture_sql(engine, lambda: bench.get(first_url))
        if not repeated:
            raise SystemExit("a repeated request ran no SQL: the response cache is still on")
        report["statements_per_list_request"] = len(repeated)
        walk_start = time.perf_counter()
        cursor: str | None = None
        pages, remaining = 0, depth
        while remaining:
            limit = min(WALK_LIMIT, remaining)
            page_url = f"{API}/frameworks?limit={limit}"
            response = bench.get(page_url + (f"&cursor={cursor}" if cursor else ""))
            cursor = next_cursor_from_link(response)
            assert cursor == response.json()["next_cursor"]
            pages, remaining = pages + 1, remaining - limit
        walk_s = time.perf_counter() - walk_start
        assert cursor is not None
        with engine.connect() as conn:
            name, slug = conn.execute(
                sa.text(
                    "SELECT lower(name), slug FROM framework ORDER BY lower(name), slug "
                    "LIMIT 1 OFFSET :n"
                ),
                {"n": depth - 1},
            ).one()
        constructed = encode_cursor(["name", name, slug])
        deep_url = f"{API}/frameworks?limit={PAGE}&cursor={cursor}"
        print(f"  walked {pages} pages (limit <= {WALK_LIMIT}) in {walk_s:.1f} s", flush=True)
        cases["list_first_page"] = bench.measure("frameworks, first page", first_url)
        cases["list_deep_page"] = bench.measure(f"frameworks, depth {depth}", deep_url)
        cases["list_deep_page"].update(
            {
                "walk": {
                    "depth": depth,
                    "pages": pages,
                    "limit": WALK_LIMIT,
                    "seconds": round(walk_s, 2),
                    "note": "limit=1000 is over MAX_LIMIT=100, so the walk uses 100",
                },
                "cursor_matches_offset_query": cursor == constructed,
                "first_item": bench.get(deep_url).json()["items"][0]["slug"],
            }
        )

        # b. the plans behind those two requests
        save(report, args.json, complete=False)
        report["explain"] = {
            "first_page": explain_request(engine, bench, first_url),
            "deep_page": explain_request(engine, bench, deep_url),
        }
        save(report, args.json, complete=False)
        for which, entries in report["explain"].items():
            for entry in entries:
                if entry["role"] == "page":
                    names = ("full_table_scan", "sort_step", "uses_index")
                    flags = ", ".join(k for k in names if entry[k])
                    plan = " | ".join(line.strip() for line in entry["plan"])
                    print(f"  plan {which}: {plan}")
                    print(f"    -> {flags or 'no flags'}")

        # c. the matrix for 10 frameworks
        slugs = [f"fw-{1 + i * (n_frameworks // 10):05d}" for i in range(10)]
        if "matrix" not in skip:
            cases["matrix_10"] = bench.measure(
                "matrix, 10 frameworks", f"{API}/matrix?frameworks={','.join(slugs)}"
            )
            save(report, args.json, complete=False)

        # e. one framework, whole
        middle = f"fw-{n_frameworks // 2:05d}"  # fw-05000 at 10,000 frameworks
        if "detail" not in skip:
            cases["framework_detail"] = bench.measure(
                f"framework detail {middle}", f"{API}/frameworks/{middle}"
            )
            save(report, args.json, complete=False)

        # d. recommendations over every framework
        if "recommendations" not in skip:
            cases["recommendations"] = bench.measure(
                f"recommendations {args.use_case}",
                f"{API}/recommendations?use_case={args.use_case}",
            )
            save(report, args.json, complete=False)
        cache = find_cache(app_main.app)
        report["cache_entries_after"] = len(cache.store) if cache is not None else None

    if "profile" not in skip:
        print("  profiling the recommendation, cold and warm ...", flush=True)
        report["recommendation_profile"] = profile_recommendation(args.use_case, 25, cold=True)
        if derived_module() is not None:
            report["recommendation_profile_warm"] = profile_recommendation(
                args.use_case, 25, cold=False
            )
        save(report, args.json, complete=False)

    # f. memory: save() records the peak RSS (ru_maxrss) with the report
    save(report, args.json, complete=True)

    print()
    half = f"{'median ms':>14} {'p90 ms':>12} {'n':>4}"
    print(f"{'':22} {'cold':>32} {'warm':>32}")
    print(f"{'case':22} {half} {half}")
    for name, case in cases.items():
        cold, warm = case["cold"], case["warm"]
        print(
            f"{name:22} {cold['median_ms']:>14.1f} {cold['p90_ms']:>12.1f} {cold['n']:>4} "
            f"{warm['median_ms']:>14.1f} {warm['p90_ms']:>12.1f} {warm['n']:>4}"
        )
    print(f"peak RSS {report['peak_rss_kib'] / 1024:.0f} MiB")
    if "recommendation_profile" in report:
        prof = report["recommendation_profile"]
        print(
            f"\nrecommendation profile, cold ({prof['elapsed_under_profiler_s']} s under cProfile):"
        )
        print(f"{'cumtime s':>10} {'tottime s':>10} {'ncalls':>12}  function")
        for row in prof["top_cumulative"]:
            print(
                f"{row['cumtime_s']:>10.3f} {row['tottime_s']:>10.3f} {row['ncalls']:>12}  "
                f"{row['function']}"
            )
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
