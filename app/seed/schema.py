"""The seed files' shapes: the API's models plus the references between files."""

from typing import Self

from pydantic import Field, model_validator

from app.catalogue.schemas import (
    AdopterOut,
    Fact,
    FrameworkAttributes,
    SourceBase,
    Sources,
    Statement,
    Strict,
    UseCaseLink,
)
from app.enums import ClaimKind, ConsiderationKind, Criterion, Effort, TestType
from app.types import PartialDate, Slug, SourceSlug, VersionStr


class SourceIn(SourceBase):
    slug: SourceSlug


class SourcesFile(Strict):
    sources: list[SourceIn]


class CategoryIn(Strict):
    slug: Slug
    name: str = Field(max_length=120)
    description: str | None = None
    parent: Slug | None = None


class FeatureIn(Strict):
    slug: Slug
    name: str = Field(max_length=120)
    category: Slug
    description: str | None = None
    parent: Slug | None = None


class FeaturesFile(Strict):
    categories: list[CategoryIn]
    features: list[FeatureIn]


class UseCaseIn(Strict):
    slug: Slug
    name: str = Field(max_length=200)
    description: str | None = None
    weights: dict[Criterion, int] = Field(default_factory=dict)
    must_have: list[Slug] = Field(default_factory=list)
    nice_to_have: list[Slug] = Field(default_factory=list)
    sources: Sources = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_in_range(self) -> Self:
        for criterion, weight in self.weights.items():
            if not 0 <= weight <= 5:
                raise ValueError(f"weight of {criterion.value} must be 0..5, not {weight}")
        return self


class UseCasesFile(Strict):
    use_cases: list[UseCaseIn]


class ClaimIn(Strict):
    kind: ClaimKind
    text: str
    detail: str | None = None
    sources: Sources = Field(min_length=1)


class StatementIn(Statement):
    @model_validator(mode="after")
    def _partial_has_notes(self) -> Self:
        if self.level == "partial" and not (self.notes or "").strip():
            raise ValueError("a partial statement needs notes saying what is missing")
        return self


class FrameworkIn(FrameworkAttributes):
    slug: Slug
    attribute_sources: dict[str, Sources] = Field(default_factory=dict)
    facts: list[Fact] = Field(default_factory=list)
    claims: list[ClaimIn] = Field(default_factory=list)
    use_cases: list[UseCaseLink] = Field(default_factory=list)
    adopters: list[AdopterOut] = Field(default_factory=list)
    support: dict[Slug, StatementIn | list[StatementIn]] = Field(default_factory=dict)


class SupportFile(Strict):
    framework: Slug
    support: dict[Slug, StatementIn | list[StatementIn]]


class ResultIn(Strict):
    framework: Slug
    framework_version: VersionStr | None = None
    test_type: TestType = TestType.unspecified
    server: str | None = Field(default=None, max_length=80)
    workers: int | None = Field(default=None, ge=1, le=100_000)
    concurrency: int | None = Field(default=None, ge=1, le=10_000_000)
    requests_per_second: float | None = Field(default=None, gt=0, le=1e9)
    rps_low: float | None = Field(default=None, gt=0, le=1e9)
    rps_high: float | None = Field(default=None, gt=0, le=1e9)
    approximate: bool = False
    latency_avg_ms: float | None = Field(default=None, ge=0, le=1e7)
    latency_p50_ms: float | None = Field(default=None, ge=0, le=1e7)
    latency_p90_ms: float | None = Field(default=None, ge=0, le=1e7)
    latency_p99_ms: float | None = Field(default=None, ge=0, le=1e7)
    latency_ms: float | None = Field(
        default=None,
        ge=0,
        le=1e7,
        description="A latency whose statistic the source does not name.",
    )
    errors: int | None = Field(default=None, ge=0)
    peak_rss_mb: float | None = Field(
        default=None, ge=0, le=1e7, description="Peak RSS of the server's process tree, MiB."
    )
    cpu_seconds: float | None = Field(
        default=None, ge=0, le=1e7, description="CPU seconds the server spent under the load."
    )
    reported_relative_speed: float | None = Field(default=None, gt=0, le=1e6)
    notes: str | None = None

    @model_validator(mode="after")
    def _value_or_range(self) -> Self:
        has_range = self.rps_low is not None or self.rps_high is not None
        if self.requests_per_second is not None and has_range:
            raise ValueError("give requests_per_second or rps_low/rps_high, not both")
        if self.requests_per_second is None and not has_range:
            raise ValueError("give requests_per_second or a range rps_low/rps_high")
        if self.rps_low is not None and self.rps_high is not None and self.rps_low > self.rps_high:
            raise ValueError("rps_low is greater than rps_high")
        return self


class RunIn(Strict):
    slug: Slug = Field(description="The run id: results within one run are comparable.")
    title: str = Field(max_length=300)
    source: SourceSlug
    date: PartialDate | None = None
    hardware: str | None = None
    os: str | None = Field(default=None, max_length=120)
    python_version: str | None = Field(default=None, max_length=40)
    notes: str | None = None
    results: list[ResultIn] = Field(min_length=1)


class BenchmarksFile(Strict):
    runs: list[RunIn]


class ConsiderationIn(Strict):
    kind: ConsiderationKind
    text: str
    sources: Sources = Field(min_length=1)


class MigrationIn(Strict):
    from_: Slug = Field(alias="from")
    to: Slug
    effort: Effort = Effort.unknown
    effort_basis: str | None = None
    summary: str | None = None
    considerations: list[ConsiderationIn] = Field(min_length=1)


class MigrationsFile(Strict):
    migrations: list[MigrationIn]


class Dataset(Strict):
    """The whole dataset, as `GET /export` returns it and `fwatlas seed` reads it."""

    sources: list[SourceIn]
    categories: list[CategoryIn]
    features: list[FeatureIn]
    use_cases: list[UseCaseIn]
    frameworks: list[FrameworkIn]
    runs: list[RunIn]
    migrations: list[MigrationIn]
