"""Every table of the dataset, and only tables."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.enums import (
    ClaimKind,
    Classification,
    ConcurrencyModel,
    ConsiderationKind,
    Effort,
    Interface,
    Language,
    LearningCurve,
    Lifecycle,
    ModuleFormat,
    SourceKind,
    SupportLevel,
    TestType,
    UseCaseLinkKind,
)

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(enum: type[StrEnum], name: str, *, nullable: bool = False) -> Any:
    # Stored as VARCHAR with a CHECK constraint: portable between SQLite and
    # PostgreSQL, and a new value is a migration, not an ALTER TYPE.
    return sa.Column(
        sa.Enum(
            enum,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda e: [m.value for m in e],
        ),
        nullable=nullable,
    )


# Link tables: a fact may have many sources, a source backs many facts.
class FrameworkAttributeSource(SQLModel, table=True):
    __tablename__ = "framework_attribute_source"
    framework_id: int = Field(foreign_key="framework.id", primary_key=True, ondelete="CASCADE")
    attribute: str = Field(primary_key=True, max_length=40)
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")

    source: "Source" = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class ClaimSource(SQLModel, table=True):
    __tablename__ = "claim_source"
    claim_id: int = Field(foreign_key="claim.id", primary_key=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class AdopterSource(SQLModel, table=True):
    __tablename__ = "adopter_source"
    adopter_id: int = Field(foreign_key="adopter.id", primary_key=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class UseCaseSource(SQLModel, table=True):
    __tablename__ = "use_case_source"
    use_case_id: int = Field(foreign_key="use_case.id", primary_key=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class FrameworkUseCaseSource(SQLModel, table=True):
    __tablename__ = "framework_use_case_source"
    framework_use_case_id: int = Field(
        foreign_key="framework_use_case.id", primary_key=True, ondelete="CASCADE"
    )
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class SupportSource(SQLModel, table=True):
    __tablename__ = "support_source"
    statement_id: int = Field(
        foreign_key="support_statement.id", primary_key=True, ondelete="CASCADE"
    )
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class ConsiderationSource(SQLModel, table=True):
    __tablename__ = "consideration_source"
    consideration_id: int = Field(
        foreign_key="migration_consideration.id", primary_key=True, ondelete="CASCADE"
    )
    source_id: int = Field(foreign_key="source.id", primary_key=True, ondelete="CASCADE")


class Source(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=300)
    author: str | None = Field(default=None, max_length=200)
    publisher: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=500)
    published: str | None = Field(default=None, max_length=10)
    retrieved: date | None = None
    kind: SourceKind = Field(sa_column=enum_column(SourceKind, "source_kind"))
    notes: str | None = None


class FeatureCategory(SQLModel, table=True):
    __tablename__ = "feature_category"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    description: str | None = None
    parent_id: int | None = Field(default=None, foreign_key="feature_category.id")
    position: int = 0


class Feature(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    description: str | None = None
    category_id: int = Field(foreign_key="feature_category.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="feature.id")
    position: int = 0

    category: FeatureCategory = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class Framework(SQLModel, table=True):
    # The list's sort orders, so that a keyset page is an index range, not a sort of all.
    __table_args__ = (
        sa.Index("ix_framework_name_order", sa.func.lower(sa.text("name")), "slug"),
        sa.Index(
            "ix_framework_year_order", sa.func.coalesce(sa.text("first_release_year"), 0), "slug"
        ),
        sa.Index("ix_framework_language", "language"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120, index=True)
    language: Language = Field(sa_column=enum_column(Language, "language"))
    classification: Classification | None = Field(
        default=None, sa_column=enum_column(Classification, "classification", nullable=True)
    )
    interface: Interface | None = Field(
        default=None, sa_column=enum_column(Interface, "interface", nullable=True)
    )
    concurrency_model: ConcurrencyModel | None = Field(
        default=None,
        sa_column=enum_column(ConcurrencyModel, "concurrency_model", nullable=True),
    )
    description: str | None = None
    philosophy: str | None = None
    first_release_year: int | None = None
    first_release_date: date | None = None
    latest_version: str | None = Field(default=None, max_length=40)
    latest_release_date: date | None = None
    license: str | None = Field(default=None, max_length=80, index=True)
    homepage: str | None = Field(default=None, max_length=500)
    repository: str | None = Field(default=None, max_length=500)
    documentation: str | None = Field(default=None, max_length=500)
    package: str | None = Field(default=None, max_length=214)
    # [{"ecosystem": ..., "name": ...}], the primary package first.
    packages: list[dict[str, str]] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, server_default="[]")
    )
    # Maintenance signals from the package index (null = the index does not say).
    releases_last_12_months: int | None = None
    median_days_between_releases: float | None = None
    maintainers: int | None = None
    requires_python: str | None = Field(default=None, max_length=80)
    typed: bool | None = None
    module_format: ModuleFormat | None = Field(
        default=None, sa_column=enum_column(ModuleFormat, "module_format", nullable=True)
    )
    deprecation: str | None = None
    vulnerabilities: list[dict[str, Any]] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON, nullable=True)
    )
    learning_curve: LearningCurve | None = Field(
        default=None, sa_column=enum_column(LearningCurve, "learning_curve", nullable=True)
    )
    lifecycle: Lifecycle = Field(sa_column=enum_column(Lifecycle, "lifecycle"))
    lifecycle_note: str | None = None
    # The framework this one builds on, by slug as in the seed files: statements it does
    # not make are copied from the base at seed time, marked with `inherited_from`.
    based_on: str | None = Field(default=None, max_length=80)

    attribute_sources: list[FrameworkAttributeSource] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )
    claims: list["Claim"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Claim.position"}
    )
    adopters: list["Adopter"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Adopter.position"}
    )
    use_cases: list["FrameworkUseCase"] = Relationship(
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "FrameworkUseCase.position",
        }
    )
    support: list["SupportStatement"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )


class Claim(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    kind: ClaimKind = Field(sa_column=enum_column(ClaimKind, "claim_kind"))
    aspect: str | None = Field(default=None, max_length=40)
    text: str
    detail: str | None = None
    position: int = 0

    sources: list[Source] = Relationship(link_model=ClaimSource)


class Adopter(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    detail: str | None = None
    position: int = 0

    sources: list[Source] = Relationship(link_model=AdopterSource)


class UseCase(SQLModel, table=True):
    __tablename__ = "use_case"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    description: str | None = None
    weights: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    must_have: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    nice_to_have: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    position: int = 0

    sources: list[Source] = Relationship(link_model=UseCaseSource)


class FrameworkUseCase(SQLModel, table=True):
    """A framework suited to a use case, in a source's words ("Choose Django if ...")."""

    __tablename__ = "framework_use_case"
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    use_case_id: int = Field(foreign_key="use_case.id", index=True, ondelete="CASCADE")
    kind: UseCaseLinkKind = Field(sa_column=enum_column(UseCaseLinkKind, "use_case_link_kind"))
    text: str
    position: int = 0

    use_case: UseCase = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    sources: list[Source] = Relationship(link_model=FrameworkUseCaseSource)


class SupportStatement(SQLModel, table=True):
    __tablename__ = "support_statement"
    __table_args__ = (sa.UniqueConstraint("framework_id", "feature_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    feature_id: int = Field(foreign_key="feature.id", index=True, ondelete="CASCADE")
    seq: int = 0
    level: SupportLevel = Field(sa_column=enum_column(SupportLevel, "support_level"))
    since_version: str | None = Field(default=None, max_length=40)
    until_version: str | None = Field(default=None, max_length=40)
    via: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    official_via: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    notes: str | None = None
    last_verified: date | None = None
    # The (transitive) base framework that made this statement; null for the framework's
    # own. Inherited rows are derived on every seed and never exported.
    inherited_from: str | None = Field(default=None, max_length=80)

    sources: list[Source] = Relationship(link_model=SupportSource)


class BenchmarkRun(SQLModel, table=True):
    """Results from one run are comparable with each other, and only with each other."""

    __tablename__ = "benchmark_run"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=300)
    source_id: int = Field(foreign_key="source.id", index=True)
    date: str | None = Field(default=None, max_length=10)
    hardware: str | None = None
    os: str | None = Field(default=None, max_length=120)
    python_version: str | None = Field(default=None, max_length=40)
    notes: str | None = None

    source: Source = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    results: list["BenchmarkResult"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan"}
    )


class BenchmarkResult(SQLModel, table=True):
    __tablename__ = "benchmark_result"
    __table_args__ = (
        sa.Index("ix_benchmark_result_run_framework", "run_id", "framework_id"),
        sa.Index("ix_benchmark_result_rps_sort", "rps_sort", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="benchmark_run.id", ondelete="CASCADE")
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    framework_version: str | None = Field(default=None, max_length=40)
    test_type: TestType = Field(sa_column=enum_column(TestType, "test_type"))
    server: str | None = Field(default=None, max_length=80)
    workers: int | None = None
    concurrency: int | None = None
    requests_per_second: float | None = None
    rps_low: float | None = None
    rps_high: float | None = None
    # The single figure a list sorts by: the value, or the range's midpoint
    # (its bound when open), kept in a column so the sort can use an index.
    rps_sort: float = 0.0
    approximate: bool = False
    latency_avg_ms: float | None = None
    latency_p50_ms: float | None = None
    latency_p90_ms: float | None = None
    latency_p99_ms: float | None = None
    latency_ms: float | None = None
    errors: int | None = None
    # Measured runs only: the server process tree's peak memory and CPU time under load.
    peak_rss_mb: float | None = None
    cpu_seconds: float | None = None
    reported_relative_speed: float | None = None
    notes: str | None = None
    position: int = 0


class MigrationPath(SQLModel, table=True):
    __tablename__ = "migration_path"
    __table_args__ = (sa.UniqueConstraint("from_framework_id", "to_framework_id"),)
    id: int | None = Field(default=None, primary_key=True)
    from_framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    to_framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    effort: Effort = Field(sa_column=enum_column(Effort, "effort"))
    effort_basis: str | None = None
    summary: str | None = None

    considerations: list["MigrationConsideration"] = Relationship(
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "MigrationConsideration.position",
        }
    )


class MigrationConsideration(SQLModel, table=True):
    __tablename__ = "migration_consideration"
    id: int | None = Field(default=None, primary_key=True)
    path_id: int = Field(foreign_key="migration_path.id", index=True, ondelete="CASCADE")
    kind: ConsiderationKind = Field(sa_column=enum_column(ConsiderationKind, "consideration_kind"))
    text: str
    position: int = 0

    sources: list[Source] = Relationship(link_model=ConsiderationSource)


class DatasetVersion(SQLModel, table=True):
    """One row: bumped by every change to the data, and part of every ETag."""

    __tablename__ = "dataset_version"
    id: int | None = Field(default=None, primary_key=True)
    # Random per database: a recreated database restarts the counter, never its identity.
    dataset_id: str = Field(max_length=32)
    version: int = 0
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    note: str | None = None
