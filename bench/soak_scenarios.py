"""The soak's scenarios: each loads the live server and says which promises held."""

import itertools
import random
import string
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.soak_http import Client, Probe, ShedSampler, exchange, fetch
from bench.soak_proc import LOAD_CPU, MIB, RssSampler, Server, healthy, pin_to

LUA = Path(__file__).with_name("soak_burst.lua")
CHUNK = 64 * 1024


@dataclass
class Plan:
    burst_seconds: int = 10
    burst_connections: tuple[int, ...] = (200, 1000)
    header_requests: int = 200
    header_bytes: int = 1 << 20
    query_requests: int = 10_000
    query_bytes: int = 8000
    flood_seconds: float = 120.0  # the most the two floods may take
    body_bytes: int = 100 * 1000 * 1000
    body_rss_mib: float = 20.0
    seed_seconds: float = 60.0
    # Readers of the server under test, and of a cache-less twin where every read renders.
    readers: int = 1
    readers_uncached: int = 3
    cache_mib: int = 16
    overhead_mib: int = 48
    recovery_wait: float = 30.0  # how long a stalled server gets before it is restarted


@dataclass
class Result:
    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def check(self, promise: str, ok: bool, detail: str, *, timing: bool = False) -> None:
        """`timing`: a latency promise, which a run may report without judging it."""
        self.checks.append({"promise": promise, "ok": ok, "detail": detail, "timing": timing})


def word(n: int, rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=n))


def settle(server: Server, plan: Plan, result: Result) -> None:
    """Give a stalled server `recovery_wait` s, then restart it so later scenarios still run."""
    deadline = time.monotonic() + plan.recovery_wait
    while time.monotonic() < deadline:
        if healthy(server.port, 1.0):
            return
        time.sleep(0.5)
    result.figures["server restarted after"] = f"no /healthz within {plan.recovery_wait:.0f} s"
    server.restart()


def uncached_200_within(port: int, seconds: float, rng: random.Random) -> float | None:
    """Seconds until a never-seen GET answers 200, or None if not within `seconds`."""
    start = time.monotonic()
    while (left := seconds - (time.monotonic() - start)) > 0:
        out = fetch(port, f"/api/v1/frameworks?q=after-{word(12, rng)}", max(left, 0.05))
        if out.status == 200:
            return round(time.monotonic() - start, 3)
        time.sleep(0.02)
    return None


def parse_wrk(stdout: str) -> dict[str, Any]:
    """The `SOAK ...` lines the Lua script's done() prints."""
    found: dict[str, Any] = {"statuses": {}, "errors": {}, "bad503": 0}
    for line in stdout.splitlines():
        parts = line.split()
        if parts[:2] == ["SOAK", "status"]:
            found["statuses"][parts[2]] = int(parts[3])
        elif parts[:2] in (["SOAK", "bad503"], ["SOAK", "sent"]):
            found[parts[1]] = int(parts[2])
        elif parts[:2] in (["SOAK", "errors"], ["SOAK", "summary"]):
            pairs = dict(p.split("=") for p in parts[2:])
            found["errors" if parts[1] == "errors" else "summary"] = {
                k: int(v) for k, v in pairs.items()
            }
    return found


def burst(server: Server, plan: Plan, connections: int, rng: random.Random) -> Result:
    result = Result(f"burst c={connections}")
    d = plan.burst_seconds
    deadline = time.monotonic() + d + 30
    probe = Probe(server.port, deadline)
    sampler = ShedSampler(server.port, lambda: f"/api/v1/frameworks?q=s-{word(12, rng)}", deadline)
    # 5 s, as the sampler's bound: at c=1000 on this machine even a bare Uvicorn app has
    # first requests take up to ~3 s (connections whose SYN the kernel retransmitted), and
    # wrk counts a connection still connecting as a timeout. 5 s separates that from a stall.
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{d}s", "--timeout", "5s", "-s", str(LUA)]
    with RssSampler(server.pid) as rss:
        before = rss.peak
        probe.loop.start()
        sampler.loop.start()
        try:
            done = subprocess.run(
                [*cmd, f"http://127.0.0.1:{server.port}/"],
                capture_output=True,
                text=True,
                timeout=d + 60,
                preexec_fn=pin_to(LOAD_CPU),
            )
        finally:
            probe.loop.stop()
            sampler.loop.stop()
        recovered = uncached_200_within(server.port, 1.0, rng)
    wrk = parse_wrk(done.stdout)
    statuses, errors = wrk["statuses"], wrk["errors"]
    socket_errors = sum(v for k, v in errors.items() if k != "status")
    health = probe.summary()
    result.figures.update(
        {
            "requests done": wrk.get("summary", {}).get("requests", 0),
            "requests sent": wrk.get("sent", 0),
            "answers by status": statuses,
            "socket errors": errors,
            "shed sampler": dict(sampler.statuses),
            "/healthz probes": health["probes"],
            "/healthz worst ms": health["worst_ms"],
            "/healthz p99 ms": health["p99_ms"],
            "/healthz by status": health["statuses"],
            "uncached 200 after burst s": recovered if recovered is not None else "> 1 s",
            "RSS before/peak MiB": f"{before / MIB:.0f} / {rss.peak / MIB:.0f}",
        }
    )
    if done.returncode != 0:
        result.check("wrk ran", False, (done.stderr or done.stdout)[-300:])
    worst = float(health["worst_ms"])
    result.check(
        "/healthz under 100 ms throughout",
        worst < 100 and set(health["statuses"]) == {"200"},
        f"worst {worst} ms, p99 {health['p99_ms']} ms over {health['probes']} probes"
        f" (a probe unanswered after {health['timeout_s']} s counts as that long)",
        timing=True,
    )
    other = {k: v for k, v in statuses.items() if k not in ("200", "503")}
    result.check("every answer is 200 or 503", not other, f"other statuses: {other or 'none'}")
    # wrk counts no timeout for a request left unanswered, and at the end up to c
    # requests are in flight however healthy the server: the sampler's requests,
    # each given 5 s, say whether the server kept answering.
    done_n = int(wrk.get("summary", {}).get("requests", 0))
    unanswered = sum(v for k, v in sampler.statuses.items() if k.startswith("no answer"))
    result.check(
        "every request answered",
        done_n > 0 and socket_errors == 0 and unanswered == 0,
        f"wrk: {done_n} of {wrk.get('sent', 0)} answered, socket errors {errors};"
        f" sampler: {unanswered} of {sampler.statuses.total()} unanswered within 5 s",
    )
    bad = wrk["bad503"] + len(sampler.bad_503)
    result.check(
        "a 503 is problem+json with Retry-After", bad == 0, f"{bad} without; {sampler.bad_503[:3]}"
    )
    result.check(
        "an uncached GET answers 200 within 1 s after",
        recovered is not None,
        f"after {recovered} s" if recovered is not None else "none within 1 s",
    )
    settle(server, plan, result)
    return result


def _header_flood(port: int, n: int, size: int, deadline: float) -> Counter[str]:
    def one(i: int) -> str:
        if time.monotonic() > deadline:
            return "not sent (time up)"
        head = "GET /api/v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        value = f"Accept: application/json;soak={i};pad=".encode()

        def rest() -> Iterator[bytes]:
            yield value
            left = size - len(value)
            while left > 0:
                yield b"x" * min(CHUNK, left)
                left -= CHUNK
            yield b"\r\n\r\n"

        return exchange(port, head.encode(), rest(), timeout=30).key

    with ThreadPoolExecutor(4) as pool:
        return Counter(pool.map(one, range(n)))


def long_query(size: int, rng: random.Random) -> str:
    """A distinct ~`size`-byte target the server parses, validates and answers (and caches).

    `language` takes up to 40 characters a value, repeatably, and an unknown one
    matches nothing: a 200 every time, so the flood reaches the response cache.
    """
    base = "/api/v1/frameworks?"
    pairs = [f"language={word(40, rng)}" for _ in range(max(1, (size - len(base)) // 50))]
    return base + "&".join(pairs)


def _query_flood(port: int, n: int, size: int, deadline: float, threads: int = 4) -> Counter[str]:
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    numbers = itertools.count()

    def work() -> None:
        client = Client(port, 10.0)
        rng = random.Random()
        while next(numbers) < n and time.monotonic() < deadline:
            out = client.get(long_query(size, rng))
            with lock:
                counts[out.key] += 1
        client.close()

    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(work) for _ in range(threads)]:
            f.result()
    return counts


def floods(server: Server, plan: Plan) -> Result:
    result = Result("header and query floods")
    server.restart()  # a fresh process: its growth is the flood's, not the bursts'
    client = Client(server.port, 10)
    for target in ("/api/v1/meta", "/api/v1/frameworks", "/api/v1/frameworks/django"):
        client.get(target)
    client.close()
    with RssSampler(server.pid) as rss:
        before = rss.peak
        # Bounded: the header flood by half the time, the queries by what is left.
        start = time.monotonic()
        deadline = start + plan.flood_seconds / 2
        headers = _header_flood(server.port, plan.header_requests, plan.header_bytes, deadline)
        after_headers = server.rss()
        deadline = start + plan.flood_seconds
        queries = _query_flood(server.port, plan.query_requests, plan.query_bytes, deadline)
        time.sleep(0.5)
        after = server.rss()
    budget = (plan.cache_mib + plan.overhead_mib) * MIB
    result.figures.update(
        {
            f"{plan.header_requests} x {plan.header_bytes // 1024} KiB Accept": dict(headers),
            f"{plan.query_requests} x ~{plan.query_bytes} B queries": dict(queries),
            "RSS before / after headers / after / peak MiB": (
                f"{before / MIB:.0f} / {after_headers / MIB:.0f} / {after / MIB:.0f} / "
                f"{rss.peak / MIB:.0f}"
            ),
            "growth allowed MiB": f"{plan.cache_mib} cache + {plan.overhead_mib} overhead",
            "queries sent in time": f"{sum(queries.values())} of {plan.query_requests}"
            f" ({plan.flood_seconds:.0f} s allowed for both floods)",
        }
    )
    refused = {
        k: v
        for k, v in headers.items()
        if k != "431" and not k.startswith(("no answer", "not sent"))
    }
    result.check("a 1 MB header is 431 or refused", not refused, f"otherwise: {refused or 'none'}")
    # A 503 is load shed, with Retry-After (the burst checks its shape); any other 5xx is not.
    fivexx = {k: v for k, v in (headers + queries).items() if k.startswith("5") and k != "503"}
    result.check("no 5xx but 503 under the floods", not fivexx, f"5xx: {fivexx or 'none'}")
    result.check(
        "RSS growth within cache budget + overhead",
        after - before <= budget,
        f"grew {(after - before) / MIB:.0f} MiB (peak {(rss.peak - before) / MIB:.0f}), "
        f"allowed {budget / MIB:.0f}",
    )
    settle(server, plan, result)
    return result


def _big_body(total: int, chunked: bool) -> Iterator[bytes]:
    """`total` bytes of one valid JSON object, made a chunk at a time."""
    prefix, suffix = b'{"use_case": "cms", "pad": "', b'"}'
    pieces = [prefix]
    left = total - len(prefix) - len(suffix)
    while left > 0:
        pieces.append(b"a" * min(CHUNK, left))
        left -= CHUNK
        yield from _frame(pieces, chunked)
        pieces = []
    yield from _frame([suffix], chunked)
    if chunked:
        yield b"0\r\n\r\n"


def _frame(pieces: list[bytes], chunked: bool) -> Iterator[bytes]:
    data = b"".join(pieces)
    yield (f"{len(data):x}\r\n".encode() + data + b"\r\n") if chunked else data


def bodies(server: Server, plan: Plan) -> Result:
    result = Result("bodies")
    path = "/api/v1/recommendations"
    for chunked in (False, True):
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {plan.body_bytes}"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{framing}\r\nConnection: close\r\n\r\n"
        ).encode()
        with RssSampler(server.pid) as rss:
            before = rss.peak
            out = exchange(
                server.port, head, _big_body(plan.body_bytes, chunked), method="POST", timeout=60
            )
        label = "chunked" if chunked else "Content-Length"
        grew = (rss.peak - before) / MIB
        result.figures[f"{plan.body_bytes // 10**6} MB, {label}"] = (
            f"{out.key} {out.headers.get('content-type', '')} after {out.sent / 10**6:.1f} MB "
            f"sent, {out.seconds:.1f} s; RSS +{grew:.0f} MiB at peak"
        )
        result.check(f"{label}: 413 problem+json", out.status == 413 and out.problem_json, out.key)
        result.check(
            f"{label}: answered before the whole body is read",
            out.status is not None and out.sent < plan.body_bytes,
            f"{out.sent} of {plan.body_bytes} bytes sent",
        )
        result.check(
            f"{label}: RSS grows < {plan.body_rss_mib:.0f} MiB",
            grew < plan.body_rss_mib,
            f"+{grew:.1f} MiB",
        )
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        "Content-Length: 12\r\nConnection: close\r\n\r\nuse_case=cms"
    ).encode()
    out = exchange(server.port, head, method="POST", timeout=10)
    result.figures["text/plain body"] = f"{out.key} {out.headers.get('content-type', '')}"
    result.check(
        "a text/plain body is 415 problem+json", out.status == 415 and out.problem_json, out.key
    )
    settle(server, plan, result)
    return result
