"""Benchmarks through the API, on the seed data."""

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from sqlmodel import Session

from app.benchmarks.importer import BenchmarkImportError, import_runs, read_runs
from app.db import current_version
from tests.conftest import SEED

SVG = "{http://www.w3.org/2000/svg}"


MEASURED = "fwatlas-bench-2026-12-02-1354"  # the run shipped in seed/benchmarks.yaml


def best_measured(framework: str, test_type: str) -> float:
    """The shipped measured run's best figure over concurrencies, read from the seed file."""
    runs = yaml.safe_load((SEED / "benchmarks.yaml").read_text())["runs"]
    (run,) = [r for r in runs if r["slug"] == MEASURED]
    return max(
        float(r["requests_per_second"])
        for r in run["results"]
        if r["framework"] == framework and r["test_type"] == test_type
    )


def test_json_summary_reconciles_the_articles_with_the_measured_run(client: Any) -> None:
    body = client.get("/api/v1/benchmarks/summary?test_type=json&baseline=fastapi").json()
    assert body["baseline"] == "fastapi"
    assert body["test_types_included"] == ["json", "unspecified"]
    by = {i["framework"]: i for i in body["items"]}
    for name in ("flask", "django"):
        item = by[name]
        # The two articles: 0.30 and 0.40 of FastAPI, one each way round.
        assert item["cited_relative_speed"] == pytest.approx(0.3464, abs=1e-4)
        measured = best_measured(name, "json") / best_measured("fastapi", "json")
        assert item["measured_relative_speed"] == pytest.approx(measured, abs=1e-4)
        assert item["relative_speed"] == pytest.approx((0.3 * 0.4 * measured) ** (1 / 3), abs=1e-3)
        assert item["sources"] == ["ai-study-room-comparison", MEASURED, "ngo-flask-fastapi-django"]
        assert item["runs"] == 3
        assert item["disagreement"] is True
        cited = [r["ratio"] for r in item["per_run"] if not r["measured"]]
        assert item["cited_disagrees"] == any(
            max(c, measured) / min(c, measured) > body["disagreement_factor"] for c in cited
        )
        assert (item["ratio_low"], item["ratio_high"]) == (
            min([*cited, round(measured, 4)]),
            max([*cited, round(measured, 4)]),
        )
    assert [(r["ratio"], r["measured"]) for r in by["flask"]["per_run"] if not r["measured"]] == [
        (0.3, False),
        (0.4, False),
    ]
    assert by["fastapi"]["relative_speed"] == 1.0
    # Frameworks only this project measured have no cited figure to contradict.
    starlette = by["starlette"]
    assert starlette["cited_relative_speed"] is None
    assert starlette["cited_disagrees"] is False
    assert starlette["measured_relative_speed"] == starlette["relative_speed"]


def test_without_unspecified_results_only_the_json_runs_count(client: Any) -> None:
    url = "/api/v1/benchmarks/summary?test_type=json&include_unspecified=false"
    body = client.get(url).json()
    flask = next(i for i in body["items"] if i["framework"] == "flask")
    assert flask["cited_relative_speed"] == 0.4
    assert [r["run"] for r in flask["per_run"]] == [MEASURED, "ngo-json-api"]
    assert body["baseline"] == "fastapi"  # the default: fastest in the most runs


def test_results_sort_by_rps_with_keyset_pages(client: Any) -> None:
    runs = yaml.safe_load((SEED / "benchmarks.yaml").read_text())["runs"]
    total = sum(len(r["results"]) for r in runs)
    seen, url = [], "/api/v1/benchmarks?sort=-rps&limit=100"
    rps = []
    while url:
        response = client.get(url)
        items = response.json()["items"]
        seen += [i["id"] for i in items]
        rps += [i["requests_per_second"] for i in items]
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else ""
    assert len(seen) == total == len(set(seen))
    figures = [r for r in rps if r is not None]
    assert figures == sorted(figures, reverse=True)


def test_the_framework_detail_carries_its_summary(client: Any) -> None:
    figures = {
        f["test_type"]: f for f in client.get("/api/v1/frameworks/django").json()["benchmarks"]
    }
    assert set(figures) == {"db", "fortune", "json", "plaintext", "query"}
    summary = client.get("/api/v1/benchmarks/summary?test_type=json").json()
    django = next(i for i in summary["items"] if i["framework"] == "django")
    assert figures["json"]["baseline"] == summary["baseline"]
    assert figures["json"]["relative_speed"] == django["relative_speed"]
    assert figures["json"]["runs"] == 3


@pytest.mark.parametrize(
    ("query", "pointer", "words"),
    [
        ("baseline=nope", "/query/baseline", "'nope'"),
        ("baseline=pylons", "/query/baseline", "no result in any run"),
        ("test_type=cpu", "/query/test_type", "json"),
        ("frameworks=flask,ghost", "/query/frameworks", "'ghost'"),
    ],
)
def test_bad_summary_input_is_named(client: Any, query: str, pointer: str, words: str) -> None:
    body = client.get(f"/api/v1/benchmarks/summary?{query}").json()
    assert body["status"] == 422
    assert body["errors"][0]["pointer"] == pointer
    assert words in body["errors"][0]["detail"]


def test_the_chart_is_valid_deterministic_accessible_svg(client: Any) -> None:
    url = "/api/v1/benchmarks/chart.svg?test_type=json&baseline=fastapi"
    first, second = client.get(url), client.get(url)
    assert first.headers["content-type"] == "image/svg+xml"
    assert first.content == second.content
    assert first.headers["etag"]
    root = ElementTree.fromstring(first.content)
    assert root.get("role") == "img"
    assert "Relative speed" in (root.findtext(f"{SVG}title") or "")
    summary = client.get("/api/v1/benchmarks/summary?test_type=json&baseline=fastapi").json()
    items = [i for i in summary["items"] if i["relative_speed"] is not None]
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == len(items)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    flask = next(i for i in items if i["framework"] == "flask")
    label = (
        f"{flask['relative_speed']:.2f}x (measured {flask['measured_relative_speed']:.2f}, "
        f"cited {flask['cited_relative_speed']:.2f}; "
        + ("they disagree" if flask["cited_disagrees"] else "runs disagree")
        + ")"
    )
    assert label in texts
    assert "1.00x (measured 1.00, cited 1.00)" in texts  # the baseline, in every run
    assert {"measured here", "cited", "range"} <= set(texts)  # the legend
    # A hollow diamond per cited ratio, a filled circle per measured one.
    runs = [r for i in items for r in i["per_run"]]
    assert len(root.findall(f".//{SVG}polygon")) == sum(not r["measured"] for r in runs) + 1
    assert len(root.findall(f".//{SVG}circle")) == sum(r["measured"] for r in runs) + 1
    assert "Relative speed (baseline = 1.0)" in texts
    assert "Framework" in texts


def test_import_is_idempotent_by_run_id(session: Session) -> None:
    runs = read_runs(SEED / "examples" / "techempower-style.json")
    first = import_runs(session, runs)
    assert first == current_version(session).version
    # The same file again changes nothing, not even the version.
    assert import_runs(session, read_runs(SEED / "examples" / "techempower-style.json")) is None
    assert current_version(session).version == first
    changed = [runs[0].model_copy(update={"title": "Retitled"}), *runs[1:]]
    assert import_runs(session, changed) == first + 1
    from sqlmodel import func, select

    from app.models import BenchmarkResult, BenchmarkRun

    run = session.exec(select(BenchmarkRun).where(BenchmarkRun.slug == runs[0].slug)).one()
    count = session.exec(
        select(func.count()).select_from(BenchmarkResult).where(BenchmarkResult.run_id == run.id)
    ).one()
    assert count == 2


def test_a_bad_csv_row_names_row_and_field(tmp_path: Path) -> None:
    text = (SEED / "examples" / "techempower-style.csv").read_text()
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace(",64,,4000,5000,", ",-3,,4000,5000,"))
    with pytest.raises(BenchmarkImportError) as caught:
        read_runs(bad)
    assert caught.value.problems == [
        "row 3: concurrency: Input should be greater than or equal to 1"
    ]


def test_an_import_naming_an_unknown_framework_writes_nothing(session: Session) -> None:
    runs = read_runs(SEED / "examples" / "techempower-style.json")
    runs[0].results[1].framework = "ghost"
    before = current_version(session).version
    with pytest.raises(BenchmarkImportError, match="problem"):
        import_runs(session, runs)
    assert current_version(session).version == before


def test_a_run_can_be_deleted(session: Session, client: Any) -> None:
    from app.benchmarks.importer import delete_run

    runs = read_runs(SEED / "examples" / "techempower-style.json")
    version = import_runs(session, runs)
    assert version is not None
    slug = runs[0].slug
    assert client.get(f"/api/v1/benchmarks?run={slug}").json()["total"] > 0
    assert delete_run(session, slug) == version + 1
    body = client.get(f"/api/v1/benchmarks?run={slug}").json()
    assert body["errors"][0]["pointer"] == "/query/run"
    with pytest.raises(BenchmarkImportError) as missing:
        delete_run(session, slug)
    assert missing.value.problems[0].startswith(f"no run has the id '{slug}'; runs: ")
