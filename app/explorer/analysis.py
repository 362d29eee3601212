"""Pages over what the API derives: comparison, matrix, benchmarks, recommendations."""

from typing import Any

from starlette.requests import Request

from app.enums import Language, TeamExperience, TestType
from app.explorer.catalogue import features_by_category
from app.explorer.charts import benchmark_chart, score_bars
from app.explorer.client import Api, Problem, api_url
from app.explorer.params import listed, single
from app.explorer.render import CRITERIA, Page

COMPARE_MAX = 10


async def framework_names(api: Api) -> dict[str, str]:
    return {f["slug"]: f["name"] for f in await api.all_items("/api/v1/frameworks")}


def differing_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: not row["differs"])


async def compare(api: Api, request: Request) -> Page:
    slugs = listed(request, "frameworks")
    slugs += [s for s in listed(request, "add") if s not in slugs]
    names = await framework_names(api)
    context: dict[str, Any] = {
        "slugs": slugs,
        "names": names,
        "data": None,
        "error": None,
        "remove_urls": {
            s: api_url("/compare", {"frameworks": ",".join(x for x in slugs if x != s)})
            for s in slugs
        },
        "max": COMPARE_MAX,
    }
    if len(slugs) < 2:
        return Page("compare.html", context)
    params = {"frameworks": ",".join(slugs)}
    try:
        data = await api.get("/api/v1/compare", params)
    except Problem as problem:
        if problem.status not in (400, 422):
            raise
        errors = problem.body.get("errors") or [{"detail": problem.detail}]
        context["error"] = "; ".join(str(e.get("detail")) for e in errors)
        return Page("compare.html", context, status=400)
    context["data"] = data
    context["attributes"] = differing_first(data["attributes"])
    context["rows"] = differing_first(data["matrix"]["rows"])
    context["json_url"] = api_url("/api/v1/compare", params)
    return Page("compare.html", context)


async def matrix(api: Api, request: Request) -> Page:
    chosen = listed(request, "frameworks")
    categories = listed(request, "category")
    params = {k: ",".join(v) for k, v in (("frameworks", chosen), ("category", categories)) if v}
    data = await api.get("/api/v1/matrix", params)
    all_categories = await api.get("/api/v1/feature-categories")
    names = {c["slug"]: c["name"] for c in all_categories}
    groups: list[tuple[str, str, list[dict[str, Any]]]] = []
    for row in data["rows"]:
        if not groups or groups[-1][0] != row["category"]:
            groups.append((row["category"], names.get(row["category"], row["category"]), []))
        groups[-1][2].append(row)
    return Page(
        "matrix.html",
        {
            "data": data,
            "groups": groups,
            "categories": all_categories,
            "names": await framework_names(api),
            "chosen": chosen,
            "chosen_categories": categories,
            "json_url": api_url("/api/v1/matrix", params),
            "csv_url": api_url("/api/v1/matrix", {**params, "format": "csv"}),
        },
    )


async def benchmarks(api: Api, request: Request) -> Page:
    test_type = single(request, "test_type")
    params = {"test_type": test_type} if test_type else {}
    summary = await api.get("/api/v1/benchmarks/summary", params)
    results = await api.all_items("/api/v1/benchmarks", params)
    kinds: dict[str, dict[str, Any]] = {}
    for slug in sorted({r["source"] for r in results} | set(summary["sources"])):
        kinds[slug] = await api.get(f"/api/v1/sources/{slug}")
    runs: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        runs.setdefault(result["run"], []).append(result)
    return Page(
        "benchmarks.html",
        {
            "summary": summary,
            "chart": benchmark_chart(summary, {s: v["kind"] for s, v in kinds.items()}),
            "runs": runs,
            "sources": kinds,
            "names": await framework_names(api),
            "test_types": [t.value for t in TestType],
            "test_type": test_type,
            "json_url": api_url("/api/v1/benchmarks/summary", params),
            "results_url": api_url("/api/v1/benchmarks", params),
        },
    )


def _request(request: Request) -> tuple[dict[str, Any], bool]:
    """The recommendation the URL asks for, as the API's fields, and whether it needs the
    POST form (a list the form emptied cannot be written as a GET query)."""
    query = request.query_params
    use_case = single(request, "use_case")
    # `basis` is the preset the form was drawn for: when the preset changed, the form's
    # other fields were the old preset's and give way to the new one's.
    basis = query.get("basis")
    from_form = basis is not None
    keep_fields = not from_form or basis == (use_case or "")
    body: dict[str, Any] = {}
    if use_case:
        body["use_case"] = use_case
    explicit_empty = False
    if keep_fields:
        for name in ("must_have", "nice_to_have"):
            values = listed(request, name)
            if values:
                body[name] = values
            elif from_form and use_case:
                body[name] = []
                explicit_empty = True
        weights = {c: query[c] for c in CRITERIA if query.get(c, "").isdigit()}
        if weights:
            body["priorities"] = {c: int(w) for c, w in weights.items()}
    languages = listed(request, "languages")
    if languages:
        body["languages"] = languages
    experience = single(request, "team_experience")
    if experience:
        body["team_experience"] = experience
    if from_form:
        body["allow_extensions"] = "allow_extensions" in query
    elif query.get("allow_extensions", "").lower() in ("false", "0", "no"):
        body["allow_extensions"] = False
    limit = single(request, "limit")
    if limit and limit.isdigit():
        body["limit"] = int(limit)
    return body, explicit_empty


def _as_query(body: dict[str, Any]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in body.items():
        if isinstance(value, list):
            if value:
                params[name] = ",".join(value)
        elif isinstance(value, dict):
            params[name] = ",".join(f"{c}:{w}" for c, w in value.items())
        elif isinstance(value, bool):
            params[name] = "true" if value else "false"
        else:
            params[name] = str(value)
    return params


def sensitivity_sentence(sensitivity: dict[str, Any], names: dict[str, str]) -> str:
    winner = names.get(sensitivity.get("winner") or "", sensitivity.get("winner") or "")
    changes = sensitivity.get("smallest_changes") or []
    if not winner:
        return "No framework meets every must-have, so there is no top pick to change."
    if not changes:
        return f"{winner} stays the top pick under every single change the API tries."
    phrases = []
    for c in changes:
        new = names.get(c["new_winner"], c["new_winner"])
        if c["kind"] == "weight":
            label = CRITERIA.get(c["criterion"], c["criterion"]).lower()
            phrases.append(
                f"moving the {label} weight from {c['from_weight']} to {c['to_weight']} "
                f"would make {new} the top pick"
            )
        else:
            phrases.append(f"dropping the must-have {c['feature']} would make {new} the top pick")
    return f"{winner} is the top pick; " + "; or ".join(phrases) + "."


async def recommend(api: Api, request: Request) -> Page:
    body, needs_post = _request(request)
    query = _as_query(body)
    if needs_post:
        answer = await api.post("/api/v1/recommendations", body)
    else:
        answer = await api.get("/api/v1/recommendations", query)
    names = await framework_names(api)
    use_cases = await api.all_items("/api/v1/use-cases")
    effective = answer["query"]
    return Page(
        "recommend.html",
        {
            "answer": answer,
            "effective": effective,
            "use_cases": use_cases,
            "feature_groups": await features_by_category(api),
            "experiences": [e.value for e in TeamExperience],
            "languages": [lang.value for lang in Language],
            "names": names,
            "bars": {r["framework"]: score_bars(r["breakdown"]) for r in answer["results"]},
            "sensitivity": sensitivity_sentence(answer["sensitivity"], names),
            "json_url": api_url("/api/v1/recommendations", query),
            "post_body": body if needs_post else None,
        },
    )
