"""The data policy's lints: each one fails a dataset that breaks its rule."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from pydantic import HttpUrl
from typer.testing import CliRunner

from app.cli import app
from app.enums import Lifecycle, SourceKind, SupportLevel
from app.seed.lint import lint
from app.seed.load import read_dataset, statements
from app.seed.schema import Dataset, FrameworkIn, SourceIn, StatementIn
from tests.conftest import SEED


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return read_dataset(SEED)


@pytest.fixture
def dataset(shipped: Dataset) -> Dataset:
    return shipped.model_copy(deep=True)


def framework(ds: Dataset, slug: str) -> FrameworkIn:
    return next(f for f in ds.frameworks if f.slug == slug)


def first(fw: FrameworkIn, feature: str) -> StatementIn:
    return statements(fw.support[feature])[0]


def add_source(ds: Dataset, slug: str, url: str | None, kind: SourceKind) -> str:
    ds.sources.append(SourceIn(slug=slug, title=slug, url=HttpUrl(url) if url else None, kind=kind))
    return slug


def test_the_same_extension_package_must_give_the_same_level(dataset: Dataset) -> None:
    flask, bottle = framework(dataset, "flask"), framework(dataset, "bottle")
    own = first(flask, "admin-panel")
    bottle.support["admin-panel"] = own.model_copy(update={"level": SupportLevel.partial})
    package = own.via[0].lower()
    problems = lint(dataset)
    assert any(
        p.startswith(f"framework bottle support.admin-panel: {package} gives different levels")
        for p in problems
    )


def test_a_note_naming_the_package_explains_a_different_level(dataset: Dataset) -> None:
    flask, bottle = framework(dataset, "flask"), framework(dataset, "bottle")
    own = first(flask, "admin-panel")
    package = own.via[0]
    for fw, level in ((flask, own.level), (bottle, SupportLevel.partial)):
        fw.support["admin-panel"] = own.model_copy(
            update={"level": level, "notes": f"{package} covers only part of it here"}
        )
    assert not [p for p in lint(dataset) if "gives different levels" in p and package in p]


def test_an_override_of_the_base_needs_a_source_of_its_own(dataset: Dataset) -> None:
    fastapi, starlette = framework(dataset, "fastapi"), framework(dataset, "starlette")
    base = first(starlette, "websockets")
    fastapi.support["websockets"] = base.model_copy(
        update={"level": SupportLevel.none, "notes": "says so"}
    )
    assert (
        "framework fastapi support.websockets: none overrides starlette's built_in;"
        " give notes and a source of its own"
    ) in lint(dataset)


def test_based_on_must_name_a_known_framework_without_a_cycle(dataset: Dataset) -> None:
    framework(dataset, "starlette").based_on = "fastapi"
    framework(dataset, "flask").based_on = "no-such-framework"
    problems = lint(dataset)
    assert "framework flask: based_on names unknown framework 'no-such-framework'" in problems
    assert any(p.startswith("framework fastapi: based_on makes a cycle") for p in problems)


def test_an_unknown_needs_a_note_saying_where_was_searched(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    flask.support["graphql"] = first(flask, "routing").model_copy(
        update={"level": SupportLevel.unknown, "notes": "not sure"}
    )
    assert "framework flask support.graphql: an unknown needs notes saying where was searched" in (
        lint(dataset)
    )


def test_active_without_a_release_in_three_years_needs_a_note(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    flask.lifecycle, flask.lifecycle_note = Lifecycle.active, None
    flask.latest_release_date = date(2020, 1, 1)
    assert (
        "framework flask: lifecycle active but no release since 2020-01-01;"
        " a lifecycle_note must say why"
    ) in lint(dataset, today=date(2026, 12, 2))
    flask.lifecycle_note = "Feature complete; security fixes only on request."
    assert not [p for p in lint(dataset, today=date(2026, 12, 2)) if "framework flask: life" in p]


def test_every_framework_needs_a_sourced_release_year(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    flask.first_release_year = None
    assert "framework flask: first_release_year is missing" in lint(dataset)


def test_a_benchmark_source_cannot_back_a_support_statement(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    slug = add_source(dataset, "a-suite", "https://bench.example/", SourceKind.benchmark_suite)
    first(flask, "routing").sources.append(slug)
    assert (
        "framework flask support.routing: a-suite is a benchmark-suite, which backs benchmarks only"
    ) in lint(dataset)


def test_no_statement_rests_only_on_sources_without_a_url(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    slug = add_source(dataset, "hearsay", None, SourceKind.documentation)
    first(flask, "routing").sources[:] = [slug]
    problems = lint(dataset)
    assert "framework flask support.routing: rests only on sources without a URL" in problems
    assert (
        "framework flask support.routing: needs a primary source (documentation, repository,"
        " changelog)"
    ) in problems


def test_mirrors_and_q_and_a_sites_are_never_sources(dataset: Dataset) -> None:
    add_source(dataset, "qa", "https://stackoverflow.com/questions/1", SourceKind.documentation)
    assert any(p.startswith("source qa: stackoverflow.com is a mirror") for p in lint(dataset))


def test_another_frameworks_site_backs_a_statement_only_through_based_on(
    dataset: Dataset,
) -> None:
    flask, django = framework(dataset, "flask"), framework(dataset, "django")
    first(flask, "routing").sources.append(first(django, "routing").sources[0])
    assert any(
        p.startswith("framework flask support.routing:") and "is django's site" in p
        for p in lint(dataset)
    )


def test_validate_fails_a_dataset_that_breaks_the_policy(tmp_path: Path) -> None:
    root = Path(shutil.copytree(SEED, tmp_path / "seed"))
    path = root / "frameworks" / "flask.yaml"
    text = path.read_text().replace("first_release_year: 2010", "first_release_year: null")
    path.write_text(text)
    result = CliRunner().invoke(app, ["validate", "--path", str(root)])
    assert result.exit_code == 1
    assert "framework flask: first_release_year is missing" in result.output


def test_official_extensions_are_among_the_via_packages(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    first(flask, "admin-panel").official_via.append("not-in-via")
    assert "framework flask support.admin-panel: official_via names a package not in via" in (
        lint(dataset)
    )


def test_a_package_index_source_backs_packaging_facts_only(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    slug = add_source(dataset, "package-index-flask-x", None, SourceKind.documentation)
    flask.attribute_sources["classification"] = [slug]
    first(flask, "routing").sources.append(slug)
    problems = lint(dataset)
    assert f"framework flask attribute classification: {slug} backs packaging only" in problems
    assert f"framework flask support.routing: {slug} backs packaging facts only, not support" in (
        problems
    )


def test_a_python_framework_lists_its_one_package_on_pypi(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    assert [(p.ecosystem.value, p.name) for p in flask.packages] == [("pypi", "flask")]


def test_packages_are_named_as_their_registry_names_them() -> None:
    from pydantic import ValidationError

    from app.catalogue.schemas import PackageRef

    for ecosystem, name in (
        ("npm", "@fastify/cors"),
        ("go", "github.com/gin-gonic/gin"),
        ("go", "net/http"),
        ("crates", "actix-web"),
        ("maven", "org.springframework.boot:spring-boot"),
        ("packagist", "laravel/framework"),
        ("hex", "phoenix_live_view"),
    ):
        assert PackageRef.model_validate({"ecosystem": ecosystem, "name": name}).name == name
    for ecosystem, name in (("npm", "Express"), ("crates", "1actix"), ("maven", "spring")):
        with pytest.raises(ValidationError, match=f"is not .*\\({ecosystem}\\)"):
            PackageRef.model_validate({"ecosystem": ecosystem, "name": name})


def test_package_must_be_the_first_of_packages() -> None:
    with pytest.raises(ValueError, match="package 'koa-router' is not the first of packages"):
        FrameworkIn.model_validate(
            {
                "slug": "koa",
                "name": "Koa",
                "language": "javascript",
                "package": "koa-router",
                "packages": [{"ecosystem": "npm", "name": "koa"}],
            }
        )


def test_via_names_a_package_of_the_frameworks_own_ecosystem(dataset: Dataset) -> None:
    flask = framework(dataset, "flask")
    first(flask, "cors").via.append("@fastify/cors")  # an npm name is no PyPI project
    assert any(
        p.startswith("framework flask support.cors: via '@fastify/cors' is not a PEP 508")
        for p in lint(dataset)
    )


def test_static_typing_agrees_with_what_the_registry_says(dataset: Dataset) -> None:
    express = framework(dataset, "express")
    assert express.typed is False  # from the npm manifest and tarball
    first(express, "static-typing").level = SupportLevel.built_in
    assert any(
        p.startswith("framework express support.static-typing: built_in, but the package on npm")
        for p in lint(dataset)
    )


def test_a_language_may_leave_at_most_a_tenth_of_its_cells_unknown(dataset: Dataset) -> None:
    assert not [p for p in lint(dataset) if p.startswith("language ")]
    koa = framework(dataset, "koa")
    cells = sum(len(dataset.features) for f in dataset.frameworks if f.language == "javascript")
    for feature in list(koa.support)[: cells // 10 + 1]:
        del koa.support[feature]
    assert any(p.startswith("language javascript:") and "over 10%" in p for p in lint(dataset))
