import os
import random

import asyncpg
import jinja2
from sanic import Sanic
from sanic.response import html, json, text

app = Sanic("bench")
templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader("templates"), autoescape=jinja2.select_autoescape()
)
ADDED = "Additional fortune added at request time."


@app.before_server_start
async def open_pool(app, _):
    app.ctx.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )


@app.after_server_stop
async def close_pool(app, _):
    await app.ctx.pool.close()


def count(request):
    try:
        return min(max(int(request.args.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@app.get("/json")
async def json_endpoint(request):
    return json({"message": "Hello, World!"})


@app.get("/plaintext")
async def plaintext(request):
    return text("Hello, World!")


@app.get("/db")
async def single_query(request):
    async with app.ctx.pool.acquire() as conn:
        return json((await random_rows(conn, 1))[0])


@app.get("/queries")
async def multiple_queries(request):
    async with app.ctx.pool.acquire() as conn:
        return json(await random_rows(conn, count(request)))


@app.get("/updates")
async def updates(request):
    async with app.ctx.pool.acquire() as conn:
        rows = await random_rows(conn, count(request))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return json(rows)


@app.get("/fortunes")
async def fortunes(request):
    async with app.ctx.pool.acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return html(templates.get_template("fortunes.html").render(fortunes=rows))
