"""The catalogue as a user reads it: frameworks, features, sources, use cases, meta, export."""

from typing import Any

from app.enums import SupportLevel
from tests.conftest import SEED, features_in


def support_of(detail: dict[str, Any], feature: str) -> dict[str, Any]:
    (row,) = [s for s in detail["support"] if s["feature"] == feature]
    return row["statements"][0]  # type: ignore[no-any-return]


def test_django_comes_whole_with_admin_orm_and_the_articles_as_sources(client: Any) -> None:
    body = client.get("/api/v1/frameworks/django").json()
    assert body["name"] == "Django"
    assert body["classification"] == "full-stack"
    assert body["first_release_year"] == 2005
    assert body["learning_curve"] == "steep"
    assert support_of(body, "admin-panel")["level"] == "built_in"
    assert support_of(body, "orm")["level"] == "built_in"
    cited = {s["slug"] for s in body["sources"]}
    assert {"ai-study-room-comparison", "ngo-flask-fastapi-django"} <= cited
    # The year rests on Django's own FAQ; the seed article that also gives it stays cited.
    assert body["attribute_sources"]["first_release_year"] == [
        "django-docs-faq-general-src",
        "ngo-flask-fastapi-django",
    ]
    assert {"Instagram", "Mozilla", "The Washington Post"} <= {a["name"] for a in body["adopters"]}
    assert any(p["text"] == "Security First" for p in body["pros"])
    assert any(c["text"] == "Steep learning curve compared to Flask" for c in body["cons"])


def test_every_source_cited_in_a_detail_is_listed_in_it(client: Any) -> None:
    body = client.get("/api/v1/frameworks/flask").json()
    listed = {s["slug"] for s in body["sources"]}
    cited: set[str] = set()
    for group in ("facts", "pros", "cons", "verdicts", "use_cases", "adopters"):
        for item in body[group]:
            cited.update(item["sources"])
    for row in body["support"]:
        for st in row["statements"]:
            cited.update(st["sources"])
    for slugs in body["attribute_sources"].values():
        cited.update(slugs)
    assert cited == listed


def test_both_articles_disagreements_are_kept_side_by_side(client: Any) -> None:
    facts = client.get("/api/v1/frameworks/flask").json()["facts"]
    async_support = {f["value"]: f["sources"] for f in facts if f["aspect"] == "async_support"}
    assert async_support == {
        "Limited": ["ai-study-room-comparison"],
        "Limited (via extensions)": ["ngo-flask-fastapi-django"],
    }


def test_the_detail_has_a_statement_for_every_feature(client: Any) -> None:
    body = client.get("/api/v1/frameworks/fastapi").json()
    features = client.get("/api/v1/features?limit=100").json()
    assert [s["feature"] for s in body["support"]] == [f["slug"] for f in features["items"]]
    assert sum(body["support_totals"].values()) == features["total"]
    assert set(body["support_totals"]) == {level.value for level in SupportLevel}


def test_list_filters_combine(client: Any) -> None:
    def slugs(query: str) -> list[str]:
        response = client.get(f"/api/v1/frameworks?{query}&limit=100")
        assert response.status_code == 200, response.text
        return [f["slug"] for f in response.json()["items"]]

    assert "django" in slugs("supports=admin-panel")
    assert "flask" not in slugs("classification=full-stack")
    assert "django" in slugs("q=batteries")
    assert "flask" not in slugs("q=batteries")
    assert set(slugs("use_case=cms")) >= {"django"}
    assert "fastapi" not in slugs("use_case=cms")
    assert "fastapi" in slugs("interface=asgi")
    assert "fastapi" in slugs("license=MIT")
    assert "django" not in slugs("license=MIT")
    assert slugs("classification=micro&interface=asgi&language=elixir") == []
    assert set(slugs("language=python")) >= {"django", "flask", "fastapi"}


def test_a_language_outside_the_vocabulary_is_named(client: Any) -> None:
    body = client.get("/api/v1/frameworks?language=cobol").json()
    assert body["status"] == 422
    assert [e["pointer"] for e in body["errors"]] == ["/query/language/0"]
    assert "'go'" in body["errors"][0]["detail"]
    assert "'elixir'" in body["errors"][0]["detail"]


def test_unknown_licence_and_use_case_are_named(client: Any) -> None:
    for query, pointer in (
        ("license=WTFPL-9", "/query/license"),
        ("use_case=time-travel", "/query/use_case"),
    ):
        body = client.get(f"/api/v1/frameworks?{query}").json()
        assert body["status"] == 422
        assert body["errors"][0]["pointer"] == pointer


def test_keyset_paging_walks_every_framework_once(client: Any) -> None:
    total = client.get("/api/v1/frameworks").json()["total"]
    for sort in ("name", "-name", "first_release_year", "-first_release_year", "slug"):
        seen: list[str] = []
        url = f"/api/v1/frameworks?limit=2&sort={sort}"
        while url:
            response = client.get(url)
            page = response.json()
            assert page["total"] == total
            seen += [f["slug"] for f in page["items"]]
            link = response.headers.get("link")
            assert (link is None) == (page["next_cursor"] is None)
            url = link.split(">")[0].lstrip("<") if link else ""
        assert len(seen) == total == len(set(seen)), sort


def test_sort_by_release_year(client: Any) -> None:
    items = client.get("/api/v1/frameworks?sort=-first_release_year&limit=100").json()["items"]
    years = [f["first_release_year"] or 0 for f in items]
    assert years == sorted(years, reverse=True)
    assert [f["slug"] for f in items if f["slug"] in ("django", "flask", "fastapi")] == [
        "fastapi",
        "flask",
        "django",
    ]


def test_facets_count_the_current_filter(client: Any) -> None:
    body = client.get("/api/v1/frameworks?license=MIT").json()
    assert sum(body["facets"]["license"].values()) == body["total"]
    assert set(body["facets"]["license"]) == {"MIT"}
    assert set(body["facets"]) == {
        "language",
        "classification",
        "interface",
        "concurrency_model",
        "license",
        "lifecycle",
    }


def test_feature_detail_shows_every_framework(client: Any) -> None:
    body = client.get("/api/v1/features/admin-panel").json()
    frameworks = client.get("/api/v1/frameworks").json()["total"]
    assert body["category"] == "data"
    assert len(body["support"]) == frameworks
    by_fw = {s["framework"]: s["statements"][0] for s in body["support"]}
    assert by_fw["django"]["level"] == "built_in"
    assert by_fw["flask"]["level"] == "extension"
    assert "Flask-Admin" in by_fw["flask"]["via"]
    assert sum(body["totals"].values()) == frameworks


def test_features_filter_by_category(client: Any) -> None:
    items = client.get("/api/v1/features?category=realtime").json()["items"]
    assert {f["slug"] for f in items} == set(features_in("realtime"))
    assert {"websockets", "server-sent-events", "grpc"} <= {f["slug"] for f in items}
    sse = next(f for f in items if f["slug"] == "server-sent-events")
    assert sse["parent"] == "streaming-responses"


def test_source_detail_says_what_it_backs(client: Any) -> None:
    body = client.get("/api/v1/sources/ngo-flask-fastapi-django").json()
    assert body["author"] == "Duong Ngo"
    assert body["kind"] == "article"
    assert body["cited_by"]["frameworks"] == ["django", "fastapi", "flask"]
    assert body["cited_by"]["benchmark_runs"] == ["ngo-json-api"]
    assert body["cited_by"]["migration_considerations"] == 13


def test_use_case_preset_lists_the_decision_rules(client: Any) -> None:
    body = client.get("/api/v1/use-cases/cms").json()
    assert body["must_have"] == ["admin-panel", "authentication"]
    rules = [f for f in body["frameworks"] if f["kind"] == "decision_rule"]
    assert {
        "framework": "django",
        "kind": "decision_rule",
        "text": "Need an admin panel and authentication out of the box",
        "sources": ["ngo-flask-fastapi-django"],
    } in rules


def test_meta_counts_the_dataset(client: Any) -> None:
    body = client.get("/api/v1/meta").json()
    counts = body["counts"]
    assert body["dataset_version"] >= 1
    assert body["data_licence"] == "CC-BY-4.0"
    assert counts["frameworks"] == client.get("/api/v1/frameworks").json()["total"]
    # Every row of the seed files, counted from the files themselves.
    from app.seed.load import read_dataset

    seed = read_dataset(SEED)
    assert counts["features"] == len(seed.features)
    assert counts["migration_paths"] == len(seed.migrations)
    assert counts["benchmark_runs"] == len(seed.runs)
    assert counts["benchmark_results"] == sum(len(r.results) for r in seed.runs)


def test_export_loads_back_into_the_same_dataset(client: Any) -> None:
    from app.seed.load import content_hash, read_dataset
    from app.seed.schema import Dataset
    from tests.conftest import SEED

    exported = Dataset.model_validate(client.get("/api/v1/export").json())
    assert content_hash(exported) == content_hash(read_dataset(SEED))
