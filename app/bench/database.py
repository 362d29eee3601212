"""The benchmark database: a `world` table of 10,000 rows and a `fortune` table, the same
for every app, created and refilled by the harness in its own database."""

import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

WORLD_ROWS = 10_000
# Our own fortunes; one carries markup and one non-ASCII text, so the verifier can tell
# whether a template escapes and encodes what it renders.
FORTUNES = (
    "A benchmark measures the benchmark first.",
    "Premature optimisation is a loan at interest.",
    "<script>alert('an unescaped fortune');</script>",
    "The median is kinder than the mean.",
    "Cache what you can, measure what you must.",
    "Ein Server ohne Last ist ein ruhiger Server: größer ist nicht schneller.",
    "Every framework is fast until it touches a database.",
    "Two cores are a crowd.",
    "Latency hides in the tail.",
    "A run without metadata is an anecdote.",
    'Bytes & "quotes" must survive the template.',
    "フレームワークは道具です。",
)
ADDED_FORTUNE = "Additional fortune added at request time."


@dataclass(frozen=True)
class Database:
    url: str  # a libpq URI, which every driver an app may use accepts

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def parts(self) -> dict[str, str]:
        split = urlsplit(self.url)
        return {
            "BENCH_DATABASE_URL": self.url,
            "BENCH_DB_HOST": split.hostname or "127.0.0.1",
            "BENCH_DB_PORT": str(split.port or 5432),
            "BENCH_DB_USER": split.username or "postgres",
            "BENCH_DB_PASSWORD": split.password or "",
            "BENCH_DB_NAME": self.name,
        }

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.url, connect_timeout=5)

    def version(self) -> str:
        with self.connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0]}" if row else "PostgreSQL"


def _ensure_exists(db: Database) -> None:
    split = urlsplit(db.url)
    admin = urlunsplit(split._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db.name,))
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))


def prepare(db: Database, seed: int = 16) -> None:
    """Drop and refill both tables, so every run starts from the same rows."""
    _ensure_exists(db)
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    with db.connect() as conn, conn.transaction():
        conn.execute("DROP TABLE IF EXISTS world, fortune")
        conn.execute("CREATE TABLE world (id integer PRIMARY KEY, randomnumber integer NOT NULL)")
        conn.execute("CREATE TABLE fortune (id integer PRIMARY KEY, message text NOT NULL)")
        with conn.cursor().copy("COPY world (id, randomnumber) FROM STDIN") as copy:
            for i in range(1, WORLD_ROWS + 1):
                copy.write_row((i, rng.randint(1, WORLD_ROWS)))
        with conn.cursor().copy("COPY fortune (id, message) FROM STDIN") as copy:
            for i, message in enumerate(FORTUNES, start=1):
                copy.write_row((i, message))
    with db.connect() as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE world")
        conn.execute("VACUUM ANALYZE fortune")


def world_rows(db: Database, ids: list[int]) -> dict[int, int]:
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT id, randomnumber FROM world WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    return {int(i): int(n) for i, n in rows}


def fortunes(db: Database) -> list[tuple[int, str]]:
    with db.connect() as conn:
        rows = conn.execute("SELECT id, message FROM fortune").fetchall()
    return [(int(i), str(m)) for i, m in rows]
