"""The JSON file a run writes: its environment, each app's fate, every sample, the medians.

`bench/README.md` documents the fields; `fwatlas benchmarks import` reads the same models.
"""

import os
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from app.enums import TestType

FORMAT = "fwatlas-bench/1"


class AppStatus(StrEnum):
    verified = "verified"  # every declared test passed; measured unless --verify-only
    partial = "partial"  # some test types failed verification and were not measured
    verify_failed = "verify-failed"
    install_failed = "install-failed"
    start_failed = "start-failed"
    pending = "pending"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Environment(Model):
    cpu_model: str | None = None
    cores: int | None = None
    memory_mb: int | None = None
    kernel: str | None = None
    os: str | None = None
    python_version: str
    load_generator: str
    database: str | None = None
    database_note: str
    date: str = Field(description="UTC, ISO 8601, when the run started.")
    finished: str | None = None
    commit: str | None = None
    pinning: str
    load_average_start: list[float] = Field(default_factory=list)
    load_average_end: list[float] = Field(default_factory=list)
    cpu_steal_percent: float | None = Field(
        default=None, description="Share of CPU time the hypervisor took during the run."
    )


class Settings(Model):
    frameworks: list[str]
    tests: list[TestType]
    concurrency: list[int]
    duration_s: float
    warmup_s: float
    rounds: int
    query_count: int
    verify_only: bool = False


class AppRecord(Model):
    framework: str
    calibration: bool = False
    language: str = "python"
    status: AppStatus = AppStatus.pending
    reason: str | None = None
    framework_version: str | None = None
    server: str | None = None
    server_version: str | None = None
    workers: int | None = None
    verification: dict[str, list[str]] = Field(
        default_factory=dict, description="Per test type, the problems found (empty: passed)."
    )
    incidents: list[str] = Field(
        default_factory=list, description="Crashes under load, and verification notes."
    )


class Sample(Model):
    framework: str
    test_type: TestType
    concurrency: int
    round: int
    requests_per_second: float
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    errors: int
    requests: int
    peak_rss_mb: float
    cpu_seconds: float
    load_average: float | None = Field(
        default=None, description="The machine's 1-minute load average when it finished."
    )


class Result(Model):
    framework: str
    calibration: bool = False
    test_type: TestType
    concurrency: int
    requests_per_second: float
    framework_version: str | None
    server: str | None
    server_version: str | None
    workers: int | None
    duration_s: float
    rounds: int
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    errors: int
    peak_rss_mb: float
    cpu_seconds: float
    rps_by_round: list[float]
    ratio_to_calibration: float | None = Field(
        default=None, description="rps over the bare server of the same interface, same run."
    )


class RunFile(Model):
    format: str = FORMAT
    run_id: str
    environment: Environment
    settings: Settings
    apps: list[AppRecord]
    samples: list[Sample] = Field(default_factory=list)
    results: list[Result] = Field(default_factory=list)


def write_atomically(path: Path, run: RunFile) -> None:
    """Replace `path` whole, so an interrupted run leaves the last complete file for --resume."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(run.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
