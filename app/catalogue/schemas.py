"""The API's shapes for frameworks, features, sources, use cases and the dataset."""

from datetime import UTC, date, datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    computed_field,
    model_validator,
)

from app.enums import (
    DEFAULT_ECOSYSTEM,
    Aspect,
    Classification,
    ConcurrencyModel,
    Ecosystem,
    Interface,
    Language,
    LearningCurve,
    Lifecycle,
    ModuleFormat,
    SourceKind,
    SupportLevel,
    UseCaseLinkKind,
)
from app.packages import name_problem
from app.sync.pypi import Vulnerability
from app.types import AnyPackageName, PartialDate, Slug, SourceSlug, VersionStr

# Sorted and without repeats, so equal facts serialize to equal bytes.
Sources = Annotated[list[SourceSlug], AfterValidator(lambda v: sorted(set(v)))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceBase(Strict):
    title: str = Field(max_length=300)
    author: str | None = Field(default=None, max_length=200)
    publisher: str | None = Field(default=None, max_length=200)
    url: HttpUrl | None = None
    published: PartialDate | None = None
    retrieved: date | None = None
    kind: SourceKind
    notes: str | None = None


class SourcePublic(SourceBase):
    slug: SourceSlug


class SourceUse(BaseModel):
    frameworks: list[Slug] = Field(description="Frameworks with any fact backed by this source.")
    support_statements: int
    claims: int
    adopters: int
    use_cases: int
    migration_considerations: int
    benchmark_runs: list[Slug]


class SourceDetail(SourcePublic):
    cited_by: SourceUse


class PackageRef(Strict):
    """A package in its registry's namespace."""

    ecosystem: Ecosystem
    name: AnyPackageName

    @model_validator(mode="after")
    def _valid_in_its_ecosystem(self) -> Self:
        if problem := name_problem(self.ecosystem, self.name):
            raise ValueError(problem)
        return self


class FrameworkAttributes(Strict):
    """Every attribute of a framework; null means unknown."""

    name: str = Field(max_length=120)
    language: Language
    classification: Classification | None = None
    interface: Interface | None = Field(
        default=None,
        description="The server interface the application speaks in its language (WSGI,"
        " ASGI, Node's http module, the Fetch API, Go's http.Handler, Tower, Rack,"
        " Servlet, PSR-15, Plug), or `native` when it runs only on its own server.",
    )
    concurrency_model: ConcurrencyModel | None = Field(
        default=None, description="How the framework runs concurrent requests by default."
    )
    description: str | None = None
    philosophy: str | None = None
    first_release_year: int | None = Field(default=None, ge=1990, le=2100)
    first_release_date: date | None = None
    latest_version: VersionStr | None = None
    latest_release_date: date | None = None
    license: str | None = Field(default=None, max_length=80, description="SPDX identifier")
    homepage: HttpUrl | None = None
    repository: HttpUrl | None = None
    documentation: HttpUrl | None = None
    package: AnyPackageName | None = Field(
        default=None, description="The primary package: the first of `packages`."
    )
    packages: list[PackageRef] = Field(
        default_factory=list,
        description="Every package the framework ships as, in its registry; the primary first.",
    )
    releases_last_12_months: int | None = Field(
        default=None,
        ge=0,
        description="Releases on the package index in the 365 days before"
        " its source's retrieved day; null when the index does not say.",
    )
    median_days_between_releases: float | None = Field(
        default=None, ge=0, description="Median gap between consecutive releases, in days."
    )
    maintainers: int | None = Field(
        default=None,
        ge=0,
        description="Users holding a role (owner or maintainer) on the package index; null"
        " when not given, or when an organization holds the package and no user is listed.",
    )
    requires_python: str | None = Field(
        default=None, max_length=80, description="The latest release's `Requires-Python`."
    )
    typed: bool | None = Field(
        default=None,
        description="The package ships type information: `Typing :: Typed` on PyPI,"
        " TypeScript declarations in the package on npm.",
    )
    module_format: ModuleFormat | None = Field(
        default=None, description="npm packages: ESM, CommonJS, or both, from the manifest."
    )
    deprecation: str | None = Field(
        default=None, description="The registry's deprecation message for the latest release."
    )
    vulnerabilities: list[Vulnerability] | None = Field(
        default=None,
        description="Advisories the package index lists for the latest release; [] is none"
        " listed, null is not known.",
    )
    learning_curve: LearningCurve | None = None
    lifecycle: Lifecycle = Lifecycle.active
    lifecycle_note: str | None = None
    based_on: Slug | None = Field(
        default=None,
        description="The framework this one builds on; a statement it does not make is"
        " inherited from there (see `inherited_from` on a statement).",
    )

    @model_validator(mode="after")
    def _primary_package(self) -> Self:
        # A framework that names only `package` ships in its language's usual registry.
        if not self.packages and self.package:
            self.packages = [
                PackageRef(ecosystem=DEFAULT_ECOSYSTEM[self.language], name=self.package)
            ]
        elif self.packages and self.package is None:
            self.package = self.packages[0].name
        elif self.packages and self.package != self.packages[0].name:
            raise ValueError(
                f"package '{self.package}' is not the first of packages ('{self.packages[0].name}')"
            )
        return self


class FrameworkSummary(FrameworkAttributes):
    slug: Slug

    @computed_field  # type: ignore[prop-decorator]
    @property
    def last_release_age_days(self) -> int | None:
        """Days from `latest_release_date` to today (UTC), worked out when read."""
        if self.latest_release_date is None:
            return None
        return (datetime.now(UTC).date() - self.latest_release_date).days


class Fact(Strict):
    aspect: Aspect
    value: str
    sources: Sources = Field(min_length=1)


class ClaimOut(Strict):
    text: str
    detail: str | None = None
    sources: Sources = Field(min_length=1)


class UseCaseLink(Strict):
    use_case: Slug
    kind: UseCaseLinkKind = UseCaseLinkKind.use_case
    text: str
    sources: Sources = Field(min_length=1)


class AdopterOut(Strict):
    name: str = Field(max_length=200)
    detail: str | None = None
    sources: Sources = Field(min_length=1)


class Statement(Strict):
    """One support statement, modelled on MDN browser-compat-data."""

    level: SupportLevel
    since_version: VersionStr | None = None
    until_version: VersionStr | None = None
    via: list[AnyPackageName] = Field(
        default_factory=list,
        description="Packages that supply the feature, in the framework's own ecosystem.",
    )
    official_via: list[AnyPackageName] = Field(
        default_factory=list,
        description="Those of `via` published by the framework's own project; the rest are"
        " third-party.",
    )
    notes: str | None = None
    sources: Sources = Field(default_factory=list)
    last_verified: date | None = None


class StatementOut(Statement):
    """A statement as the API shows it: its own, or inherited from the framework it builds on."""

    inherited_from: Slug | None = Field(
        default=None,
        description="Set when the framework makes no statement of its own and this one is its"
        " base's (with the base's sources); null for the framework's own statement.",
    )


class FeatureSupport(BaseModel):
    feature: Slug
    name: str
    category: Slug
    statements: list[StatementOut]


class BenchmarkFigure(BaseModel):
    """One framework's reconciled standing in one test type."""

    test_type: str
    relative_speed: float | None
    baseline: Slug | None
    rps_min: float | None
    rps_max: float | None
    runs: int
    sources: list[SourceSlug]
    disagreement: bool


class FrameworkDetail(FrameworkSummary):
    attribute_sources: dict[str, Sources]
    facts: list[Fact]
    pros: list[ClaimOut]
    cons: list[ClaimOut]
    verdicts: list[ClaimOut]
    use_cases: list[UseCaseLink]
    adopters: list[AdopterOut]
    support: list[FeatureSupport]
    support_totals: dict[SupportLevel, int]
    benchmarks: list[BenchmarkFigure]
    sources: list[SourcePublic] = Field(description="Every source cited anywhere above.")


class FeaturePublic(BaseModel):
    slug: Slug
    name: str
    category: Slug
    description: str | None
    parent: Slug | None


class FrameworkSupport(BaseModel):
    framework: Slug
    name: str
    statements: list[StatementOut]


class FeatureDetail(FeaturePublic):
    category_name: str
    children: list[Slug]
    support: list[FrameworkSupport]
    totals: dict[SupportLevel, int]


class CategoryPublic(BaseModel):
    slug: Slug
    name: str
    description: str | None
    parent: Slug | None


class UseCasePublic(BaseModel):
    slug: Slug
    name: str
    description: str | None
    weights: dict[str, int]
    must_have: list[Slug]
    nice_to_have: list[Slug]
    sources: list[SourceSlug]


class UseCaseFramework(BaseModel):
    framework: Slug
    kind: UseCaseLinkKind
    text: str
    sources: list[SourceSlug]


class UseCaseDetail(UseCasePublic):
    frameworks: list[UseCaseFramework]


class Counts(BaseModel):
    frameworks: int
    features: int
    feature_categories: int
    support_statements: int
    sources: int
    claims: int
    adopters: int
    use_cases: int
    benchmark_runs: int
    benchmark_results: int
    migration_paths: int


class Meta(BaseModel):
    dataset_id: str = Field(
        description="Random per database: a recreated database gets a new one, so its "
        "restarted `dataset_version` never collides with the old dataset's."
    )
    dataset_version: int
    updated_at: datetime
    counts: Counts
    data_licence: str
    api_version: str
