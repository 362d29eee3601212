"""Package names per ecosystem: what each registry accepts as a name."""

import re

from app.enums import Ecosystem
from app.types import PACKAGE_RE

_RULES: dict[Ecosystem, tuple[re.Pattern[str], str]] = {
    Ecosystem.pypi: (PACKAGE_RE, "a PEP 508 project name"),
    Ecosystem.npm: (
        re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$"),
        "a lower-case npm name, optionally @scope/name",
    ),
    # A module path: a domain and a path (github.com/gin-gonic/gin), or a standard
    # library package (net/http), which has no dot in its first element.
    Ecosystem.go: (
        re.compile(r"^[a-z0-9][a-z0-9.-]*(/[A-Za-z0-9._~+-]+)*$"),
        "a Go module or standard-library package path",
    ),
    Ecosystem.maven: (
        re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$"),
        "a Maven groupId:artifactId",
    ),
    Ecosystem.rubygems: (re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$"), "a gem name"),
    Ecosystem.packagist: (
        re.compile(r"^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$"),
        "a Packagist vendor/name",
    ),
    Ecosystem.nuget: (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"), "a NuGet package id"),
    Ecosystem.crates: (re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"), "a crate name"),
    Ecosystem.hex: (re.compile(r"^[a-z][a-z0-9_]*$"), "a Hex package name"),
}


def name_problem(ecosystem: Ecosystem, name: str) -> str | None:
    """Why `name` cannot be a package in `ecosystem`, or None when it can."""
    pattern, what = _RULES[ecosystem]
    if pattern.match(name):
        return None
    return f"'{name}' is not {what} ({ecosystem.value})"


def same_package(ecosystem: Ecosystem, name: str) -> tuple[Ecosystem, str]:
    """A key under which two spellings of one package compare equal, as the registry
    itself compares them."""
    if ecosystem is Ecosystem.pypi:
        return ecosystem, re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem is Ecosystem.crates:
        return ecosystem, name.lower().replace("_", "-")
    if ecosystem is Ecosystem.nuget:
        return ecosystem, name.lower()
    return ecosystem, name
