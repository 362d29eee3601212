"""`fwatlas serve` as a real server process: access log, shutdown, timeouts, proxies."""

import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from app.serve import SERVERS, served_app

FWATLAS = Path(sys.executable).parent / "fwatlas"
# Uvicorn re-raises the signal once it has shut down cleanly; Granian exits with 0.
CLEAN_EXIT = (0, -signal.SIGTERM)
LINE = re.compile(r'^\S+Z (\S+) "(\S+) (\S+) HTTP/1\.1" (\d{3}) (\d+) \d+\.\d{3}ms$')


def free_port() -> int:
    # This machine's convention gives the serve tests 18200-18299.
    for port in range(18250, 18300):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18250-18299")


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(45)

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[Running]:
    port = free_port()
    log = tmp_path / f"stdout-{port}.log"
    env = {**os.environ, "FWATLAS_VERSION_CHECK_INTERVAL": "1"}
    errors = tmp_path / f"stderr-{port}.log"
    with log.open("wb") as out, errors.open("wb") as err:
        proc = subprocess.Popen(
            # A worker that does not stop within 10 s of SIGTERM is killed (see stop()).
            [FWATLAS, "serve", "--port", str(port), "--graceful-timeout", "10", *args],
            stdout=out,
            stderr=err,
            env=env,
            # Its own process group: a Granian worker or a Uvicorn child outlives a killed
            # parent, and would keep the port (and the next test's connections).
            start_new_session=True,
        )
    running = Running(proc, port, log)
    try:
        # Generous: on a host shared with other test suites start-up has taken 20 s.
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{running.url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"fwatlas serve {' '.join(args)} did not start (exit {proc.poll()}):\n"
                        + errors.read_text()[-2000:]
                    )
                time.sleep(0.1)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                proc.wait(30)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_the_served_app_freezes_what_start_up_built() -> None:
    """Left to the collector, the objects start-up builds cost every full collection 80 to
    100 ms with the event loop stopped: the health probe's worst case under load."""
    gc.unfreeze()
    try:
        served_app()
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()


def test_serve_defaults_to_a_known_server() -> None:
    from app.config import Settings

    assert Settings().server in SERVERS


@pytest.mark.parametrize(
    ("server", "extra"),
    [
        ("granian", ()),
        ("uvicorn", ()),
        ("uvicorn-h11", ("--access-log-format", "json")),
        ("granian", ("--workers", "2")),
        ("uvicorn", ("--workers", "2")),
    ],
)
def test_every_request_is_in_the_log_after_sigterm(
    engine: Engine, tmp_path: Path, server: str, extra: tuple[str, ...]
) -> None:
    requests = 120
    with serving(tmp_path, "--server", server, *extra) as running:
        # A request in flight at SIGTERM: its headers are in, its body is not yet.
        body = json.dumps({"use_case": "cms", "limit": 1}).encode()
        slow = socket.create_connection(("127.0.0.1", running.port))
        slow.sendall(
            b"POST /api/v1/recommendations HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5]
        )
        with httpx.Client(base_url=running.url) as client:
            for i in range(requests):
                target = ("/api/v1/frameworks/django", "/api/v1/meta", "/api/v1/nope")[i % 3]
                client.get(target)
        time.sleep(0.3)
        running.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        slow.sendall(body[5:])
        slow.settimeout(10)
        answer = b""
        with suppress(OSError):
            while chunk := slow.recv(65536):
                answer += chunk
        slow.close()
        assert running.proc.wait(45) in CLEAN_EXIT
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"results"' in answer
    lines = running.lines()
    if "json" in extra:
        records = [json.loads(line) for line in lines]
        seen = [(r["method"], r["path"].split("?")[0], r["status"]) for r in records]
    else:
        matches = [LINE.match(line) for line in lines]
        assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
        seen = [(m[2], m[3].split("?")[0], int(m[4])) for m in matches if m]
    # The start-up probe's /healthz, the 120 requests, the one in flight at SIGTERM.
    assert len(seen) == requests + 2, sorted(Counter(seen).items())
    assert seen.count(("GET", "/api/v1/frameworks/django", 200)) == requests // 3
    assert seen.count(("GET", "/api/v1/nope", 404)) == requests // 3
    assert ("POST", "/api/v1/recommendations", 200) in seen


@pytest.mark.parametrize("server", SERVERS)
def test_no_access_log_writes_nothing(engine: Engine, tmp_path: Path, server: str) -> None:
    with serving(tmp_path, "--server", server, "--no-access-log") as running:
        assert httpx.get(f"{running.url}/api/v1/meta").status_code == 200
        assert running.stop() in CLEAN_EXIT
    assert running.lines() == []


def closed_after(port: int, first: bytes, source: str = "127.0.0.1") -> tuple[float, bytes]:
    """Seconds until the server closes a connection that sent `first` and then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
    sock.settimeout(8)
    start = time.monotonic()
    received = b""
    try:
        if first:
            sock.sendall(first)
        with suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    except TimeoutError:
        return float("inf"), received
    finally:
        sock.close()
    return time.monotonic() - start, received


@pytest.fixture(scope="module", params=SERVERS)
def short_timeouts(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    args = ("--keepalive-timeout", "1", "--header-timeout", "1")
    with serving(tmp_path_factory.mktemp("serve"), "--server", request.param, *args) as running:
        yield running


@pytest.mark.parametrize(
    ("what", "first"),
    [
        ("never sends a request", b""),
        ("stalls inside its headers", b"GET /api/v1/meta HTTP/1.1\r\nHost: x\r\nAccept: appl"),
        ("stalls inside its request line", b"GET /api/v1/me"),
        ("is idle after an answer", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
    ],
)
def test_a_connection_that_is_silent_too_long_is_closed(
    short_timeouts: Running, what: str, first: bytes
) -> None:
    seconds, received = closed_after(short_timeouts.port, first)
    assert 0.8 < seconds < 3.5, f"a connection that {what} was closed after {seconds:.2f}s"
    if what == "is idle after an answer":
        assert received.startswith(b"HTTP/1.1 200")


def test_a_slow_client_that_keeps_its_headers_coming_is_still_served(
    short_timeouts: Running,
) -> None:
    # Two requests back to back, each well within the timeout: both are answered.
    with httpx.Client(base_url=short_timeouts.url) as client:
        for _ in range(2):
            assert client.get("/api/v1/meta").json()["counts"]["frameworks"] > 0
            time.sleep(0.4)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(short_timeouts: Running) -> None:
    request = (
        b"GET /api/v1/meta?who=%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"X-Forwarded-For: 203.0.113.9\r\n\r\n"
    )
    # 127.0.0.1 is a trusted proxy by default; 127.0.0.2 is another loopback address.
    closed_after(short_timeouts.port, request % b"trusted", "127.0.0.1")
    closed_after(short_timeouts.port, request % b"other", "127.0.0.2")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        clients = {
            m[3].split("=")[1]: m[1]
            for line in short_timeouts.lines()
            if (m := LINE.match(line)) and "who=" in m[3]
        }
        if len(clients) == 2:
            break
        time.sleep(0.1)
    assert clients["trusted"].startswith("203.0.113.9:")
    assert clients["other"].startswith("127.0.0.2:")


def test_lifespan_runs_in_the_served_process(short_timeouts: Running) -> None:
    # The version clock is started by the lifespan: /api/v1/meta reads the dataset's version.
    meta: Any = httpx.get(f"{short_timeouts.url}/api/v1/meta").json()
    assert meta["dataset_version"] >= 1


def test_the_docs_scripts_are_sent_whole(short_timeouts: Running) -> None:
    # Granian offers `http.response.pathsend`; a file sent that way must not reach the
    # client (or the response cache) as an empty body.
    from importlib.resources import files

    script = (files("fastapi_offline") / "static" / "swagger-ui-bundle.js").read_bytes()
    for _ in range(2):  # a miss, then the stored answer
        response = httpx.get(f"{short_timeouts.url}/docs-assets/swagger-ui-bundle.js")
        assert response.status_code == 200
        assert response.content == script
