"""The soak's own judgement: how it reads memory and how it tells a torn answer."""

import json
import random
from pathlib import Path

import pytest

from bench.soak_data import classify, make_dataset, signature
from bench.soak_proc import descendants, parse_ppid, parse_vmrss
from bench.soak_scenarios import long_query, parse_wrk

ROOT = Path(__file__).resolve().parents[2]

STATUS = """Name:\tpython3
State:\tS (sleeping)
VmPeak:\t  300000 kB
VmRSS:\t  123456 kB
RssAnon:\t  100000 kB
"""


def test_vmrss_is_read_in_bytes() -> None:
    assert parse_vmrss(STATUS) == 123456 * 1024


def test_a_zombie_without_vmrss_counts_zero() -> None:
    assert parse_vmrss("Name:\tfwatlas\nState:\tZ (zombie)\n") == 0


def test_parent_pid_survives_a_command_name_with_spaces_and_parens() -> None:
    assert parse_ppid("4242 (granian (w) 1) S 4100 4242 4100 0 -1 4194560") == 4100


def test_descendants_are_the_whole_tree_and_only_it() -> None:
    parents = {10: 1, 11: 10, 12: 10, 13: 11, 20: 1, 21: 20}
    assert descendants(10, parents) == {10, 11, 12, 13}


def test_wrk_summary_lines_are_counted() -> None:
    out = (
        "Running 3s test\nSOAK status 200 117\nSOAK status 503 40\nSOAK bad503 2\nSOAK sent 300\n"
        "SOAK errors connect=0 read=3 write=0 timeout=5 status=40\n"
        "SOAK summary requests=157 duration_us=3067119 p99_us=900 max_us=2000\n"
    )
    found = parse_wrk(out)
    assert found["statuses"] == {"200": 117, "503": 40}
    assert found["bad503"] == 2
    assert found["sent"] == 300
    assert found["errors"]["timeout"] == 5
    assert found["summary"]["requests"] == 157


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("soak")
    return {n: make_dataset(ROOT / "seed", base / n, n) for n in "AB"}


def test_datasets_a_and_b_load_and_differ_where_the_soak_looks(
    datasets: dict[str, Path],
) -> None:
    from app.seed.lint import lint, split_baseline
    from app.seed.load import read_dataset

    loaded = {n: read_dataset(datasets[n]) for n in "AB"}
    for n in "AB":  # `fwatlas seed` takes both: nothing beyond the known baseline
        new, _known, stale = split_baseline(lint(loaded[n]), datasets[n])
        assert (new, stale) == ([], [])
    django = {n: next(f for f in d.frameworks if f.slug == "django") for n, d in loaded.items()}
    assert (django["A"].description or "").endswith("soakmark-A")
    assert (django["B"].description or "").endswith("soakmark-B")
    assert len(django["B"].adopters) == len(django["A"].adopters) + 1


def _detail(mark: str, title_mark: str, level: str = "built_in") -> bytes:
    return json.dumps(
        {
            "description": f"A framework {mark}",
            "support": [{"feature": "routing", "level": level, "notes": f"URLconfs {mark}"}],
            "sources": [{"slug": "django-docs-urls", "title": f"URL dispatcher {title_mark}"}],
        }
    ).encode()


def test_a_body_mixing_two_datasets_is_torn() -> None:
    calm = {
        "A": signature(_detail("soakmark-A", "soakmark-A")),
        "B": signature(_detail("soakmark-B", "soakmark-B", "partial")),
    }
    assert classify(signature(_detail("soakmark-A", "soakmark-A")), calm) == "A"
    assert classify(signature(_detail("soakmark-B", "soakmark-B", "partial")), calm) == "B"
    assert classify(signature(_detail("soakmark-A", "soakmark-B")), calm) == "torn"
    # B's markers with A's level: two reads of one request saw different data.
    assert classify(signature(_detail("soakmark-B", "soakmark-B")), calm) == "torn"


def test_half_of_one_dataset_is_torn() -> None:
    calm = {"A": signature(_detail("soakmark-A", "soakmark-A"))}
    # The sources read as empty while a load replaced them: the title's marker is missing.
    assert classify(signature(_detail("soakmark-A", "")), calm) == "torn"


def test_meta_counts_from_two_datasets_are_torn() -> None:
    def meta(claims: int, adopters: int) -> bytes:
        return json.dumps(
            {"dataset_version": 7, "counts": {"claims": claims, "adopters": adopters}}
        ).encode()

    calm = {"A": signature(meta(371, 35)), "B": signature(meta(372, 36))}
    assert classify(signature(meta(372, 36)), calm) == "B"
    assert classify(signature(meta(371, 36)), calm) == "torn"


def test_long_queries_are_distinct_near_their_size_and_under_the_url_limit() -> None:
    rng = random.Random(1)
    targets = {long_query(8000, rng) for _ in range(50)}
    assert len(targets) == 50
    for target in targets:
        assert 7900 <= len(target) < 8192
        assert target.count("language=") <= 200
