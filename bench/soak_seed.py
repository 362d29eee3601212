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
from bench.soak_http import Client, Loop, Outcome
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


def _wait_version(port: int, old: int, seconds: float = 15) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = Client(port, 5).get("/api/v1/meta")
        if out.status == 200 and (version := int(json.loads(out.body)["dataset_version"])) != old:
            return version
        time.sleep(0.2)
    raise SystemExit(f"the server still shows dataset version {old} {seconds:.0f} s after a seed")


def seed_while_reading(
    server: Server, plan: Plan, env: dict[str, str], datasets: dict[str, Path], out_dir: Path
) -> Result:
    result = Result("seed while reading")
    # The server already serves A: learn what still A and still B look like, per request.
    version = int(json.loads(Client(server.port, 5).get("/api/v1/meta").body)["dataset_version"])
    calm = {"A": _read_all(server.port)}
    fwatlas(["seed", "--path", str(datasets["B"])], env)
    version = _wait_version(server.port, version)
    calm["B"] = _read_all(server.port)
    same = [t for t in SEED_TARGETS if calm["A"][t] == calm["B"][t]]
    if same:
        raise SystemExit(f"datasets A and B answer alike on {same}: the soak cannot see a tear")

    statuses: dict[str, Counter[str]] = {t: Counter() for t in SEED_TARGETS}
    seen: dict[str, Counter[str]] = {t: Counter() for t in SEED_TARGETS}
    torn: list[dict[str, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + plan.seed_seconds + 60

    def reader(offset: int) -> Callable[[Client], None]:
        targets = itertools.cycle(SEED_TARGETS[offset:] + SEED_TARGETS[:offset])

        def step(client: Client) -> None:
            target = next(targets)
            out: Outcome = client.get(target)
            with lock:
                statuses[target][out.key] += 1
                if out.status != 200:
                    return
                sig = signature(out.body)
                kind = classify(sig, {n: c[target] for n, c in calm.items()})
                seen[target][kind] += 1
                if kind == "torn" and len(torn) < 20:
                    name = out_dir / f"torn-{len(torn)}.json"
                    name.write_bytes(out.body)
                    calm_t = {n: c[target] for n, c in calm.items()}
                    torn.append({"target": target, "body": name.name, "how": describe(sig, calm_t)})

        return step

    loops = [
        Loop(server.port, reader(i), interval=0, timeout=10, deadline=deadline).start()
        for i in range(plan.readers)
    ]
    seeds: Counter[str] = Counter()
    stop_at = time.monotonic() + plan.seed_seconds
    try:
        for name in itertools.cycle("AB"):
            if time.monotonic() >= stop_at:
                break
            cmd = [str(FWATLAS), "seed", "--path", str(datasets[name])]
            done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
            seeds["ok" if done.returncode == 0 else f"failed ({done.returncode})"] += 1
    finally:
        for loop in loops:
            loop.stop()
    all_statuses = sum(statuses.values(), Counter())
    fivexx = {k: v for k, v in all_statuses.items() if k.startswith("5")}
    n_torn = sum(s["torn"] for s in seen.values())
    result.figures.update(
        {
            "seeds (A/B alternating)": dict(seeds),
            "requests done": sum(all_statuses.values()),
            **{f"{t} by status": dict(statuses[t]) for t in SEED_TARGETS},
            **{f"{t} read as": dict(seen[t]) for t in SEED_TARGETS},
            "torn bodies": n_torn,
        }
    )
    result.figures["torn examples"] = torn[:5]
    result.check("no 5xx while seeding", not fivexx, f"5xx: {fivexx or 'none'}")
    result.check("no torn body", n_torn == 0, f"{n_torn} torn; first: {torn[:2]}")
    other = {k: v for k, v in all_statuses.items() if k != "200" and not k.startswith("5")}
    result.check("every read answered 200", not other, f"otherwise: {other or 'none'}")
    settle(server, plan, result)
    return result
