"""The dataset files: validation messages, idempotent and transactional seeding."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.db import current_version
from app.models import Framework, SupportStatement
from app.seed.lint import lint, split_baseline
from app.seed.load import DatasetError, read_dataset
from app.seed.write import write_dataset
from tests.conftest import SEED


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEED, tmp_path / "seed"))


def test_the_shipped_dataset_is_clean() -> None:
    new, _, gone = split_baseline(lint(read_dataset(SEED)), SEED)
    assert new == []
    assert gone == [], "fixed problems must leave the baseline"


def test_seeding_the_same_files_twice_changes_nothing(session: Session) -> None:
    dataset = read_dataset(SEED)
    before = current_version(session).version
    assert write_dataset(session, dataset) is None
    assert current_version(session).version == before


def test_a_changed_file_bumps_the_version_once(session: Session, seed_copy: Path) -> None:
    path = seed_copy / "frameworks" / "flask.yaml"
    path.write_text(path.read_text().replace("learning_curve: gentle", "learning_curve: moderate"))
    before = current_version(session).version
    assert write_dataset(session, read_dataset(seed_copy)) == before + 1
    flask = session.exec(select(Framework).where(Framework.slug == "flask")).one()
    assert flask.learning_curve == "moderate"


def test_a_broken_file_is_named_with_its_field(seed_copy: Path) -> None:
    path = seed_copy / "frameworks" / "django.yaml"
    path.write_text(path.read_text().replace("interface: both", "interface: carrier-pigeon"))
    with pytest.raises(DatasetError) as caught:
        read_dataset(seed_copy)
    (problem,) = caught.value.problems
    assert problem.startswith("seed/frameworks/django.yaml: interface:")
    assert "'wsgi', 'asgi', 'both', 'native', 'node-http'" in problem


def test_a_statement_given_twice_is_refused_not_silently_dropped(seed_copy: Path) -> None:
    path = seed_copy / "support" / "flask.yaml"
    text = path.read_text()
    start = text.index("  routing:")
    end = text.index("\n  ", text.index("last_verified", start)) + 1
    path.write_text(text + text[start:end].replace("level: built_in", "level: none"))
    with pytest.raises(DatasetError) as caught:
        read_dataset(seed_copy)
    (problem,) = caught.value.problems
    assert problem.startswith("seed/support/flask.yaml: cannot be read as YAML")
    assert "the key 'routing' is given twice" in problem


def test_lints_name_each_problem(seed_copy: Path) -> None:
    dataset = read_dataset(seed_copy)
    django = next(f for f in dataset.frameworks if f.slug == "django")
    django.claims[0].sources = ["no-such-source"]
    django.use_cases[0].use_case = "no-such-use-case"
    statement = django.support["orm"]
    assert not isinstance(statement, list)
    statement.sources = []
    dataset.frameworks.append(dataset.frameworks[0])
    problems = lint(dataset)
    assert "framework django claims[0]: unknown source 'no-such-source'" in problems
    assert "framework django use_cases[0]: unknown use case 'no-such-use-case'" in problems
    assert "framework django support.orm: has no source" in problems
    assert f"duplicate framework slug '{dataset.frameworks[0].slug}'" in problems


def test_partial_support_needs_notes(seed_copy: Path) -> None:
    path = seed_copy / "support" / "flask.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "framework: flask\nsupport:\n",
            "framework: flask\nsupport:\n"
            "  graphql-x: {level: partial, sources: [flask-repository]}\n",
            1,
        )
    )
    with pytest.raises(DatasetError) as caught:
        read_dataset(seed_copy)
    assert any("graphql-x" in p and "needs notes" in p for p in caught.value.problems)


def test_a_failed_write_leaves_the_database_unchanged(session: Session, seed_copy: Path) -> None:
    dataset = read_dataset(seed_copy)
    statements_before = session.exec(select(func.count()).select_from(SupportStatement)).one()
    version_before = current_version(session).version
    dataset.frameworks[0].name = "Renamed"
    dataset.frameworks[-1].support["orm"] = dataset.frameworks[-1].support["orm"]
    dataset.runs[0].results[0].framework = "no-such-framework"  # fails late, after writes
    savepoint = session.begin_nested()
    with pytest.raises(KeyError):
        write_dataset(session, dataset)
    savepoint.rollback()
    assert current_version(session).version == version_before
    assert (
        session.exec(select(func.count()).select_from(SupportStatement)).one() == statements_before
    )
    first = session.exec(
        select(Framework).where(Framework.slug == dataset.frameworks[0].slug)
    ).one()
    assert first.name != "Renamed"
