"""Engines, the one way a request reads (one hop, one connection, one snapshot), and the
dataset's version row."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine, select

from app.config import Settings, get_settings
from app.models import DatasetVersion

P = ParamSpec("P")
T = TypeVar("T")
OpenSession = Callable[[], AbstractContextManager[Session]]
# Where the response cache leaves a place for the snapshot a request read.
READ_RECORD = "fwatlas.read"


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which dataset (a random id per database) at which version: what every ETag names."""

    dataset_id: str
    version: int

    @property
    def tag(self) -> str:
        return f"v{self.version}.{self.dataset_id[:12]}"


def pool_size(settings: Settings) -> int:
    """Every admitted request holds at most one connection, and the version poll and
    `/readyz` one each: so no request ever waits for a connection another one holds."""
    return settings.max_concurrency + 2


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    pooling: dict[str, Any] = {
        "pool_size": pool_size(settings),
        "max_overflow": 0,
        "pool_timeout": settings.db_pool_timeout,
    }
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            pooling = {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # sqlite3 would otherwise run each SELECT in its own implicit snapshot; with
            # the driver's transaction handling off, BEGIN below makes one read one snapshot.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            # Pages re-read after another process writes come from the mapping, not read().
            cursor.execute("PRAGMA mmap_size=67108864")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **pooling)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def snapshot_session(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose reads all see one committed state of the database, read-only."""
    engine = engine or get_engine()
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        yield session


class ReadRecord:
    """Filled by a request's read: the stamp of the snapshot its answer was built from."""

    __slots__ = ("stamp",)

    def __init__(self) -> None:
        self.stamp: Stamp | None = None


class Reader:
    """Runs a request's read in one worker-thread hop, on one connection, in one snapshot.

    The connection is taken inside the hop and given back before it ends, so a request
    never holds one while it waits for a thread (under a burst that wait starved the pool).
    """

    def __init__(self, open_session: OpenSession, record: ReadRecord | None) -> None:
        self._open = open_session
        self._record = record

    async def __call__(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def run() -> T:
            with self._open() as session:
                if self._record is not None:
                    self._record.stamp = stamp_of(current_version(session))
                return fn(session, *args, **kwargs)

        return await anyio.to_thread.run_sync(run)


def get_reader(request: Request) -> Reader:
    open_session: OpenSession = getattr(request.app, "open_session", snapshot_session)
    return Reader(open_session, request.scope.get(READ_RECORD))


ReadDep = Annotated[Reader, Depends(get_reader)]


def pk(row: SQLModel) -> int:
    """The primary key of a flushed row (SQLModel types it as optional)."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return value


EMPTY = DatasetVersion(id=1, dataset_id="", version=0, updated_at=datetime(1970, 1, 1, tzinfo=UTC))


def current_version(session: Session) -> DatasetVersion:
    row = session.exec(select(DatasetVersion)).first()
    return EMPTY if row is None else row


def stamp_of(row: DatasetVersion) -> Stamp:
    return Stamp(row.dataset_id, row.version)


def bump_version(session: Session, note: str) -> int:
    """Mark a change to the data; call inside the transaction that made it."""
    row = session.exec(select(DatasetVersion).with_for_update()).first()
    now = datetime.now(UTC)
    if row is None:
        row = DatasetVersion(
            id=1, dataset_id=uuid.uuid4().hex, version=1, updated_at=now, note=note
        )
    else:
        row.version += 1
        row.updated_at = now
        row.note = note
    session.add(row)
    session.flush()
    return row.version
