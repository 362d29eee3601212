import contextlib
import os
import random

import asyncpg
import jinja2
from connexion import AsyncApp, ConnexionMiddleware

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader("templates"), autoescape=jinja2.select_autoescape()
)
state = {}


def count(queries):
    try:
        return min(max(int(queries), 1), 500)
    except (TypeError, ValueError):
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


async def json_endpoint():
    return {"message": "Hello, World!"}


async def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


async def single_query():
    async with state["pool"].acquire() as conn:
        return (await random_rows(conn, 1))[0]


async def multiple_queries(queries=None):
    async with state["pool"].acquire() as conn:
        return await random_rows(conn, count(queries))


async def updates(queries=None):
    async with state["pool"].acquire() as conn:
        rows = await random_rows(conn, count(queries))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return rows


async def fortunes():
    async with state["pool"].acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    page = templates.get_template("fortunes.html").render(fortunes=rows)
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}


@contextlib.asynccontextmanager
async def lifespan(app: ConnexionMiddleware):
    state["pool"] = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )
    yield
    await state["pool"].close()


app = AsyncApp(__name__, lifespan=lifespan)
app.add_api("openapi.yaml", swagger_ui_options=None)
