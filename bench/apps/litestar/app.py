import contextlib
import os
import random
from pathlib import Path

import asyncpg
from litestar import Litestar, MediaType, Request, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

ADDED = "Additional fortune added at request time."


def count(queries: str) -> int:
    try:
        return min(max(int(queries), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n: int) -> list[dict[str, int]]:
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@get("/json")
async def json_endpoint() -> dict[str, str]:
    return {"message": "Hello, World!"}


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> bytes:
    return b"Hello, World!"


@get("/db")
async def single_query(request: Request) -> dict[str, int]:
    async with request.app.state.pool.acquire() as conn:
        return (await random_rows(conn, 1))[0]


@get("/queries")
async def multiple_queries(request: Request, queries: str = "1") -> list[dict[str, int]]:
    async with request.app.state.pool.acquire() as conn:
        return await random_rows(conn, count(queries))


@get("/updates")
async def updates(request: Request, queries: str = "1") -> list[dict[str, int]]:
    async with request.app.state.pool.acquire() as conn:
        rows = await random_rows(conn, count(queries))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return rows


@get("/fortunes")
async def fortunes(request: Request) -> Template:
    async with request.app.state.pool.acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return Template(
        template_name="fortunes.html",
        context={"fortunes": rows},
        media_type="text/html; charset=utf-8",
    )


@contextlib.asynccontextmanager
async def lifespan(app: Litestar):
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )
    yield
    await app.state.pool.close()


app = Litestar(
    route_handlers=[json_endpoint, plaintext, single_query, multiple_queries, updates, fortunes],
    lifespan=[lifespan],
    template_config=TemplateConfig(directory=Path("templates"), engine=JinjaTemplateEngine),
    openapi_config=None,
)
