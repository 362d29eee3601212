"""The dataset's identity and version clock, and whether the database can serve at all."""

import logging
import time
from collections.abc import Callable
from functools import lru_cache

import anyio.to_thread
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, TimeoutError
from sqlmodel import Session

from app.config import ROOT
from app.db import OpenSession, Stamp, current_version, stamp_of

logger = logging.getLogger("app.version")
MAX_BACKOFF = 30.0


class NotReady(Exception):
    """The database cannot serve the dataset; the message says why and what fixes it."""


@lru_cache
def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head()
    if head is None:
        raise RuntimeError("the migrations have no head revision")
    return head


def _no_such_table(exc: DBAPIError) -> bool:
    # PostgreSQL's undefined_table, or SQLite's wording for it.
    return getattr(exc.orig, "sqlstate", None) == "42P01" or "no such table" in str(exc.orig)


def read_stamp(session: Session) -> Stamp:
    """The dataset's stamp, or NotReady when the schema is not the one this code expects."""
    try:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (DBAPIError, TimeoutError) as exc:
        session.rollback()
        if isinstance(exc, DBAPIError) and _no_such_table(exc):
            raise NotReady(
                "the database has no schema: run `fwatlas db upgrade`, then `fwatlas seed`"
            ) from exc
        raise NotReady(f"the database cannot be reached ({type(exc).__name__})") from exc
    if revision != head_revision():
        raise NotReady(
            f"the database schema is at revision {revision}, this code needs "
            f"{head_revision()}: run `fwatlas db upgrade`"
        )
    return stamp_of(current_version(session))


def check(open_session: OpenSession) -> Stamp:
    """Read the stamp in a session of its own; any failure to do so is NotReady."""
    try:
        with open_session() as session:
            return read_stamp(session)
    except SQLAlchemyError as exc:
        raise NotReady(f"the database cannot be reached ({type(exc).__name__})") from exc


class VersionClock:
    """The dataset's stamp, read from the database at most once per `interval` seconds.

    Each worker and replica polls the shared database, so a change made anywhere is seen
    everywhere within `interval` without a restart. While `poll()` runs (the app's
    lifetime) requests never wait on that read, and `on_change` rebuilds what depends on
    the whole dataset before requests need it. A failing database is retried with a
    growing pause, logged once when it fails and once when it recovers; the last stamp
    known stays in use, so stored answers keep being served meanwhile.
    """

    def __init__(
        self,
        read: Callable[[], Stamp],
        interval: float,
        on_change: Callable[[], object] | None = None,
    ) -> None:
        self._read = read
        self.interval = interval
        self.on_change = on_change
        self._stamp: Stamp | None = None
        self._problem: NotReady | None = None
        self._failures = 0
        self._due = float("-inf")
        self._polling = False

    async def get(self) -> Stamp:
        """The stamp to serve under; NotReady when none has ever been read."""
        # Read inline when nothing polls, or when the poll has not read a stamp yet (the
        # first requests after start-up).
        stale = not self._polling or self._stamp is None
        if stale and time.monotonic() >= self._due:
            # Taken before the read: a change committed during it is seen next time.
            due = time.monotonic() + self.interval
            await self._refresh(rebuild=False)
            self._due = due if self._problem is None else due + self.backoff
        if self._stamp is None:
            raise self._problem or NotReady("the dataset version has not been read yet")
        return self._stamp

    @property
    def problem(self) -> NotReady | None:
        """Why the last read failed, while it keeps failing."""
        return self._problem

    @property
    def backoff(self) -> float:
        pause: float = max(self.interval, 0.5) * 2.0 ** (self._failures - 1)
        return min(MAX_BACKOFF, pause)

    async def poll(self) -> None:
        """Re-read the stamp every `interval` until cancelled (not at all for 0)."""
        if self.interval <= 0:
            return
        self._polling = True
        try:
            while True:
                await self._refresh(rebuild=True)
                await anyio.sleep(self.interval if self._problem is None else self.backoff)
        finally:
            self._polling = False

    async def _refresh(self, *, rebuild: bool) -> None:
        try:
            stamp = await anyio.to_thread.run_sync(self._read)
        except NotReady as exc:
            self._failed(exc)
            return
        if self._problem is not None:
            logger.warning("the database serves the dataset again (%s)", stamp.tag)
        self._problem, self._failures = None, 0
        if stamp != self._stamp:
            self._stamp = stamp
            # Inline reads leave the rebuild to the request that needs it.
            if rebuild and self.on_change is not None:
                try:
                    await anyio.to_thread.run_sync(self.on_change)
                except Exception:  # the next request builds what this could not
                    logger.exception("cannot prepare the derived data for %s", stamp.tag)

    def _failed(self, exc: NotReady) -> None:
        if self._problem is None or str(self._problem) != str(exc):
            logger.error("not ready: %s (retrying with back-off up to %.0f s)", exc, MAX_BACKOFF)
        self._problem = exc
        self._failures += 1
