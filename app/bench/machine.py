"""What a run records about the machine it ran on, and the load generator it used."""

import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psutil

from app.bench.database import Database
from app.bench.runfile import Environment


class NoLoadGenerator(Exception):
    pass


def ensure_wrk() -> str:
    """wrk from PATH, else from the system package manager, else a clear refusal."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise NoLoadGenerator(
            "wrk is not installed and there is no apt-get here: install wrk with your "
            "system's package manager (brew install wrk, dnf install wrk, ...) and rerun"
        )
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in ([*sudo, apt, "update", "-qq"], [*sudo, apt, "install", "-y", "-qq", "wrk"]):
        subprocess.run(argv, env=env, capture_output=True, timeout=600, check=False)
    found = shutil.which("wrk")
    if found is None:
        raise NoLoadGenerator(
            "wrk is not installed and `apt-get install wrk` did not work (it needs root or "
            "passwordless sudo): install it and rerun"
        )
    return found


def wrk_version(binary: str) -> str:
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _commit(root: Path) -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return done.stdout.strip() + ("-dirty" if dirty else "")


def _os_name() -> str | None:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def steal_seconds() -> float | None:
    times = psutil.cpu_times()
    return getattr(times, "steal", None)


def describe(
    root: Path, wrk_binary: str, db: Database, pinning: str, now: datetime | None = None
) -> Environment:
    try:
        database = db.version()
    except Exception:  # the run still says which database it meant
        database = None
    return Environment(
        cpu_model=cpu_model(),
        cores=psutil.cpu_count(logical=True),
        memory_mb=psutil.virtual_memory().total // 2**20,
        kernel=platform.release(),
        os=_os_name(),
        python_version=sys.version.split()[0],
        load_generator=wrk_version(wrk_binary),
        database=database,
        database_note=(
            f"one PostgreSQL database ({db.name}) for every app, dropped and refilled by the "
            "harness before the run: world (10,000 rows), fortune (12 rows)"
        ),
        date=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        commit=_commit(root),
        pinning=pinning,
        load_average_start=load_average(),
    )
