"""`fwatlas sync npm` against recorded registry answers and built tarballs, never the network."""

import io
import json
import tarfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

from app.enums import ModuleFormat
from app.sync import common
from app.sync.npm import FACTS, NpmEntry, fetch_all, module_format, parse, tarball_has_types
from tests.sync.conftest import Handler, dataset_copy, invoke

RECORDED = Path(__file__).parent / "recorded" / "npm"
TODAY = date(2026, 12, 3)
BASE = "http://registry.test"


def manifest(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((RECORDED / f"{name}.json").read_text())
    return data


def tarball(*names: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(f"package/{name}")
            info.size = 2
            archive.addfile(info, io.BytesIO(b"//"))
    return buffer.getvalue()


def registry(request: httpx.Request) -> httpx.Response:
    path = request.url.raw_path.decode()
    answers = {
        "/express/latest": manifest("express"),
        "/koa/latest": manifest("koa"),
        "/hono/latest": manifest("hono"),
        "/@nestjs%2Fcore/latest": manifest("nestjs__core"),
        "/broken/latest": {"name": "broken"},
    }
    if path in answers:
        return httpx.Response(200, json=answers[path])
    if path.endswith("/core-12.5.1.tgz"):  # TypeScript sources compiled beside index.js
        return httpx.Response(200, content=tarball("index.js", "index.d.ts", "package.json"))
    if path.endswith(".tgz"):
        return httpx.Response(200, content=tarball("index.js", "lib/router.js", "package.json"))
    if path == "/slow/latest":
        raise httpx.ReadTimeout("timed out", request=request)
    return httpx.Response(404, json={"error": "Not found"})


def client(handler: Handler = registry) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_recorded_manifest_gives_version_licence_types_and_format() -> None:
    hono = parse("hono", "hono", manifest("hono"), TODAY)
    assert (hono.latest_version, hono.license, hono.typed) == ("4.13.19", "MIT", True)
    assert hono.module_format is ModuleFormat.dual  # "type": "module" plus a require condition
    express = parse("express", "express", manifest("express"), TODAY, lambda _url: False)
    assert (express.latest_version, express.typed) == ("5.3.0", False)
    assert express.module_format is ModuleFormat.commonjs
    assert parse("koa", "koa", manifest("koa"), TODAY).module_format is ModuleFormat.dual
    fastify = parse("fastify", "fastify", manifest("fastify"), TODAY)
    assert fastify.typed is True  # "types": "fastify.d.ts"
    assert fastify.module_format is ModuleFormat.commonjs


def test_module_format_follows_type_exports_and_module() -> None:
    assert module_format({"type": "module"}) is ModuleFormat.esm
    assert module_format({}) is ModuleFormat.commonjs
    assert module_format({"main": "a.js", "module": "a.mjs"}) is ModuleFormat.dual
    nested = {"exports": {".": {"node": {"import": "./a.mjs", "require": "./a.cjs"}}}}
    assert module_format({"type": "module", **nested}) is ModuleFormat.dual


def test_types_are_looked_for_in_the_tarball_only_when_the_manifest_is_silent() -> None:
    assert tarball_has_types(tarball("index.js", "index.d.ts"))
    assert not tarball_has_types(tarball("index.js", "README.md"))
    entries, failures = fetch_all(
        client(), BASE, [("nestjs", "@nestjs/core"), ("express", "express")], TODAY
    )
    assert failures == []
    assert {e.framework: e.typed for e in entries} == {"nestjs": True, "express": False}


def test_a_deprecation_and_a_legacy_licence_are_read() -> None:
    old = {
        "name": "old-thing",
        "version": "0.9.1",
        "license": {"type": "MIT", "url": "x"},
        "deprecated": "Use new-thing instead",
        "types": "index.d.ts",
    }
    entry = parse("old-thing", "old-thing", old, TODAY)
    assert (entry.license, entry.deprecation) == ("MIT", "Use new-thing instead")


def test_each_bad_package_is_reported_and_the_rest_carry_on() -> None:
    wanted = [("koa", "koa"), ("ghost", "ghost"), ("broken", "broken"), ("slow", "slow")]
    entries, failures = fetch_all(client(), BASE, wanted, TODAY)
    assert [e.framework for e in entries] == ["koa"]
    assert {(f.framework, f.reason, f.network) for f in failures} == {
        ("ghost", "no such package on the registry", False),
        (
            "broken",
            "malformed answer: the answer is not a package manifest with a version",
            False,
        ),
        ("slow", "timed out", True),
    }


def test_a_manifest_for_another_package_is_refused() -> None:
    with pytest.raises(ValueError, match="is for 'express', not 'koa'"):
        parse("koa", "koa", manifest("express"), TODAY)


def test_merge_changes_only_what_differs() -> None:
    old = [parse("koa", "koa", manifest("koa"), date(2026, 12, 1))]
    same, changes = common.merge(old, [parse("koa", "koa", manifest("koa"), TODAY)], FACTS)
    assert changes == []
    assert same[0].retrieved == date(2026, 12, 1)
    newer = NpmEntry(**{**old[0].model_dump(), "latest_version": "3.4.0"})
    merged, changes = common.merge(old, [newer], FACTS)
    assert changes == ["koa: latest_version 3.3.0 -> 3.4.0"]
    assert merged[0].latest_version == "3.4.0"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The dataset with its Koa curated at an older release."""
    with dataset_copy(tmp_path, monkeypatch) as root:
        (root / "npm_index.yaml").unlink(missing_ok=True)
        koa_file = root / "frameworks" / "koa.yaml"
        koa = yaml.safe_load(koa_file.read_text())
        dated = koa["attribute_sources"]["first_release_year"]
        koa.update(latest_version="3.0.0", latest_release_date="2025-04-01")
        koa["attribute_sources"].update(latest_version=dated, latest_release_date=dated)
        koa_file.write_text(yaml.safe_dump(koa, sort_keys=False))
        yield root


def run_sync(root: Path, monkeypatch: pytest.MonkeyPatch, handler: Handler) -> tuple[int, str]:
    return invoke(monkeypatch, handler, "sync", "npm", "--path", str(root), "--registry-url", BASE)


def test_sync_writes_once_sources_each_fact_and_then_finds_nothing_to_change(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.seed.load import read_dataset

    code, output = run_sync(isolated, monkeypatch, registry)
    assert code == 0, output
    assert "koa: latest_version None -> 3.3.0" in output  # None: no earlier answer on file
    assert "dataset version is now 1" in output
    assert "flask" not in (isolated / "npm_index.yaml").read_text()  # PyPI is not asked here
    koa = next(f for f in read_dataset(isolated).frameworks if f.slug == "koa")
    assert (koa.latest_version, koa.typed, koa.module_format) == ("3.3.0", False, "dual")
    assert koa.attribute_sources["module_format"] == ["package-index-npm-koa"]
    # The curated date was for 3.0.0; the registry's dates are not read, so none is kept.
    assert koa.latest_release_date is None
    assert "latest_release_date" not in koa.attribute_sources
    code, output = run_sync(isolated, monkeypatch, registry)
    assert (code, "nothing changed" in output) == (0, True)


def test_an_unreachable_registry_changes_nothing_and_exits_non_zero(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    code, output = run_sync(isolated, monkeypatch, down)
    assert code == 1
    assert "the npm registry could not be reached" in output
    assert not (isolated / "npm_index.yaml").exists()
