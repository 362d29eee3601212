import os
import random

import asyncpg
from quart import Quart, jsonify, render_template, request

app = Quart(__name__)
ADDED = "Additional fortune added at request time."


@app.before_serving
async def open_pool():
    app.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4)


@app.after_serving
async def close_pool():
    await app.pool.close()


def count() -> int:
    try:
        return min(max(int(request.args.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@app.get("/json")
async def json_endpoint():
    return jsonify(message="Hello, World!")


@app.get("/plaintext")
async def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/db")
async def single_query():
    async with app.pool.acquire() as conn:
        return jsonify((await random_rows(conn, 1))[0])


@app.get("/queries")
async def multiple_queries():
    async with app.pool.acquire() as conn:
        return jsonify(await random_rows(conn, count()))


@app.get("/updates")
async def updates():
    async with app.pool.acquire() as conn:
        rows = await random_rows(conn, count())
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return jsonify(rows)


@app.get("/fortunes")
async def fortunes():
    async with app.pool.acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return await render_template("fortunes.html", fortunes=rows)
