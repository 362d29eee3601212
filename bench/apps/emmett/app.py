import asyncio
import os
import random

import asyncpg
from emmett import App, request, response
from emmett.tools import service

app = App(__name__)
state = {}
ADDED = "Additional fortune added at request time."


async def pool():
    # Opened on the first request, inside the worker's own event loop; the lock keeps
    # a burst of first requests from opening a pool each.
    lock = state.setdefault("lock", asyncio.Lock())
    async with lock:
        if "pool" not in state:
            state["pool"] = await asyncpg.create_pool(
                os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
            )
    return state["pool"]


def count():
    try:
        return min(max(int(request.query_params.queries or 1), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@app.route("/json")
@service.json
async def json_endpoint():
    return {"message": "Hello, World!"}


@app.route("/plaintext", output="bytes")
async def plaintext():
    response.content_type = "text/plain"
    return b"Hello, World!"


@app.route("/db")
@service.json
async def single_query():
    async with (await pool()).acquire() as conn:
        return (await random_rows(conn, 1))[0]


@app.route("/queries")
@service.json
async def multiple_queries():
    async with (await pool()).acquire() as conn:
        return await random_rows(conn, count())


@app.route("/updates")
@service.json
async def updates():
    async with (await pool()).acquire() as conn:
        rows = await random_rows(conn, count())
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return rows


@app.route("/fortunes", template="fortunes.html")
async def fortunes():
    async with (await pool()).acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return {"fortunes": rows}
