"""Two datasets that differ inside single answers, and how to tell a torn answer.

Dataset A and dataset B are copies of `seed/` in which the same places carry a
marker, `soakmark-A` or `soakmark-B`: Django's and Flask's descriptions, the
title of a source Django cites, the notes of both frameworks' `routing`
statements. B also flips Django's `routing` from `built_in` to `partial` and adds
a claim and an adopter to Django, so `/meta` counts two things differently.

The markers and counts are spread over different tables, which a request reads
with different queries: an answer assembled from two datasets (or from half of
one, say a framework whose sources read as empty while a load replaces them)
has a signature that neither dataset gives when the data is still. What the
still data gives is learned from the live server before the loads start, so
nothing here hard-codes what an answer looks like.
"""

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

MARKERS = ("soakmark-A", "soakmark-B")
# The source `django-docs-urls` backs Django's routing statements, so its title
# is in Django's detail next to the description read from another table.
CITED_SOURCE = "django-docs-urls"

Signature = tuple[tuple[str, int], ...]


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_dataset(seed: Path, dest: Path, name: str) -> Path:
    """Copy `seed` to `dest` with dataset `name`'s ("A" or "B") markers; return `dest`."""
    if name not in ("A", "B"):
        raise ValueError(f"dataset must be A or B, not {name!r}")
    mark = f"soakmark-{name}"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(seed, dest)

    def framework(data: dict[str, Any]) -> None:
        data["description"] = f"{data['description']} {mark}"
        if name == "B" and data["slug"] == "django":
            cited = list(data["claims"][0]["sources"])
            data["claims"].append({"kind": "pro", "text": f"Claim {mark}", "sources": cited})
            data["adopters"].append({"name": f"Adopter {mark}", "detail": None, "sources": cited})

    def support(data: dict[str, Any]) -> None:
        routing = data["support"]["routing"]
        routing["notes"] = f"{routing['notes']} {mark}"
        if name == "B" and data["framework"] == "django":
            routing["level"] = "partial"

    def sources(data: dict[str, Any]) -> None:
        for source in data["sources"]:
            if source["slug"] == CITED_SOURCE:
                source["title"] = f"{source['title']} {mark}"

    for slug in ("django", "flask"):
        _edit(dest / "frameworks" / f"{slug}.yaml", framework)
        _edit(dest / "support" / f"{slug}.yaml", support)
    _edit(dest / "sources" / "django.yaml", sources)
    return dest


def signature(body: bytes) -> Signature:
    """What in one answer tells the datasets apart: marker and level counts, `/meta` counts."""
    text = body.decode("utf-8", "replace")
    found: dict[str, int] = {m: text.count(m) for m in MARKERS}
    found['"partial"'] = text.count('"partial"')
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("counts"), dict):
        for key, value in doc["counts"].items():
            if isinstance(value, int):
                found[f"counts.{key}"] = value
    return tuple(sorted(found.items()))


def classify(sig: Signature, calm: Mapping[str, Signature]) -> str:
    """The dataset ("A", "B") whose still answer has this signature, or "torn"."""
    for name, expected in calm.items():
        if sig == expected:
            return name
    return "torn"


def describe(sig: Signature, calm: Mapping[str, Signature]) -> str:
    """One line saying how a torn signature differs from each still one."""
    got = dict(sig)
    parts = []
    for name, expected in calm.items():
        want = dict(expected)
        diff = [
            f"{k}={got.get(k, 0)} (not {want.get(k, 0)})"
            for k in sorted(set(got) | set(want))
            if got.get(k, 0) != want.get(k, 0)
        ]
        parts.append(f"vs {name}: " + ", ".join(diff))
    return "; ".join(parts)
