"""The API, called in process: the pages show what it answers and compute nothing of their own.

Each call goes through the response cache (a stored answer costs no thread), and every answer
a page is built from must come from one dataset version: its ETag says which.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from starlette.types import ASGIApp

from app.db import Stamp

# The stamp part of an ETag the response cache made: "v12.5bdad241e3d8-<digest>".
ETAG_STAMP = re.compile(r'^"v(\d+)\.([0-9a-f]*)-')
Params = Mapping[str, str | Sequence[str]]


class Problem(Exception):
    """A non-200 answer from the API, with its problem details."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail", f"status {status}"))
        self.status = status
        self.body = body

    @property
    def detail(self) -> str:
        return str(self.body.get("detail", ""))

    @property
    def suggestions(self) -> list[str]:
        found = self.body.get("suggestions")
        return [str(s) for s in found] if isinstance(found, list) else []


class Torn(Exception):
    """Two answers for one page came from different dataset versions."""


def api_url(path: str, params: Params | None = None) -> str:
    """The URL a page links to for the JSON it shows (the same one it read)."""
    return str(httpx.URL(path, params=_flat(params))) if params else path


def _flat(params: Params | None) -> httpx.QueryParams:
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in (params or {}).items():
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, v) for v in value)
    return httpx.QueryParams(pairs)


class Api:
    """One page's reads: GETs answered by the app's own layers, all of one dataset version."""

    def __init__(self, app: ASGIApp) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://atlas"
        )
        self.tag: str | None = None
        self.version: int | None = None

    async def __aenter__(self) -> "Api":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._client.aclose()

    async def get(self, path: str, params: Params | None = None) -> Any:
        response = await self._client.get(
            path, params=_flat(params), headers={"accept": "application/json"}
        )
        return self._answer(response)

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._client.post(path, json=body)
        return self._answer(response)

    async def all_items(self, path: str, params: Params | None = None) -> list[Any]:
        """Every item of a list, following its cursors (100 at a time)."""
        items: list[Any] = []
        cursor: str | None = None
        while True:
            query = {**(params or {}), "limit": "100"} | ({"cursor": cursor} if cursor else {})
            page = await self.get(path, query)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def stamp(self, current: Stamp) -> Stamp:
        """The stamp the answers were read under: the clock's, or the newer one they name."""
        if self.tag is None or self.tag == current.tag:
            return current
        match = ETAG_STAMP.match(f'"{self.tag}-')
        assert match is not None  # self.tag was matched before being kept
        return Stamp(match.group(2), int(match.group(1)))

    def _answer(self, response: httpx.Response) -> Any:
        if response.status_code != 200:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text}
            raise Problem(response.status_code, body if isinstance(body, dict) else {})
        match = ETAG_STAMP.match(response.headers.get("etag", ""))
        if match is not None:  # uncached answers (a POST) carry none and read one snapshot
            tag = f"v{match.group(1)}.{match.group(2)}"
            if self.tag is not None and tag != self.tag:
                raise Torn(f"{self.tag} then {tag}")
            self.tag = tag
            self.version = int(match.group(1))
        return response.json()
