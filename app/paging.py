"""Opaque keyset cursors and the page envelope every list returns."""

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from app.errors import invalid

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
    total: int = Field(description="How many items match the filters, over all pages.")


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int, types: tuple[type, ...]) -> list[Any]:
    """Decode a cursor made by `encode_cursor`; anything else is a 422 on `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != arity
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, types, strict=True)
        )
    ):
        raise invalid("/query/cursor", "is not a cursor this list gave out")
    return key


def link_next(request: Request, response: Response, page: Page[Any]) -> None:
    """Set the RFC 8288 `Link: <...>; rel="next"` header for a page that has a next one."""
    if page.next_cursor:
        url = request.url.include_query_params(cursor=page.next_cursor)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
