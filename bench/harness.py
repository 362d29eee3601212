"""What `make bench` and `make bench-smoke` share: the requests, the processes, wrk."""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Headers the server adds itself; the baseline gets them from the same server.
SERVER_HEADERS = {"date", "server"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    query: str = ""
    revalidate: bool = False  # send the ETag back and expect 304
    gzip: bool = False  # send Accept-Encoding: gzip
    peer: bool = False  # also load the plain FastAPI peer with it

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


ENDPOINTS = (
    Endpoint("framework detail", "/api/v1/frameworks/django", peer=True),
    Endpoint("framework list", "/api/v1/frameworks"),
    Endpoint("compare (3)", "/api/v1/compare", "frameworks=django,fastapi,flask"),
    Endpoint("matrix (full)", "/api/v1/matrix"),
    Endpoint("matrix (full, gzip)", "/api/v1/matrix", gzip=True),
    Endpoint("recommendation", "/api/v1/recommendations", "use_case=cms"),
    Endpoint("304 revalidation", "/api/v1/frameworks/django", revalidate=True),
    Endpoint("chart (SVG)", "/api/v1/benchmarks/chart.svg"),
)


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


def on_core(cpu: int) -> None:
    # Run in the child before exec: a server's worker processes inherit the core.
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def prepare_database(env: dict[str, str]) -> None:
    fwatlas = Path(sys.executable).parent / "fwatlas"
    # `fwatlas seed` migrates first.
    subprocess.run([fwatlas, "seed"], env=env, check=True, capture_output=True)


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    port: int
    stdout: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(40)
        # Whatever is left of its process group (a worker that outlived its parent).
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop_and_count_lines(self) -> int:
        self.stop()
        return len(self.stdout.read_bytes().splitlines())

    def cpu_seconds(self) -> float:
        """CPU time the server and its worker processes have used so far. Unlike rps,
        it barely moves when other work on the host competes for the core."""
        total, todo = 0.0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
            todo += [int(c) for c in children]
        return total

    def wait_ready(self, what: str) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                # Any answer will do (the peer has no /healthz): the server is up.
                httpx.get(f"{self.url}/healthz", timeout=1)
                return
            except httpx.TransportError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{what} did not start")
                time.sleep(0.1)


@contextmanager
def start(
    cmd: list[str], port: int, env: dict[str, str], stdout: Path, *, wait: bool = True
) -> Iterator[Process]:
    """A server process on core 0; with wait=False the caller calls wait_ready()."""
    with stdout.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=out,
            preexec_fn=lambda: on_core(0),
            start_new_session=True,
        )
    process = Process(proc, port, stdout)
    try:
        if wait:
            process.wait_ready(" ".join(cmd))
        yield process
    finally:
        process.stop()


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PCT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_TOTAL = re.compile(r"(\d+) requests in")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    binary: str, url: str, duration: int, args: argparse.Namespace, headers: dict[str, str]
) -> dict[str, float]:
    cmd = [binary, "-t1", f"-c{args.connections}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    proc = subprocess.Popen(
        [*cmd, url], stdout=subprocess.PIPE, text=True, preexec_fn=lambda: on_core(1)
    )
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


def cache_miss_ms(url: str, env: dict[str, str], samples: int, interval: float) -> list[float]:
    """Bump the dataset version, wait for the app to see it, time the first detail request."""
    from sqlmodel import Session

    from app.db import bump_version, make_engine

    engine = make_engine(env["FWATLAS_DATABASE_URL"])
    times = []
    with httpx.Client(base_url=url) as client:
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
