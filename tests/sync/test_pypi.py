"""`fwatlas sync pypi` against recorded index answers, never the network."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from app.sync.pypi import IndexEntry, fetch_all, merge, parse
from tests.conftest import SEED
from tests.sync.conftest import Handler, dataset_copy, invoke

RECORDED = json.loads((Path(__file__).parent / "recorded" / "flask.json").read_text())
TODAY = date(2026, 11, 21)
BASE = "http://index.test/pypi"


def index(request: httpx.Request) -> httpx.Response:
    package = request.url.path.split("/")[-2]
    if package == "flask":
        return httpx.Response(200, json=RECORDED)
    if package == "broken":
        return httpx.Response(200, json={"info": {"version": "1.0"}})
    if package == "slow":
        raise httpx.ReadTimeout("timed out", request=request)
    return httpx.Response(404, json={"message": "Not Found"})


def client(handler: Handler = index) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_a_recorded_answer_gives_versions_dates_and_licence() -> None:
    entry = parse("flask", "flask", RECORDED, TODAY)
    assert entry.latest_version == "3.1.3"
    assert entry.latest_release_date == date(2026, 2, 19)
    assert entry.first_release_date == date(2010, 4, 16)
    assert entry.license == "BSD-3-Clause"


def test_each_bad_package_is_reported_and_the_rest_carry_on() -> None:
    wanted = [("flask", "flask"), ("ghost", "ghost"), ("broken", "broken"), ("slow", "slow")]
    entries, failures = fetch_all(client(), BASE, wanted, TODAY)
    assert [e.framework for e in entries] == ["flask"]
    assert {(f.framework, f.reason, f.network) for f in failures} == {
        ("ghost", "no such package on the index", False),
        ("broken", "malformed answer: the answer has no `releases` object", False),
        ("slow", "timed out", True),
    }


def test_merge_changes_only_what_differs() -> None:
    old = [parse("flask", "flask", RECORDED, date(2026, 11, 20))]
    same, changes = merge(old, [parse("flask", "flask", RECORDED, TODAY)])
    assert changes == []
    assert same[0].retrieved == date(2026, 11, 20)
    newer = IndexEntry(**{**old[0].model_dump(), "latest_version": "3.2.0"})
    merged, changes = merge(old, [newer])
    assert changes == ["flask: latest_version 3.1.3 -> 3.2.0"]
    assert merged[0].latest_version == "3.2.0"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with dataset_copy(tmp_path, monkeypatch) as root:
        (root / "package_index.yaml").unlink(missing_ok=True)
        yield root


def run_sync(root: Path, monkeypatch: pytest.MonkeyPatch, handler: Handler) -> tuple[int, str]:
    return invoke(monkeypatch, handler, "sync", "pypi", "--path", str(root), "--base-url", BASE)


def test_sync_writes_once_and_then_finds_nothing_to_change(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = run_sync(isolated, monkeypatch, index)
    assert code == 0, output
    assert "flask: latest_version None -> 3.1.3" in output
    assert "skipped django (django): no such package on the index; left unchanged" in output
    assert "dataset version is now 1" in output  # a fresh database: written once
    written = (isolated / "package_index.yaml").read_text()
    assert "latest_version: 3.1.3" in written
    assert "django" not in written
    code, output = run_sync(isolated, monkeypatch, index)
    assert code == 0, output
    assert "nothing changed" in output


def test_a_network_failure_changes_nothing_and_exits_non_zero(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    code, output = run_sync(isolated, monkeypatch, down)
    assert code == 1
    assert "the package index could not be reached" in output
    assert not (isolated / "package_index.yaml").exists()


def test_the_shipped_index_facts_are_sourced() -> None:
    from app.seed.load import read_dataset

    flask = next(f for f in read_dataset(SEED).frameworks if f.slug == "flask")
    assert flask.latest_version is not None
    assert flask.attribute_sources["latest_version"] == ["package-index-flask"]
