"""The server under test as the README starts it, and its memory read from /proc.

`fwatlas serve` may run one process or fork workers (and may not stay Uvicorn),
so memory is the sum of VmRSS over the server process and every descendant.
"""

import http.client
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

FWATLAS = Path(sys.executable).parent / "fwatlas"
MIB = 1024 * 1024


def parse_vmrss(status: str) -> int:
    """Bytes of VmRSS in a /proc/<pid>/status text (0 for a zombie, which has none)."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise ValueError(f"unexpected VmRSS unit {unit!r}")
            return int(value) * 1024
    return 0


def parse_ppid(stat: str) -> int:
    """The parent pid in a /proc/<pid>/stat text; the command name may hold spaces or ')'."""
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(root: int, parents: Mapping[int, int]) -> set[int]:
    """`root` and every process below it, given each process's parent."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:  # the process ended between listing and reading
        return None


def _pids() -> Iterable[int]:
    return (int(name) for name in os.listdir("/proc") if name.isdigit())


def tree_rss(root: int) -> int:
    """Bytes of VmRSS summed over `root` and all its descendants, now."""
    parents = {}
    for pid in _pids():
        stat = _read(f"/proc/{pid}/stat")
        if stat:
            parents[pid] = parse_ppid(stat)
    total = 0
    for pid in descendants(root, parents):
        status = _read(f"/proc/{pid}/status")
        total += parse_vmrss(status) if status else 0
    return total


def raise_nofile() -> int:
    """Lift this process's open-file limit to its hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class RssSampler:
    """Samples a process tree's RSS every `interval` s in a thread; keeps the peak."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root, self.interval = root, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.root))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self.peak = tree_rss(self.root)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.root))


def fwatlas(args: list[str], env: Mapping[str, str], timeout: float = 120) -> str:
    """Run the installed `fwatlas` command; its stdout, or exit naming the failure."""
    done = subprocess.run(
        [str(FWATLAS), *args], env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        sys.exit(f"fwatlas {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def healthy(port: int, timeout: float) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# The server on core 0 and the load generator on core 1, as `make bench` does: wrk must
# not take the server's CPU, or the latencies measured are the load generator's.
SERVER_CPU, LOAD_CPU = 0, 1


def pin_to(cpu: int) -> Callable[[], None] | None:
    """A preexec function pinning the child to `cpu`, or None on a one-core machine."""
    if (os.cpu_count() or 1) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class Server:
    """`fwatlas serve` in its own process group, so it and any worker it forks die together."""

    def __init__(self, port: int, env: Mapping[str, str], log: Path, workers: int = 1) -> None:
        self.port, self.env, self.log, self.workers = port, dict(env), log, workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def spawn(self) -> None:
        """Start the process; `wait_ready` then waits for it to answer."""
        env = {**self.env, "FWATLAS_HOST": "127.0.0.1", "FWATLAS_PORT": str(self.port)}
        args = [str(FWATLAS), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=pin_to(SERVER_CPU),
            )
        self.starts += 1

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while not healthy(self.port, 1.0):
            if self.proc.poll() is not None:
                sys.exit(f"fwatlas serve exited with {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                self.stop()
                sys.exit(f"fwatlas serve did not answer /healthz within {timeout:.0f} s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def rss(self) -> int:
        return tree_rss(self.pid)

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
