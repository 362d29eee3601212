import os
import random

import asyncpg
from blacksheep import Application, Request, get, json, text
from blacksheep.server.rendering.jinja2 import JinjaRenderer
from blacksheep.server.responses import view
from blacksheep.settings.html import html_settings

app = Application()
html_settings.use(JinjaRenderer(enable_async=False))
ADDED = "Additional fortune added at request time."


async def open_pool(application: Application) -> None:
    application.state_pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )


app.on_start += open_pool


def count(request: Request) -> int:
    try:
        return min(max(int(request.query.get("queries", ["1"])[0]), 1), 500)
    except ValueError:
        return 1


async def random_rows(n: int) -> list[dict[str, int]]:
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    async with app.state_pool.acquire() as conn:
        return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@get("/json")
async def json_endpoint():
    return json({"message": "Hello, World!"})


@get("/plaintext")
async def plaintext():
    return text("Hello, World!")


@get("/db")
async def single_query():
    return json((await random_rows(1))[0])


@get("/queries")
async def multiple_queries(request: Request):
    return json(await random_rows(count(request)))


@get("/updates")
async def updates(request: Request):
    rows = await random_rows(count(request))
    for row in rows:
        row["randomNumber"] = random.randint(1, 10000)
    async with app.state_pool.acquire() as conn:
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return json(rows)


@get("/fortunes")
async def fortunes():
    async with app.state_pool.acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return view("fortunes", {"fortunes": rows})
