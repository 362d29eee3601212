"""Constrained scalar types shared by the API schemas and the seed files."""

import re
from datetime import date
from typing import Annotated

from packaging.version import InvalidVersion, Version
from pydantic import AfterValidator, BeforeValidator, StringConstraints

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
SourceSlug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]

# PEP 508 project names, as PyPI accepts them.
PACKAGE_RE = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
# Any registry's name, before its own ecosystem's rule (`app.packages`) is applied.
ANY_PACKAGE_RE = re.compile(r"^[A-Za-z0-9@][A-Za-z0-9@._~:/+-]*$")
PARTIAL_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _version(value: str) -> str:
    try:
        Version(value)
    except InvalidVersion:
        raise ValueError(f"'{value}' is not a PEP 440 version") from None
    return value


def _package(value: str) -> str:
    if not PACKAGE_RE.match(value):
        raise ValueError(f"'{value}' is not a valid PyPI package name")
    return value


def _any_package(value: str) -> str:
    if not ANY_PACKAGE_RE.match(value):
        raise ValueError(f"'{value}' is not a package name in any ecosystem")
    return value


def _partial_date(value: str) -> str:
    if not PARTIAL_DATE_RE.match(value):
        raise ValueError(f"'{value}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    if len(value) == 10:
        date.fromisoformat(value)
    return value


VersionStr = Annotated[str, StringConstraints(max_length=40), AfterValidator(_version)]
PackageName = Annotated[str, StringConstraints(max_length=120), AfterValidator(_package)]
AnyPackageName = Annotated[str, StringConstraints(max_length=214), AfterValidator(_any_package)]
PartialDate = Annotated[str, StringConstraints(max_length=10), AfterValidator(_partial_date)]

# An SPDX licence expression: ids, `AND`/`OR`/`WITH`, parentheses; no control characters.
SPDX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.+()\- ]*$"
# Free text a query can match: anything printable. A list item cannot hold a comma,
# which separates items.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]+$"
LIST_TEXT_PATTERN = r"^[^\x00-\x1f\x7f,]+$"


def json_integer(value: object) -> object:
    # JSON Schema's integer: 1.0 is one, "1" and true are not (lax int would take them).
    if isinstance(value, (str, bool)):
        raise ValueError("must be an integer")
    return value


# Constraints go before the validator, or the schema shows them as unknown keywords.
JSON_INTEGER = BeforeValidator(json_integer)
