import os
import random

import aiohttp_jinja2
import asyncpg
import jinja2
from aiohttp import web

ADDED = "Additional fortune added at request time."
routes = web.RouteTableDef()


def count(request):
    try:
        return min(max(int(request.query.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


@routes.get("/json")
async def json_endpoint(request):
    return web.json_response({"message": "Hello, World!"})


@routes.get("/plaintext")
async def plaintext(request):
    return web.Response(text="Hello, World!")


@routes.get("/db")
async def single_query(request):
    async with request.app["pool"].acquire() as conn:
        return web.json_response((await random_rows(conn, 1))[0])


@routes.get("/queries")
async def multiple_queries(request):
    async with request.app["pool"].acquire() as conn:
        return web.json_response(await random_rows(conn, count(request)))


@routes.get("/updates")
async def updates(request):
    async with request.app["pool"].acquire() as conn:
        rows = await random_rows(conn, count(request))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return web.json_response(rows)


@routes.get("/fortunes")
@aiohttp_jinja2.template("fortunes.html")
async def fortunes(request):
    async with request.app["pool"].acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": ADDED})
    rows.sort(key=lambda f: f["message"])
    return {"fortunes": rows}


async def database(app):
    app["pool"] = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )
    yield
    await app["pool"].close()


def make_app():
    app = web.Application()
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader("templates"))
    app.cleanup_ctx.append(database)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host=os.environ["HOST"], port=int(os.environ["PORT"]), access_log=None)
