"""Scenario 4: `fwatlas seed` alternates datasets A and B while readers read.

Every answer must come from one dataset, whole: see `bench/soak_data.py` for how
a torn answer is told from a still one.
"""

import itertools
import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.soak_data import Signature, classify, describe, signature
from bench.soak_http import Client, Loop, Outcome, fetch
from bench.soak_proc import FWATLAS, Server, fwatlas
from bench.soak_scenarios import Plan, Result, settle

SEED_TARGETS = (
    "/api/v1/frameworks/django",
    "/api/v1/matrix?frameworks=django,flask",
    "/api/v1/compare?frameworks=django,flask",
    "/api/v1/meta",
)


def _read_all(port: int) -> dict[str, Signature]:
    client = Client(port, 10)
    sigs = {}
    for target in SEED_TARGETS:
        out = client.get(target)
        if out.status != 200:
            raise SystemExit(f"{target} answered {out.key} while the data was still")
        sigs[target] = signature(out.body)
    client.close()
    return sigs


def _version(port: int) -> int | None:
    out = fetch(port, "/api/v1/meta", 5)
    return int(json.loads(out.body)["dataset_version"]) if out.status == 200 else None


def _wait_version(port: int, at_least: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while (_version(port) or 0) < at_least:
        if time.monotonic() > deadline:
            raise SystemExit(f"dataset version {at_least} not served {seconds:.0f} s after a seed")
        time.sleep(0.2)


class Tally:
    """What the readers saw, per server and request: statuses, and which dataset each body was."""

    def __init__(self, calm: dict[str, dict[str, Signature]], out_dir: Path) -> None:
        self.calm, self.out_dir = calm, out_dir
        self.statuses: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.seen: dict[str, Counter[str]] = {}
        self.torn: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def add(self, label: str, target: str, out: Outcome) -> None:
        with self.lock:
            self.statuses[out.key] += 1
            if out.status != 200:
                self.failures[f"{label} {target}: {out.key}"] += 1
                return
            sig = signature(out.body)
            calm = {name: sigs[target] for name, sigs in self.calm.items()}
            kind = classify(sig, calm)
            self.seen.setdefault(f"{label} {target}", Counter())[kind] += 1
            if kind == "torn" and len(self.torn) < 20:
                name = f"torn-{len(self.torn)}.json"
                (self.out_dir / name).write_bytes(out.body)
                how = describe(sig, calm)
                self.torn.append({"server": label, "target": target, "body": name, "how": how})

    def reader(self, label: str, offset: int) -> Callable[[Client], None]:
        targets = itertools.cycle(SEED_TARGETS[offset:] + SEED_TARGETS[:offset])

        def step(client: Client) -> None:
            target = next(targets)
            self.add(label, target, client.get(target))

        return step


def seed_while_reading(
    server: Server, plan: Plan, env: dict[str, str], datasets: dict[str, Path], out_dir: Path
) -> Result:
    """Readers on the server and on a second one without a response cache, same database.

    With the cache, most reads are hits and only the first render per version can
    tear; the cache-less server renders every request, so every read is a chance.
    """
    result = Result("seed while reading")
    nocache_env = {**env, "FWATLAS_CACHE_MAX_BYTES": "0"}
    nocache = Server(server.port + 1, nocache_env, out_dir / "server-nocache.log", server.workers)
    try:
        # The server serves A: learn what still A and still B look like, per request.
        version = _version(server.port) or 0
        calm = {"A": _read_all(server.port)}
        nocache.spawn()  # it starts while B loads, and must serve B when it answers
        fwatlas(["seed", "--path", str(datasets["B"])], env)
        nocache.wait_ready()
        for port in (server.port, nocache.port):
            _wait_version(port, version + 1)
        calm["B"] = _read_all(server.port)
        same = [t for t in SEED_TARGETS if calm["A"][t] == calm["B"][t]]
        if same:
            raise SystemExit(f"datasets A and B answer alike on {same}: the soak cannot see a tear")
        if _read_all(nocache.port) != calm["B"]:
            raise SystemExit("the cache-less server answers still B differently from the server")

        tally = Tally(calm, out_dir)
        deadline = time.monotonic() + plan.seed_seconds + 60
        # Cache hits are cheap enough to spin on; paced, they leave the CPU to the
        # renders and the loads, where a tear can happen.
        loops = [
            Loop(port, tally.reader(label, i), interval=pause, timeout=10, deadline=deadline)
            for label, port, n, pause in (
                ("cached", server.port, plan.readers, 0.005),
                ("uncached", nocache.port, plan.readers_uncached, 0.0),
            )
            for i in range(n)
        ]
        for loop in loops:
            loop.start()
        seeds: Counter[str] = Counter()
        stop_at = time.monotonic() + plan.seed_seconds
        try:
            # A first: the servers hold B now. At least one seed, however short the plan.
            for name in itertools.cycle("AB"):
                cmd = [str(FWATLAS), "seed", "--path", str(datasets[name])]
                done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
                seeds["ok" if done.returncode == 0 else f"failed ({done.returncode})"] += 1
                if time.monotonic() >= stop_at:
                    break
            time.sleep(1.5)  # the version clock: reads of the last load, too
        finally:
            for loop in loops:
                loop.stop()
    finally:
        nocache.stop()
    statuses = tally.statuses
    fivexx = {k: v for k, v in statuses.items() if k.startswith("5")}
    n_torn = sum(c["torn"] for c in tally.seen.values())
    result.figures.update(
        {
            "seeds (A/B alternating)": dict(seeds),
            "requests done": sum(statuses.values()),
            "by status": dict(statuses),
            "not 200": dict(tally.failures),
            **{f"{key} read as": dict(c) for key, c in sorted(tally.seen.items())},
            "torn bodies": n_torn,
            "torn examples": tally.torn[:5],
        }
    )
    result.check("no 5xx while seeding", not fivexx, f"5xx: {fivexx or 'none'}")
    result.check("no torn body", n_torn == 0, f"{n_torn} torn; first: {tally.torn[:2]}")
    other = {k: v for k, v in statuses.items() if k != "200" and not k.startswith("5")}
    result.check("every read answered 200", not other, f"otherwise: {other or 'none'}")
    settle(server, plan, result)
    return result
