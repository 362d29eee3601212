"""`languages`: the languages a team accepts, a hard filter on every answer."""

from typing import Any

from app.enums import Language


def recommend(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def languages_of(client: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    url = "/api/v1/frameworks?limit=100"
    while url:
        page = client.get(url).json()
        found |= {f["slug"]: f["language"] for f in page["items"]}
        url = page["next_cursor"] and f"/api/v1/frameworks?limit=100&cursor={page['next_cursor']}"
    return found


def test_every_result_is_in_an_accepted_language_and_says_which(client: Any) -> None:
    language = languages_of(client)
    for accepted in (["python"], ["go", "rust"], ["javascript", "typescript"]):
        answer = recommend(client, {"languages": accepted, "limit": 50})
        assert answer["query"]["languages"] == accepted
        expected = {slug for slug, lang in language.items() if lang in accepted}
        assert {r["framework"] for r in answer["results"]} == expected
        for result in answer["results"]:
            assert result["language"] in accepted
            assert any("one of the languages the team accepts" in r for r in result["reasons"])
        refused = {e["framework"]: e["language"] for e in answer["excluded"]}
        assert refused == {s: lang for s, lang in language.items() if lang not in accepted}


def test_no_languages_ranks_every_language_and_excludes_none(client: Any) -> None:
    answer = recommend(client, {"limit": 50})
    assert answer["query"]["languages"] == []
    assert answer["excluded"] == []
    assert len(answer["results"]) == min(50, len(languages_of(client)))
    reasons = [r for result in answer["results"] for r in result["reasons"]]
    assert not any("languages the team accepts" in r for r in reasons)


def test_a_must_have_and_a_language_each_name_their_reason(client: Any) -> None:
    answer = recommend(client, {"languages": ["elixir"], "must_have": ["admin-panel"]})
    django = next(e for e in answer["excluded"] if e["framework"] == "django")
    assert django == {"framework": "django", "lacking": [], "language": "python"}
    bottle = next(e for e in answer["excluded"] if e["framework"] == "bottle")
    assert bottle["language"] == "python"
    assert "admin-panel" in bottle["lacking"]


def test_the_get_takes_a_comma_list_or_repeats_with_the_same_bytes(client: Any) -> None:
    comma = client.get("/api/v1/recommendations?languages=go,rust&limit=3")
    repeated = client.get("/api/v1/recommendations?languages=go&languages=rust&limit=3")
    assert comma.status_code == 200, comma.text
    assert comma.content == repeated.content
    assert comma.json()["query"]["languages"] == ["go", "rust"]


def test_a_language_outside_the_vocabulary_is_named(client: Any) -> None:
    body = client.post("/api/v1/recommendations", json={"languages": ["cobol"]}).json()
    assert body["status"] == 422
    assert [e["pointer"] for e in body["errors"]] == ["/body/languages/0"]
    query = client.get("/api/v1/recommendations?languages=cobol").json()
    assert [e["pointer"] for e in query["errors"]] == ["/query/languages/0"]
    assert all(lang.value in query["errors"][0]["detail"] for lang in Language)
