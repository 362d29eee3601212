"""Start a reference app, load it with wrk, and watch its process tree while it runs."""

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil

# wrk reports through Lua; this prints one JSON line the harness parses (percentiles in us).
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50": %f, "p90": %f, "p99": %f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


class StartError(Exception):
    pass


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    errors: int
    requests: int
    peak_rss_mb: float
    cpu_seconds: float


def cpus() -> tuple[set[int], set[int]]:
    """The server's cores and the load generator's: apart when the machine allows."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return set(available), set(available)
    half = len(available) // 2
    return set(available[:half]), set(available[half:])


def pinned(argv: list[str], cores: set[int]) -> list[str]:
    taskset = shutil.which("taskset")
    if not taskset or len(os.sched_getaffinity(0)) < 2:
        return argv
    return [taskset, "-c", ",".join(map(str, sorted(cores))), *argv]


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class Server:
    def __init__(
        self, argv: list[str], cwd: Path, env: dict[str, str], log: Path, host: str, port: int
    ) -> None:
        # Something already answering there would be measured in the app's place.
        if _listening(host, port):
            raise StartError(f"port {port} is already in use; choose another with --port")
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, host: str, port: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise StartError(f"exited with {self.process.returncode}: {self.tail()}")
            if _listening(host, port):
                return
            time.sleep(0.1)
        raise StartError(f"not listening on port {port} after {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-4:])

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        else:
            # Workers a dead master left behind still hold the port.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def _usage(procs: list[psutil.Process]) -> tuple[float, float]:
    rss = cpu = 0.0
    for proc in procs:
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                times = proc.cpu_times()
                cpu += times.user + times.system
        except psutil.Error:
            continue
    return rss, cpu


@contextmanager
def watched(server: Server) -> Iterator[dict[str, float]]:
    """Peak RSS of the whole tree and the CPU seconds it spent while the block ran."""
    stats = {"peak_rss": 0.0, "cpu": 0.0}
    stop = threading.Event()
    start_cpu: dict[int, float] = {}
    last_cpu: dict[int, float] = {}

    def sample() -> None:
        while True:
            for proc in server.tree():
                rss, cpu = _usage([proc])
                start_cpu.setdefault(proc.pid, cpu)
                last_cpu[proc.pid] = cpu
                stats["rss_now"] = stats.get("rss_now", 0.0) + rss
            stats["peak_rss"] = max(stats["peak_rss"], stats.pop("rss_now", 0.0))
            if stop.wait(0.1):
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield stats
    finally:
        stop.set()
        thread.join()
        stats["cpu"] = sum(last_cpu[p] - start_cpu[p] for p in last_cpu)


def wrk(
    binary: str,
    script: Path,
    url: str,
    concurrency: int,
    duration: float,
    cores: set[int],
) -> dict[str, float]:
    threads = max(1, min(len(cores), concurrency))
    argv = pinned(
        [
            binary,
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{max(1, math.ceil(duration))}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            url,
        ],
        cores,
    )
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, float] = json.loads(line)
            return parsed
    raise RuntimeError(f"wrk gave no report: {(done.stderr or done.stdout).strip()[-200:]}")


def measure(
    binary: str,
    script: Path,
    server: Server,
    url: str,
    concurrency: int,
    duration: float,
    cores: set[int],
) -> Measurement:
    with watched(server) as stats:
        report = wrk(binary, script, url, concurrency, duration, cores)
    seconds = report["duration_us"] / 1e6
    errors = sum(int(report[k]) for k in ("connect", "read", "write", "status", "timeout"))
    return Measurement(
        requests_per_second=round(report["requests"] / seconds, 1) if seconds else 0.0,
        latency_p50_ms=round(report["p50"] / 1000, 3),
        latency_p90_ms=round(report["p90"] / 1000, 3),
        latency_p99_ms=round(report["p99"] / 1000, 3),
        errors=errors,
        requests=int(report["requests"]),
        peak_rss_mb=round(stats["peak_rss"] / 2**20, 1),
        cpu_seconds=round(stats["cpu"], 2),
    )
