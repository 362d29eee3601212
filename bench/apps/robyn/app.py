import os
import pathlib
import random

import asyncpg
from robyn import Request, Response, Robyn, jsonify
from robyn.templating import JinjaTemplate

app = Robyn(__file__)
templates = JinjaTemplate(str(pathlib.Path(__file__).parent / "templates"))
ADDED = "Additional fortune added at request time."
state = {}


@app.startup_handler
async def open_pool():
    state["pool"] = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )


def count(request: Request) -> int:
    try:
        return min(max(int(request.query_params.get("queries", "1")), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


def as_json(value) -> Response:
    return Response(200, {"Content-Type": "application/json"}, jsonify(value))


@app.get("/json")
async def json_endpoint():
    return as_json({"message": "Hello, World!"})


@app.get("/plaintext")
async def plaintext():
    return Response(200, {"Content-Type": "text/plain"}, "Hello, World!")


@app.get("/db")
async def single_query():
    async with state["pool"].acquire() as conn:
        return as_json((await random_rows(conn, 1))[0])


@app.get("/queries")
async def multiple_queries(request: Request):
    async with state["pool"].acquire() as conn:
        return as_json(await random_rows(conn, count(request)))


@app.get("/updates")
async def updates(request: Request):
    async with state["pool"].acquire() as conn:
        rows = await random_rows(conn, count(request))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return as_json(rows)


@app.get("/fortunes")
async def fortunes():
    async with state["pool"].acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    page = templates.render_template("fortunes.html", fortunes=rows)
    return Response(200, {"Content-Type": "text/html; charset=utf-8"}, page.description)


if __name__ == "__main__":
    app.start(host=os.environ["HOST"], port=int(os.environ["PORT"]))
