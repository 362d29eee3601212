from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine, select

from app.config import get_settings
from app.models import DatasetVersion


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # Pages re-read after another process writes come from the mapping, not read().
            cursor.execute("PRAGMA mmap_size=67108864")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def pk(row: SQLModel) -> int:
    """The primary key of a flushed row (SQLModel types it as optional)."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return value


def current_version(session: Session) -> DatasetVersion:
    row = session.exec(select(DatasetVersion)).first()
    if row is None:
        return DatasetVersion(id=1, version=0, updated_at=datetime(1970, 1, 1, tzinfo=UTC))
    return row


def bump_version(session: Session, note: str) -> int:
    """Mark a change to the data; call inside the transaction that made it."""
    row = session.exec(select(DatasetVersion).with_for_update()).first()
    now = datetime.now(UTC)
    if row is None:
        row = DatasetVersion(id=1, version=1, updated_at=now, note=note)
    else:
        row.version += 1
        row.updated_at = now
        row.note = note
    session.add(row)
    session.flush()
    return row.version
