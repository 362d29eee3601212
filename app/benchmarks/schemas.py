from pydantic import BaseModel, Field

from app.enums import TestType
from app.types import Slug, SourceSlug


class Environment(BaseModel):
    hardware: str | None
    os: str | None
    python_version: str | None


class BenchmarkResultOut(BaseModel):
    id: int
    run: Slug = Field(description="Results from one run are comparable with each other.")
    run_title: str
    framework: Slug
    framework_version: str | None
    test_type: TestType
    server: str | None
    workers: int | None
    concurrency: int | None
    requests_per_second: float | None = Field(description="A single figure, when given.")
    rps_low: float | None = Field(description="A range's low end; alone, a lower bound.")
    rps_high: float | None = Field(description="A range's high end; alone, an upper bound.")
    approximate: bool = Field(description="The source gives the figure as approximate (~).")
    latency_avg_ms: float | None
    latency_p50_ms: float | None
    latency_p90_ms: float | None
    latency_p99_ms: float | None
    latency_ms: float | None = Field(description="A latency whose statistic the source omits.")
    errors: int | None
    peak_rss_mb: float | None = Field(description="Measured runs: the server's peak RSS, MiB.")
    cpu_seconds: float | None = Field(description="Measured runs: server CPU seconds under load.")
    reported_relative_speed: float | None = Field(description="As the source states it.")
    environment: Environment
    source: SourceSlug
    date: str | None
    notes: str | None


class RunRatioOut(BaseModel):
    run: Slug
    source: SourceSlug
    rps: float = Field(description="The figure used: value, range midpoint, or open bound.")
    baseline_rps: float
    ratio: float
    measured: bool = Field(
        description="Measured by this project (`fwatlas bench`); otherwise cited from a source."
    )


class StandingOut(BaseModel):
    framework: Slug
    relative_speed: float | None = Field(
        description="Geometric mean over runs of the ratio to the baseline in the same run."
    )
    rps_min: float
    rps_max: float
    runs: int
    sources: list[SourceSlug]
    disagreement: bool = Field(description="Runs' ratios differ by more than the factor.")
    ratio_low: float | None = Field(description="The lowest ratio any one run gives.")
    ratio_high: float | None = Field(description="The highest ratio any one run gives.")
    measured_relative_speed: float | None = Field(
        description="The same combination over measured runs only; null if none measured it."
    )
    cited_relative_speed: float | None = Field(
        description="The same combination over cited runs (articles, suites) only."
    )
    cited_disagrees: bool = Field(
        description="A cited run's ratio differs from the measured one by more than the factor."
    )
    per_run: list[RunRatioOut]


class BenchmarkSummary(BaseModel):
    test_type: TestType | None
    test_types_included: list[TestType]
    baseline: Slug | None
    disagreement_factor: float
    method: str
    items: list[StandingOut]
    sources: list[SourceSlug]
