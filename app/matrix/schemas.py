from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.benchmarks.schemas import BenchmarkSummary
from app.catalogue.schemas import ClaimOut, FrameworkSummary, StatementOut
from app.enums import ConsiderationKind, Effort, SupportLevel
from app.types import Slug, SourceSlug


class Cell(BaseModel):
    level: SupportLevel = Field(description="The first statement's level; `unknown` if none.")
    statements: list[StatementOut]


class MatrixFramework(BaseModel):
    slug: Slug
    name: str


class MatrixRow(BaseModel):
    feature: Slug
    name: str
    category: Slug
    cells: dict[str, Cell] = Field(description="Framework slug -> cell; every framework present.")
    differs: bool = Field(description="Not every framework has the same level here.")


class Matrix(BaseModel):
    frameworks: list[MatrixFramework]
    rows: list[MatrixRow]
    totals: dict[str, dict[SupportLevel, int]] = Field(
        description="Per framework, how many features it has at each level."
    )


class CompareValue(BaseModel):
    value: str | None
    sources: list[SourceSlug]
    retrieved: date | None = Field(
        default=None,
        description="For a maintenance signal: the day its source was read; null otherwise.",
    )


class AttributeRow(BaseModel):
    key: str
    label: str
    values: dict[str, CompareValue]
    differs: bool


class ProsCons(BaseModel):
    pros: list[ClaimOut]
    cons: list[ClaimOut]


class Consideration(BaseModel):
    kind: ConsiderationKind
    text: str
    sources: list[SourceSlug]


class MigrationOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: Slug = Field(serialization_alias="from", validation_alias="from")
    to: Slug
    effort: Effort
    effort_basis: str | None
    summary: str | None
    considerations: list[Consideration]
    sources: list[SourceSlug]


class Comparison(BaseModel):
    frameworks: list[FrameworkSummary]
    attributes: list[AttributeRow]
    matrix: Matrix = Field(description="Rows where the frameworks differ come first.")
    pros_cons: dict[str, ProsCons]
    benchmarks: BenchmarkSummary
    migrations: list[MigrationOut]
