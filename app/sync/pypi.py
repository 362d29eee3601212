"""Refresh version facts from the Python Package Index's JSON API.

The answers go to seed/package_index.yaml (generated, kept apart from the curated files);
the loader merges them into the frameworks with the index as their source.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from statistics import median

import httpx
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, Field

from app.sync import common
from app.sync.common import Failure
from app.types import PackageName, Slug, VersionStr

# Classifiers that name exactly one SPDX licence; others ("BSD License") are ambiguous.
CLASSIFIER_SPDX = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
}


class Vulnerability(BaseModel):
    """One advisory the index lists for the latest release."""

    id: str = Field(max_length=80)
    aliases: list[str] = Field(default_factory=list)
    fixed_in: list[str] = Field(default_factory=list)
    link: str | None = None


# The maintenance signals: stored as the index gives them on `retrieved`; null = not given.
SIGNALS = (
    "releases_last_12_months",
    "median_days_between_releases",
    "maintainers",
    "requires_python",
    "typed",
    "vulnerabilities",
)


VERSION_FACTS = ("latest_version", "latest_release_date", "first_release_date", "license")


class IndexEntry(BaseModel):
    framework: Slug
    package: PackageName
    latest_version: VersionStr
    latest_release_date: date
    first_release_date: date
    license: str | None = Field(default=None, description="SPDX, when the index states one.")
    releases_last_12_months: int | None = Field(
        default=None, ge=0, description="Releases uploaded in the 365 days before `retrieved`."
    )
    median_days_between_releases: float | None = Field(
        default=None, ge=0, description="Median gap between consecutive releases, in days."
    )
    maintainers: int | None = Field(
        default=None, ge=0, description="Users with an Owner or Maintainer role on the index."
    )
    requires_python: str | None = Field(default=None, max_length=80)
    typed: bool | None = Field(
        default=None, description="Whether the package declares `Typing :: Typed`."
    )
    vulnerabilities: list[Vulnerability] | None = Field(
        default=None, description="Advisories the index lists for the latest release."
    )
    retrieved: date


class PackageIndexFile(BaseModel):
    entries: list[IndexEntry]


def parse(framework: str, package: str, payload: object, today: date) -> IndexEntry:
    """The facts in one JSON API answer; ValueError when it is not the shape we expect."""
    if not isinstance(payload, dict) or not isinstance(payload.get("info"), dict):
        raise ValueError("the answer has no `info` object")
    info, releases = payload["info"], payload.get("releases")
    if not isinstance(releases, dict):
        raise ValueError("the answer has no `releases` object")
    uploads: dict[str, datetime] = {}
    for version, files in releases.items():
        times = [f.get("upload_time_iso_8601") for f in files if isinstance(f, dict)]
        stamps = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times if t]
        if stamps:
            uploads[version] = min(stamps)
    latest = info.get("version")
    if not isinstance(latest, str) or latest not in uploads:
        raise ValueError("the latest version has no uploaded files")
    try:
        Version(latest)
    except InvalidVersion:
        raise ValueError(f"'{latest}' is not a PEP 440 version") from None
    dates = sorted(uploads.values())
    gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(dates)]
    classifiers = info.get("classifiers")
    requires = info.get("requires_python")
    licence = info.get("license_expression") or next(
        (CLASSIFIER_SPDX[c] for c in info.get("classifiers") or [] if c in CLASSIFIER_SPDX), None
    )
    return IndexEntry(
        framework=framework,
        package=package,
        latest_version=latest,
        latest_release_date=uploads[latest].date(),
        first_release_date=min(uploads.values()).date(),
        license=licence if isinstance(licence, str) and len(licence) <= 80 else None,
        releases_last_12_months=sum(1 for d in dates if d.date() > today - timedelta(days=365)),
        median_days_between_releases=round(median(gaps), 1) if gaps else None,
        maintainers=_owners(payload.get("ownership")),
        requires_python=requires if isinstance(requires, str) and 0 < len(requires) <= 80 else None,
        typed=("Typing :: Typed" in classifiers) if isinstance(classifiers, list) else None,
        vulnerabilities=_vulnerabilities(payload.get("vulnerabilities")),
        retrieved=today,
    )


def _owners(ownership: object) -> int | None:
    """How many users hold a role (Owner or Maintainer) on the package.

    Null when the answer has no roles list, or lists no user because an organization
    holds the package: the index does not say how many people that is."""
    roles = ownership.get("roles") if isinstance(ownership, dict) else None
    if not isinstance(roles, list):
        return None
    users = {
        r["user"]
        for r in roles
        if isinstance(r, dict)
        and isinstance(r.get("user"), str)
        and r.get("role") in ("Owner", "Maintainer")
    }
    if not users and isinstance(ownership, dict) and ownership.get("organization"):
        return None
    return len(users)


def _vulnerabilities(listed: object) -> list[Vulnerability] | None:
    if not isinstance(listed, list):
        return None
    out = []
    for v in listed:
        if isinstance(v, dict) and isinstance(v.get("id"), str):
            out.append(
                Vulnerability(
                    id=v["id"],
                    aliases=[a for a in v.get("aliases") or [] if isinstance(a, str)],
                    fixed_in=[f for f in v.get("fixed_in") or [] if isinstance(f, str)],
                    link=v.get("link") if isinstance(v.get("link"), str) else None,
                )
            )
    return out


def fetch_all(
    client: httpx.Client,
    base_url: str,
    packages: Iterable[tuple[str, str]],
    today: date,
    advance: Callable[[str], None] = lambda _name: None,
) -> tuple[list[IndexEntry], list[Failure]]:
    """Ask the index about each (framework, package); failures are reported, not raised."""
    return common.fetch_each(
        client,
        packages,
        lambda package: f"{base_url.rstrip('/')}/{package}/json",
        lambda framework, package, payload: parse(framework, package, payload, today),
        "index",
        advance,
    )


def merge(old: list[IndexEntry], new: list[IndexEntry]) -> tuple[list[IndexEntry], list[str]]:
    """New answers replace old ones framework by framework; the rest stay as they were."""
    return common.merge(old, new, (*VERSION_FACTS, *SIGNALS))
