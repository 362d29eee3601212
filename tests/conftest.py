"""One database per run (SQLite, or PostgreSQL from TEST_DATABASE_URL), migrated and
seeded once; each test runs in a transaction that is rolled back."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed"
_tmp = Path(tempfile.mkdtemp(prefix="fwatlas-test-"))


def built_on(base: str) -> frozenset[str]:
    """`base` and every framework in the seed built on it (`based_on`), transitively."""
    bases = {
        path.stem: yaml.safe_load(path.read_text()).get("based_on")
        for path in (SEED / "frameworks").glob("*.yaml")
    }
    stack = {base}
    while more := {slug for slug, b in bases.items() if b in stack} - stack:
        stack |= more
    return frozenset(stack)


def features_in(category: str) -> list[str]:
    """The seed's features in `category` or one of its sub-categories, in file order."""
    seed = yaml.safe_load((SEED / "features.yaml").read_text())
    parents = {c["slug"]: c.get("parent") for c in seed["categories"]}
    inside = {c for c in parents if category in (c, parents[c])}
    return [f["slug"] for f in seed["features"] if f["category"] in inside]


# Django and what runs inside a Django project: the seed articles' pick for a CMS.
DJANGO_STACK = built_on("django")


def _database_url(schema: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{_tmp / (schema + '.db')}"
    # One PostgreSQL schema per purpose keeps the shared `test` database tidy.
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def reset_schema(url: str, schema: str) -> None:
    """An empty database at `url`: the schema dropped and made again, or the file gone."""
    if not url.startswith("postgresql"):
        database = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    from app.db import make_engine

    engine = make_engine(os.environ["TEST_DATABASE_URL"])
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any failure here means the database is unusable
        pytest.exit(f"TEST_DATABASE_URL cannot be reached: {exc}", returncode=3)
    finally:
        engine.dispose()


APP_URL = _database_url("fwatlas_test")
MIGRATIONS_URL = _database_url("fwatlas_migrations")
SCRATCH_URL = _database_url("fwatlas_scratch")
os.environ["FWATLAS_DATABASE_URL"] = APP_URL
os.environ["FWATLAS_VERSION_CHECK_INTERVAL"] = "0"


def pytest_report_header() -> str:
    return f"database: {make_url(APP_URL).get_backend_name()}"


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    from sqlmodel import Session

    from app.cli_common import upgrade_database
    from app.db import get_engine
    from app.seed.load import read_dataset
    from app.seed.write import write_dataset

    reset_schema(APP_URL, "fwatlas_test")
    upgrade_database()
    engine = get_engine()
    with Session(engine) as session, session.begin():
        write_dataset(session, read_dataset(SEED))
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[object]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: object) -> Iterator[object]:
    from sqlmodel import Session

    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:  # type: ignore[arg-type]
        yield session


@pytest.fixture
def client(session: object) -> Iterator[object]:
    from contextlib import nullcontext

    from fastapi.testclient import TestClient

    from app import main

    # Reads and the version clock go through the test's transaction, so a change a
    # test makes (and rolls back) is seen exactly as a committed one would be.
    app = main.create_app(open_session=lambda: nullcontext(session))  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def migrations_url() -> str:
    reset_schema(MIGRATIONS_URL, "fwatlas_migrations")
    return MIGRATIONS_URL
