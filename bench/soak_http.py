"""HTTP clients for the soak, on plain sockets: nothing here buffers a whole body.

A hostile request (a 1 MB header, a 100 MB body) may be answered and the
connection closed before it is all sent; `exchange` stops sending as soon as
an answer is readable and reports how much it had sent by then.
"""

import http.client
import select
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"


@dataclass
class Outcome:
    status: int | None = None  # None: no answer (refused, reset, timed out)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sent: int = 0  # body bytes sent before the answer came (or the send failed)
    error: str | None = None
    seconds: float = 0.0

    @property
    def problem_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/problem+json")

    @property
    def key(self) -> str:
        """How to count it: the status, or the kind of failure."""
        return str(self.status) if self.status is not None else f"no answer ({self.error})"


def _answer(sock: socket.socket, method: str, out: Outcome, max_body: int) -> None:
    resp = http.client.HTTPResponse(sock, method=method)
    try:
        resp.begin()
        out.status = resp.status
        # First value wins, as a client library would read it.
        for name, value in resp.getheaders():
            out.headers.setdefault(name.lower(), value)
        out.body = resp.read(max_body)
    except (OSError, http.client.HTTPException) as exc:
        out.error = out.error or type(exc).__name__
    finally:
        resp.close()


def exchange(
    port: int,
    head: bytes,
    body: Iterable[bytes] = (),
    *,
    method: str = "GET",
    timeout: float = 30.0,
    max_body: int = 1 << 20,
) -> Outcome:
    """Send `head` then `body` chunk by chunk on a fresh connection; read the answer."""
    out = Outcome()
    start = time.perf_counter()
    try:
        sock = socket.create_connection((HOST, port), timeout=timeout)
    except OSError as exc:
        out.error, out.seconds = type(exc).__name__, time.perf_counter() - start
        return out
    with sock:
        try:
            sock.sendall(head)
            for chunk in body:
                # An answer before the body is all sent: the server decided without it.
                if select.select([sock], [], [], 0)[0]:
                    break
                sock.sendall(chunk)
                out.sent += len(chunk)
        except OSError as exc:
            out.error = type(exc).__name__
        _answer(sock, method, out, max_body)
    out.seconds = time.perf_counter() - start
    return out


def get_request(target: str, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {HOST}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


class Client:
    """One keep-alive connection, reopened after any failure."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, target: str) -> Outcome:
        out = Outcome()
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.conn.request("GET", target)
            resp = self.conn.getresponse()
            out.status = resp.status
            for name, value in resp.getheaders():
                out.headers.setdefault(name.lower(), value)
            out.body = resp.read()
            if resp.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            out.error = type(exc).__name__
            self.close()
        out.seconds = time.perf_counter() - start
        return out

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def fetch(port: int, target: str, timeout: float) -> Outcome:
    """One GET on a connection of its own, closed after."""
    client = Client(port, timeout)
    try:
        return client.get(target)
    finally:
        client.close()


class Loop:
    """Calls `step(client)` in a thread every `interval` s until stopped or `deadline`."""

    def __init__(
        self,
        port: int,
        step: Callable[[Client], None],
        *,
        interval: float,
        timeout: float,
        deadline: float,
    ) -> None:
        self.client = Client(port, timeout)
        self.step, self.interval, self.deadline = step, interval, deadline
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stopped.is_set() and time.monotonic() < self.deadline:
                self.step(self.client)
                if self.interval:
                    self.stopped.wait(self.interval)
        finally:
            self.client.close()

    def start(self) -> "Loop":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


class Probe:
    """`GET /healthz` every ~50 ms over its own keep-alive connection, latency recorded."""

    def __init__(self, port: int, deadline: float, timeout: float = 2.0) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.timeout = timeout
        self.loop = Loop(port, self._step, interval=0.05, timeout=timeout, deadline=deadline)

    def _step(self, client: Client) -> None:
        out = client.get("/healthz")
        self.statuses[out.key] += 1
        # A probe that got no answer waited at least its timeout: count it as that long.
        self.latencies.append(out.seconds if out.status == 200 else max(out.seconds, self.timeout))

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return {
            "probes": len(self.latencies),
            "worst_ms": round(lat[-1] * 1000, 1),
            "p99_ms": round(p99 * 1000, 1),
            "median_ms": round(statistics.median(lat) * 1000, 2),
            "statuses": dict(self.statuses),
            "timeout_s": self.timeout,
        }


class ShedSampler:
    """Burst-style requests on fresh connections: is every 503 problem+json with Retry-After?"""

    def __init__(self, port: int, target: Callable[[], str], deadline: float) -> None:
        self.target = target
        self.statuses: Counter[str] = Counter()
        self.bad_503: list[dict[str, str]] = []
        self.loop = Loop(port, self._step, interval=0.25, timeout=5.0, deadline=deadline)

    def _step(self, client: Client) -> None:
        client.close()  # a fresh connection each time, like a new client arriving
        out = client.get(self.target())
        client.close()
        self.statuses[out.key] += 1
        if out.status == 503 and not (out.problem_json and "retry-after" in out.headers):
            self.bad_503.append(
                {
                    "content-type": out.headers.get("content-type", ""),
                    "retry-after": out.headers.get("retry-after", ""),
                }
            )
