"""Reading a page's query: lists as comma lists or repeated parameters alike."""

import re

from starlette.requests import Request

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


def listed(request: Request, name: str) -> list[str]:
    """Every value of `name`, comma lists split, blanks and repeats dropped, order kept."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        for value in raw.split(","):
            value = value.strip()
            if value and value not in values:
                values.append(value)
    return values


def single(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None
