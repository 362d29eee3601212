"""Pages over the catalogue: the home page's search and facets, a framework, a source."""

import difflib
from typing import Any

from starlette.requests import Request

from app.enums import Classification, ConcurrencyModel, Interface, Language
from app.explorer.client import Api, Params, Problem, api_url
from app.explorer.params import SLUG, listed, single
from app.explorer.render import Page

FACETS = ("language", "classification", "interface", "concurrency_model", "license", "supports")
MAINTENANCE = (
    ("releases_last_12_months", "Releases in the last 12 months"),
    ("median_days_between_releases", "Median days between releases"),
    ("last_release_age_days", "Days since the last release"),
    ("maintainers", "Maintainers"),
    ("requires_python", "Requires Python"),
)


async def features_by_category(api: Api) -> list[dict[str, Any]]:
    """Categories in the API's order, each with its features, for grouped choices."""
    categories = await api.get("/api/v1/feature-categories")
    features = await api.all_items("/api/v1/features")
    groups = [
        {**c, "features": [f for f in features if f["category"] == c["slug"]]} for c in categories
    ]
    return [g for g in groups if g["features"]]


async def home(api: Api, request: Request) -> Page:
    chosen = {name: listed(request, name) for name in FACETS}
    q = single(request, "q")
    view = "table" if request.query_params.get("view") == "table" else "cards"
    params: dict[str, str | list[str]] = {k: v for k, v in chosen.items() if v}
    if q:
        params["q"] = q
    cursor = single(request, "cursor")
    query: Params = {**params, "limit": "100"} | ({"cursor": cursor} if cursor else {})
    found = await api.get("/api/v1/frameworks", query)
    everything = await api.get("/api/v1/frameworks", {"limit": "1"})
    facets = {
        "language": _counted(found, everything, "language", list(Language)),
        "classification": _counted(found, everything, "classification", list(Classification)),
        "interface": _counted(found, everything, "interface", list(Interface)),
        "concurrency_model": _counted(
            found, everything, "concurrency_model", list(ConcurrencyModel)
        ),
        "license": _counted(found, everything, "license", []),
    }
    next_url = None
    if found.get("next_cursor"):
        next_url = api_url("/", {**params, "view": view, "cursor": found["next_cursor"]})
    return Page(
        "home.html",
        {
            "found": found,
            "q": q or "",
            "chosen": chosen,
            "facets": facets,
            "feature_groups": await features_by_category(api),
            "view": view,
            "next_url": next_url,
            "table_url": api_url("/", {**params, "view": "table"}),
            "cards_url": api_url("/", {**params, "view": "cards"}),
            "json_url": api_url("/api/v1/frameworks", query),
            "filtered": bool(params),
        },
    )


def _counted(
    found: dict[str, Any], everything: dict[str, Any], facet: str, known: list[str]
) -> list[tuple[str, int]]:
    """Every value the dataset has (or the vocabulary names), with its count among the
    frameworks found, as the API counts them."""
    counts: dict[str, int] = found.get("facets", {}).get(facet, {})
    values = [str(v) for v in known]
    values += [v for v in everything.get("facets", {}).get(facet, {}) if v not in values]
    return [(v, counts.get(v, 0)) for v in values if v != "unknown"]


async def _close_to(api: Api, problem: Problem, collection: str, slug: str) -> Problem:
    """The API's did-you-mean suggestions, or the closest slugs it lists when it gives none."""
    if problem.status != 404 or problem.suggestions:
        return problem
    slugs = [item["slug"] for item in await api.all_items(collection)]
    suggestions = difflib.get_close_matches(slug.lower(), slugs, n=3, cutoff=0.6)
    return Problem(404, {**problem.body, "suggestions": suggestions})


async def _read_one(api: Api, collection: str, kind: str, slug: str) -> Any:
    """One item by slug; a slug no item could have (`Django`) is a miss like any other."""
    try:
        if not SLUG.match(slug):
            raise Problem(404, {"detail": f"No {kind} has the slug {slug!r}."})
        return await api.get(f"{collection}/{slug}")
    except Problem as problem:
        raise await _close_to(api, problem, collection, slug) from None


async def framework(api: Api, request: Request) -> Page:
    slug = request.url.path.removeprefix("/frameworks/")
    detail = await _read_one(api, "/api/v1/frameworks", "framework", slug)
    categories = await api.get("/api/v1/feature-categories")
    names = {c["slug"]: c["name"] for c in categories}
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in detail["support"]:
        groups.setdefault(row["category"], []).append(row)
    ordered = [(c["slug"], names[c["slug"]]) for c in categories if c["slug"] in groups]
    ordered += [(slug, slug) for slug in groups if slug not in names]
    sources = {s["slug"]: s for s in detail["sources"]}
    return Page(
        "framework.html",
        {
            "f": detail,
            "support_groups": [(name, groups[cat]) for cat, name in ordered],
            "sources": sources,
            "maintenance": [(label, detail.get(key)) for key, label in MAINTENANCE],
            "json_url": f"/api/v1/frameworks/{slug}",
        },
    )


async def source(api: Api, request: Request) -> Page:
    slug = request.url.path.removeprefix("/sources/")
    found = await _read_one(api, "/api/v1/sources", "source", slug)
    frameworks = {f["slug"]: f["name"] for f in await api.all_items("/api/v1/frameworks")}
    return Page(
        "source.html", {"s": found, "names": frameworks, "json_url": f"/api/v1/sources/{slug}"}
    )
