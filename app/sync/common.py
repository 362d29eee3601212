"""What every registry sync shares: a failure report, and merging answers into a file."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import httpx


@dataclass(frozen=True)
class Failure:
    framework: str
    package: str
    reason: str
    network: bool


class Entry(Protocol):
    @property
    def framework(self) -> str: ...


E = TypeVar("E", bound=Entry)


def fetch_each(
    client: httpx.Client,
    packages: Iterable[tuple[str, str]],
    url_of: Callable[[str], str],
    parse: Callable[[str, str, object], E],
    registry: str,
    advance: Callable[[str], None] = lambda _name: None,
) -> tuple[list[E], list[Failure]]:
    """Ask a registry about each (framework, package): `parse` turns an answer into an
    entry or raises ValueError; every failure is reported, none raised."""
    entries, failures = [], []
    for framework, package in packages:
        advance(package)
        try:
            response = client.get(url_of(package))
        except httpx.TimeoutException:
            failures.append(Failure(framework, package, "timed out", network=True))
            continue
        except httpx.TransportError as exc:
            failures.append(
                Failure(framework, package, f"cannot reach the {registry}: {exc}", True)
            )
            continue
        if response.status_code == 404:
            failures.append(
                Failure(framework, package, f"no such package on the {registry}", False)
            )
            continue
        if response.status_code != 200:
            failures.append(Failure(framework, package, f"HTTP {response.status_code}", False))
            continue
        try:
            entries.append(parse(framework, package, response.json()))
        except ValueError as exc:
            failures.append(Failure(framework, package, f"malformed answer: {exc}", False))
    return entries, failures


def _shown(value: object) -> object:
    if isinstance(value, list):
        return "[" + ", ".join(getattr(v, "id", str(v)) for v in value) + "]"
    return getattr(value, "value", value)


def merge(old: list[E], new: list[E], fields: Sequence[str]) -> tuple[list[E], list[str]]:
    """New answers replace old ones framework by framework when any of `fields` differs
    (an unchanged answer keeps its old `retrieved` day); the rest stay as they were."""
    by_fw = {e.framework: e for e in old}
    changes = []
    for entry in new:
        before = by_fw.get(entry.framework)
        for name in fields:
            was, now = (getattr(before, name) if before else None), getattr(entry, name)
            if was != now:
                changes.append(f"{entry.framework}: {name} {_shown(was)} -> {_shown(now)}")
        if before is None or any(getattr(before, f) != getattr(entry, f) for f in fields):
            by_fw[entry.framework] = entry
    return [by_fw[k] for k in sorted(by_fw)], changes
