"""Opaque keyset cursors and the page envelope every list returns."""

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from app.errors import unknown
from app.params import canonical_query, list_names

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=500,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page.",
    ),
]


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageParams:
    # async: a plain function dependency would cost every list a worker-thread hop.
    return PageParams(limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int = Field(description="How many items match the filters, over all pages.")


R = TypeVar("R")


def paginate(
    rows: Sequence[R], limit: int, key: Callable[[R], list[Any]]
) -> tuple[list[R], str | None]:
    """Keyset paging's last step, for every list: of the `limit + 1` rows read, the page,
    and the cursor (`key` of its last row) when there is more."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    return page, encode_cursor(key(page[-1]))


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# What a database can hold: a larger integer, or a string with control characters (NUL
# included), never came from this API and must not reach SQL.
INT64 = (-(2**63), 2**63 - 1)
MAX_KEY_CHARS = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
KeyKind = type | re.Pattern[str]
SLUG_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")


def _valid(value: object, kind: KeyKind) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(kind, re.Pattern):
        return isinstance(value, str) and kind.fullmatch(value) is not None
    if kind is int:
        return isinstance(value, int) and INT64[0] <= value <= INT64[1]
    if kind is float:
        return isinstance(value, float) and math.isfinite(value)
    if kind is str:
        return (
            isinstance(value, str)
            and len(value) <= MAX_KEY_CHARS
            and _CONTROL.search(value) is None
        )
    return False


def decode_cursor(cursor: str, arity: int, kinds: tuple[KeyKind, ...]) -> list[Any]:
    """Decode a cursor made by `encode_cursor`, each key checked against its kind (a type,
    or a pattern a string must match); anything else is a 422 on `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != arity
        or not all(_valid(v, k) for v, k in zip(key, kinds, strict=True))
    ):
        raise unknown("/query/cursor", "is not a cursor this list gave out")
    return key


def link_next(request: Request, response: Response, page: Page[Any]) -> None:
    """Set the RFC 8288 `Link: <...>; rel="next"` header for a page that has a next one,
    in the query's canonical form: `x=a,b` and `x=a&x=b` give the same bytes."""
    if page.next_cursor:
        route = request.scope.get("route")
        lists = list_names(route) if isinstance(route, APIRoute) else frozenset()
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        query.append(("cursor", page.next_cursor))
        canonical = canonical_query(urlencode(query), lists)
        response.headers["Link"] = f'<{request.url.path}?{canonical}>; rel="next"'
