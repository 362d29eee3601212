"""Maintenance signals: recorded from a fake index, shown sourced in detail and compare,
aged at read time, and scored by the `maintenance` criterion."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.catalogue.schemas import FrameworkSummary
from app.recommendations import scoring
from app.recommendations.scoring import FrameworkFacts, Maintenance, Query
from app.sync.pypi import parse
from tests.conftest import SEED

RECORDED = json.loads((Path(__file__).parent / "sync" / "recorded" / "flask.json").read_text())
TODAY = date(2026, 11, 21)
INDEX = {
    e["framework"]: e for e in yaml.safe_load((SEED / "package_index.yaml").read_text())["entries"]
}


def answer(**extra: Any) -> dict[str, Any]:
    return {**RECORDED, **extra}


def test_the_index_answer_gives_every_signal() -> None:
    entry = parse(
        "flask",
        "flask",
        answer(
            ownership={
                "organization": None,
                "roles": [
                    {"role": "Owner", "user": "a"},
                    {"role": "Maintainer", "user": "b"},
                    {"role": "Owner", "user": "a"},
                ],
            },
            vulnerabilities=[
                {"id": "PYSEC-1", "aliases": ["CVE-1"], "fixed_in": ["3.1.4"], "link": "x"}
            ],
        ),
        TODAY,
    )
    assert entry.maintainers == 2
    assert entry.typed is True  # `Typing :: Typed` is among the recorded classifiers
    assert [v.id for v in entry.vulnerabilities or []] == ["PYSEC-1"]
    assert entry.releases_last_12_months == 1  # 3.1.3 on 2026-02-19; the rest are older
    assert entry.median_days_between_releases is not None
    assert entry.median_days_between_releases > 0


def test_what_the_index_does_not_give_is_null() -> None:
    entry = parse("flask", "flask", RECORDED, TODAY)  # no ownership, no vulnerabilities
    assert entry.maintainers is None
    assert entry.vulnerabilities is None
    assert entry.requires_python is None  # the recorded answer has none
    held = answer(ownership={"organization": "pallets", "roles": []}, vulnerabilities=[])
    entry = parse("flask", "flask", held, TODAY)
    assert entry.maintainers is None  # an organization holds it; how many people is unknown
    assert entry.vulnerabilities == []  # none listed is a finding, not unknown


def test_the_last_release_age_is_worked_out_from_today() -> None:
    today = datetime.now(UTC).date()
    fw = FrameworkSummary(
        slug="x", name="X", language="python", latest_release_date=today - timedelta(days=10)
    )
    assert fw.last_release_age_days == 10
    assert FrameworkSummary(slug="y", name="Y", language="python").last_release_age_days is None


def test_detail_shows_the_signals_with_their_source_and_day(client: Any) -> None:
    body = client.get("/api/v1/frameworks/tornado").json()
    shipped = INDEX["tornado"]
    assert body["releases_last_12_months"] == shipped["releases_last_12_months"]
    assert body["maintainers"] == shipped["maintainers"]
    assert body["requires_python"] == shipped["requires_python"]
    assert body["typed"] == shipped["typed"]
    assert body["vulnerabilities"] == shipped["vulnerabilities"]
    released = date.fromisoformat(shipped["latest_release_date"])
    assert body["last_release_age_days"] == (datetime.now(UTC).date() - released).days
    for name in ("releases_last_12_months", "maintainers", "requires_python", "vulnerabilities"):
        assert body["attribute_sources"][name] == ["package-index-tornado"]
    (source,) = [s for s in body["sources"] if s["slug"] == "package-index-tornado"]
    assert source["retrieved"] == shipped["retrieved"]


def test_detail_and_compare_show_null_where_the_index_gives_nothing(
    client: Any, session: Any
) -> None:
    from sqlmodel import select

    from app.models import Framework

    tornado = session.exec(select(Framework).where(Framework.slug == "tornado")).one()
    tornado.requires_python = None
    session.add(tornado)
    session.flush()
    body = client.get("/api/v1/frameworks/tornado").json()
    assert body["requires_python"] is None
    rows = client.get("/api/v1/compare?frameworks=tornado,aiohttp").json()["attributes"]
    (row,) = [r for r in rows if r["key"] == "maintenance:requires_python"]
    assert row["values"]["tornado"] == {"value": None, "sources": [], "retrieved": None}


def test_compare_has_a_sourced_dated_row_per_signal(client: Any) -> None:
    rows = client.get("/api/v1/compare?frameworks=tornado,aiohttp").json()["attributes"]
    keys = {r["key"]: r for r in rows}
    for name in (
        "releases_last_12_months",
        "median_days_between_releases",
        "last_release_age_days",
        "maintainers",
        "requires_python",
        "typed",
        "vulnerabilities",
    ):
        assert f"maintenance:{name}" in keys
    cell = keys["maintenance:maintainers"]["values"]["aiohttp"]
    assert cell["value"] == str(INDEX["aiohttp"]["maintainers"])
    assert cell["sources"] == ["package-index-aiohttp"]
    assert cell["retrieved"] == INDEX["aiohttp"]["retrieved"]


def facts(slug: str, maintenance: Maintenance | None) -> FrameworkFacts:
    return FrameworkFacts(
        slug=slug,
        name=slug.title(),
        classification=None,
        learning_curve=None,
        lifecycle="active",
        lifecycle_note=None,
        support={},
        attribute_sources={"maintainers": (f"package-index-{slug}",)},
        maintenance=maintenance,
    )


def test_the_maintenance_criterion_ranks_the_kept_up_framework_first() -> None:
    recent = datetime.now(UTC).date() - timedelta(days=30)
    kept_up = Maintenance(
        releases_last_12_months=6, latest_release_date=recent, maintainers=3, vulnerabilities=0
    )
    stale = Maintenance(
        releases_last_12_months=0,
        latest_release_date=recent - timedelta(days=1500),
        maintainers=1,
        vulnerabilities=2,
    )
    # "aaa" would win a tie by slug; the signals decide instead.
    frameworks = [facts("aaa", stale), facts("zzz", kept_up)]
    ranked, _ = scoring.rank(frameworks, Query(weights={"maintenance": 5}))
    assert [r.framework.slug for r in ranked] == ["zzz", "aaa"]
    (part,) = ranked[0].parts
    assert part.criterion == "maintenance"
    assert part.score == 1.0
    assert ranked[1].parts[0].score == round((0 + 0.1 + 0.5 + 0) / 4, 4)
    explained = {e.fact: e.sources for e in part.evidence}
    assert explained["package owners and maintainers: 3"] == ("package-index-zzz",)
    assert "releases in the last 12 months: 6" in explained


def test_no_signals_is_neutral_and_says_so() -> None:
    score, evidence = scoring.criterion_score(facts("x", None), "maintenance", Query(weights={}), 0)
    assert score == scoring.UNKNOWN_SCORE
    assert evidence[0].fact == "no maintenance signals from the package index"


def test_the_api_explains_maintenance_from_sourced_signals(client: Any) -> None:
    body = client.post(
        "/api/v1/recommendations", json={"priorities": {"maintenance": 5}, "limit": 30}
    ).json()
    assert body["weights"]["maintenance"] == 5
    for result in body["results"]:
        (part,) = [b for b in result["breakdown"] if b["criterion"] == "maintenance"]
        assert part["evidence"]
    fastapi = next(r for r in body["results"] if r["framework"] == "fastapi")
    (part,) = [b for b in fastapi["breakdown"] if b["criterion"] == "maintenance"]
    assert any("package-index-fastapi" in e["sources"] for e in part["evidence"])


def test_no_signals_and_listed_advisories_are_caveats() -> None:
    from app.recommendations.service import _caveats

    weights = {"maintenance": 3}
    q = Query(weights=weights)
    unknown = scoring.score_framework(facts("x", None), q, 0)
    assert any("No maintenance signals" in c.text for c in _caveats(unknown, weights))
    flagged = scoring.score_framework(facts("y", Maintenance(vulnerabilities=2)), q, 0)
    assert any("lists 2 advisory" in c.text for c in _caveats(flagged, weights))
    assert not any("advisory" in c.text for c in _caveats(unknown, {"maintenance": 0}))
