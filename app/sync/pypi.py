"""Refresh version facts from the Python Package Index's JSON API.

The answers go to seed/package_index.yaml (generated, kept apart from the curated files);
the loader merges them into the frameworks with the index as their source.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import httpx
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, Field

from app.types import PackageName, Slug, VersionStr

# Classifiers that name exactly one SPDX licence; others ("BSD License") are ambiguous.
CLASSIFIER_SPDX = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
}


class IndexEntry(BaseModel):
    framework: Slug
    package: PackageName
    latest_version: VersionStr
    latest_release_date: date
    first_release_date: date
    license: str | None = Field(default=None, description="SPDX, when the index states one.")
    retrieved: date


class PackageIndexFile(BaseModel):
    entries: list[IndexEntry]


@dataclass(frozen=True)
class Failure:
    framework: str
    package: str
    reason: str
    network: bool


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
        retrieved=today,
    )


def fetch_all(
    client: httpx.Client,
    base_url: str,
    packages: Iterable[tuple[str, str]],
    today: date,
    advance: Callable[[str], None] = lambda _name: None,
) -> tuple[list[IndexEntry], list[Failure]]:
    """Ask the index about each (framework, package); failures are reported, not raised."""
    entries, failures = [], []
    for framework, package in packages:
        advance(package)
        try:
            response = client.get(f"{base_url.rstrip('/')}/{package}/json")
        except httpx.TimeoutException:
            failures.append(Failure(framework, package, "timed out", network=True))
            continue
        except httpx.TransportError as exc:
            failures.append(Failure(framework, package, f"cannot reach the index: {exc}", True))
            continue
        if response.status_code == 404:
            failures.append(Failure(framework, package, "no such package on the index", False))
            continue
        if response.status_code != 200:
            failures.append(Failure(framework, package, f"HTTP {response.status_code}", False))
            continue
        try:
            entries.append(parse(framework, package, response.json(), today))
        except ValueError as exc:
            failures.append(Failure(framework, package, f"malformed answer: {exc}", False))
    return entries, failures


def merge(old: list[IndexEntry], new: list[IndexEntry]) -> tuple[list[IndexEntry], list[str]]:
    """New answers replace old ones framework by framework; the rest stay as they were."""
    by_fw = {e.framework: e for e in old}
    changes = []
    for entry in new:
        before = by_fw.get(entry.framework)
        fields = ("latest_version", "latest_release_date", "first_release_date", "license")
        for name in fields:
            was, now = (getattr(before, name) if before else None), getattr(entry, name)
            if was != now:
                changes.append(f"{entry.framework}: {name} {was} -> {now}")
        if before is None or any(getattr(before, f) != getattr(entry, f) for f in fields):
            by_fw[entry.framework] = entry
    return [by_fw[k] for k in sorted(by_fw)], changes
