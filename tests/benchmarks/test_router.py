"""Benchmarks through the API, on the seed data."""

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from sqlmodel import Session

from app.benchmarks.importer import BenchmarkImportError, import_runs, read_runs
from app.db import current_version
from tests.conftest import SEED

SVG = "{http://www.w3.org/2000/svg}"


def test_json_summary_reconciles_both_articles_against_fastapi(client: Any) -> None:
    body = client.get("/api/v1/benchmarks/summary?test_type=json&baseline=fastapi").json()
    assert body["baseline"] == "fastapi"
    assert body["test_types_included"] == ["json", "unspecified"]
    by = {i["framework"]: i for i in body["items"]}
    for name in ("flask", "django"):
        assert by[name]["relative_speed"] == pytest.approx(0.3464, abs=1e-4)
        assert by[name]["sources"] == ["ai-study-room-comparison", "ngo-flask-fastapi-django"]
        assert by[name]["disagreement"] is True
        assert by[name]["runs"] == 2
    assert [r["ratio"] for r in by["flask"]["per_run"]] == [0.3, 0.4]
    assert by["fastapi"]["relative_speed"] == 1.0
    assert (by["fastapi"]["rps_min"], by["fastapi"]["rps_max"]) == (10000, 20000)


def test_without_unspecified_results_only_the_json_run_counts(client: Any) -> None:
    url = "/api/v1/benchmarks/summary?test_type=json&include_unspecified=false"
    body = client.get(url).json()
    flask = next(i for i in body["items"] if i["framework"] == "flask")
    assert flask["relative_speed"] == 0.4
    assert flask["disagreement"] is False
    assert body["baseline"] == "fastapi"  # the default: fastest


def test_results_keep_ranges_and_provenance(client: Any) -> None:
    items = client.get("/api/v1/benchmarks?framework=fastapi&limit=100").json()["items"]
    lower_bound = next(i for i in items if i["run"] == "ai-study-room-throughput")
    assert lower_bound["requests_per_second"] is None
    assert (lower_bound["rps_low"], lower_bound["rps_high"]) == (10000, None)
    assert lower_bound["approximate"]
    assert lower_bound["server"] == "uvicorn"
    assert lower_bound["source"] == "ai-study-room-comparison"
    ngo = next(i for i in items if i["run"] == "ngo-json-api")
    assert (ngo["requests_per_second"], ngo["latency_ms"], ngo["test_type"]) == (20000, 5, "json")


def test_results_sort_by_rps_with_keyset_pages(client: Any) -> None:
    seen, url = [], "/api/v1/benchmarks?sort=-rps&limit=4"
    while url:
        response = client.get(url)
        seen += [(i["framework"], i["run"]) for i in response.json()["items"]]
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else ""
    assert len(seen) == 6 == len(set(seen))
    assert seen[0] == ("fastapi", "ngo-json-api")
    assert seen[-1][0] == "flask"


def test_the_framework_detail_carries_its_summary(client: Any) -> None:
    (figure,) = client.get("/api/v1/frameworks/django").json()["benchmarks"]
    assert figure["test_type"] == "json"
    assert figure["baseline"] == "fastapi"
    assert figure["relative_speed"] == pytest.approx(0.3464, abs=1e-4)


@pytest.mark.parametrize(
    ("query", "pointer", "words"),
    [
        ("baseline=nope", "/query/baseline", "'nope'"),
        ("baseline=starlette", "/query/baseline", "no result in any run"),
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
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "0.35x (cited only; runs disagree)" in texts
    assert "1.00x (cited only)" in texts
    assert {"measured here", "cited", "range"} <= set(texts)  # the legend
    # Flask's two cited runs: a hollow diamond each, and no measured circle.
    assert len(root.findall(f".//{SVG}polygon")) >= 2
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
