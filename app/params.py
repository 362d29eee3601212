"""Query-parameter conventions every operation keeps: one list type, no unknown names.

A list parameter is declared once, as `ListParam[T]`: it accepts `x=a,b` and `x=a&x=b`
alike. Which parameters are lists is read back from those declarations (never a second,
hand-kept table) by the response cache's key, the `Link` header and the OpenAPI note.
"""

import re
from typing import Annotated, Any, TypeVar, get_args
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Path, Query, Request
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BeforeValidator

from app.errors import AppError, ProblemError, Redirect, closest, did_you_mean
from app.types import SLUG_PATTERN

T = TypeVar("T")

LIST_NOTE = "A list: comma-separated (`x=a,b`) or repeated (`x=a&x=b`), the same answer."


def _split_commas(value: object) -> object:
    """`a,b` and `?x=a&x=b` alike, order kept. An empty part stays, to fail validation:
    a value the schema does not allow is never silently dropped."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [part for item in value for part in str(item).split(",")]
    return value


# The one marker: a query parameter carrying it is a list, wherever it is declared.
COMMA_OR_REPEATED = BeforeValidator(_split_commas)

ListParam = Annotated[list[T], COMMA_OR_REPEATED]
SlugItem = Annotated[str, Query(pattern=SLUG_PATTERN, max_length=80)]
SlugList = ListParam[SlugItem]


def _query_fields(route: APIRoute) -> list[Any]:
    fields: list[Any] = []
    dependants = [route.dependant]
    while dependants:
        current = dependants.pop()
        fields.extend(current.query_params)
        dependants.extend(current.dependencies)
    return fields


def _is_list(field: Any) -> bool:
    """Declared with `ListParam`, directly or inside an optional."""
    if COMMA_OR_REPEATED in field.field_info.metadata:
        return True
    return any(
        COMMA_OR_REPEATED in getattr(arg, "__metadata__", ())
        for arg in get_args(field.field_info.annotation)
    )


def list_names(route: APIRoute) -> frozenset[str]:
    """The names of the route's list parameters, as a client spells them (kept on the
    route: it is made once, and APIRoute is not hashable)."""
    names: frozenset[str] | None = getattr(route, "_fwatlas_lists", None)
    if names is None:
        names = frozenset(f.alias for f in _query_fields(route) if _is_list(f))
        route._fwatlas_lists = names  # type: ignore[attr-defined]
    return names


def accepted_names(route: APIRoute) -> frozenset[str]:
    names: frozenset[str] | None = getattr(route, "_fwatlas_accepted", None)
    if names is None:
        names = frozenset(f.alias for f in _query_fields(route))
        route._fwatlas_accepted = names  # type: ignore[attr-defined]
    return names


def list_parameters(app: FastAPI) -> dict[str, frozenset[str]]:
    """Path -> its list parameters, for every GET route that has any (read once, at start)."""
    table: dict[str, frozenset[str]] = {}
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path_format or ""
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()):
            names = list_names(route)
            if names:
                if "{" in path:
                    # A templated path would need matching on every request: none has lists.
                    raise ValueError(f"{path}: list parameters need a fixed path")
                table[path] = names
    return table


def canonical_query(query: bytes | str, lists: frozenset[str] = frozenset()) -> str:
    """One spelling per meaning: names sorted (repeated values keep their order, which
    can matter), and each list parameter's values joined into one comma list."""
    text = query.decode("latin-1") if isinstance(query, bytes) else query
    pairs = parse_qsl(text, keep_blank_values=True)
    if lists:
        merged: dict[str, list[str]] = {}
        kept: list[tuple[str, str]] = []
        for name, value in pairs:
            if name in lists:
                if name not in merged:
                    merged[name] = []
                    kept.append((name, ""))
                merged[name].append(value)
            else:
                kept.append((name, value))
        pairs = [(n, ",".join(merged[n])) if n in merged else (n, v) for n, v in kept]
    return urlencode(sorted(pairs, key=lambda kv: kv[0]), safe=",")


async def strict_query(request: Request) -> None:
    """A 422 naming each query parameter the operation does not take: a typo is never
    silently ignored."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted = accepted_names(route)
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in accepted]
    if not unknown:
        return
    listed = ", ".join(sorted(accepted)) or "none"
    errors = []
    for name in unknown:
        near = closest(name, accepted)
        errors.append(
            ProblemError(
                pointer=f"/query/{name}",
                detail=f"unknown parameter '{name}'{did_you_mean(near)}; accepted: {listed}",
                suggestions=near or None,
            )
        )
    names = ", ".join(f"'{n}'" for n in unknown)
    raise AppError(
        422,
        f"{request.url.path} takes no parameter {names}; it accepts: {listed}.",
        slug="validation-error",
        errors=errors,
        suggestions=[s for e in errors for s in e.suggestions or []] or None,
    )


_SLUG = re.compile(SLUG_PATTERN)
CASELESS_SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
SlugPath = Annotated[
    str,
    Path(
        pattern=CASELESS_SLUG_PATTERN,
        max_length=120,
        description="Case-insensitive: another case redirects (308) to the lowercase URL.",
        examples=["django"],
    ),
]


async def canonical_slugs(request: Request) -> None:
    """Slugs are lowercase; `/frameworks/Django` is a permanent redirect to
    `/frameworks/django`, so each resource has one URL (and one cache entry)."""
    values = [v for v in request.path_params.values() if isinstance(v, str)]
    if any(v != v.lower() for v in values) and all(
        len(v) <= 120 and _SLUG.fullmatch(v.lower()) for v in values
    ):
        raise Redirect(request.url.path.lower())


def _is_array(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" or any(
        s.get("type") == "array" for s in schema.get("anyOf", [])
    )


SLUG_REDIRECT = {
    "description": "A slug in another case: `Location` is the lowercase URL.",
    "headers": {"Location": {"schema": {"type": "string"}, "description": "The canonical URL."}},
}


def _header(description: str) -> dict[str, Any]:
    return {"schema": {"type": "string"}, "description": description}


ETAG = _header("Strong; names the dataset version and, when compressed, the coding.")
CACHE_HEADERS = {
    "ETag": ETAG,
    "Cache-Control": _header("`public, max-age=N`: every answer is a function of the version."),
    "Vary": _header("`Accept, Accept-Encoding`."),
}
LINK = _header('RFC 8288 `<...>; rel="next"`, when there is a next page.')
NOT_MODIFIED = {
    "description": "Not Modified: `If-None-Match` names this answer's ETag; no body.",
    "headers": {"ETag": ETAG, "Cache-Control": CACHE_HEADERS["Cache-Control"]},
}


def document_conventions(openapi: dict[str, Any]) -> None:
    """Say, in one place and the same words: the list convention on every list parameter,
    the slug redirect where a slug is in the path, and the caching headers (and 304) every
    API GET sends, with `Link` on the paged lists."""
    for path, item in openapi.get("paths", {}).items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            responses = operation.setdefault("responses", {})
            if method == "get" and path.startswith("/api/") and "200" in responses:
                headers = responses["200"].setdefault("headers", {})
                headers.update(CACHE_HEADERS)
                if any(p.get("name") == "cursor" for p in params):
                    headers["Link"] = LINK
                responses["304"] = NOT_MODIFIED
            if any(p.get("in") == "path" for p in params):
                responses["308"] = SLUG_REDIRECT
            for param in params:
                if param.get("in") == "query" and _is_array(param.get("schema", {})):
                    own = param.get("description", "").rstrip()
                    param["description"] = f"{own} {LIST_NOTE}".strip()
                    param["style"], param["explode"] = "form", True
