import contextlib
import os
import random

import asyncpg
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

templates = Jinja2Templates(directory="templates")


def queries(request):
    try:
        return min(max(int(request.query_params.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


async def random_rows(request, n):
    async with request.app.state.pool.acquire() as conn:
        return [
            {
                "id": i,
                "randomNumber": await conn.fetchval(
                    "SELECT randomnumber FROM world WHERE id = $1", i
                ),
            }
            for i in (random.randint(1, 10000) for _ in range(n))
        ]


async def json_endpoint(request):
    return JSONResponse({"message": "Hello, World!"})


async def plaintext(request):
    return PlainTextResponse("Hello, World!")


async def single_query(request):
    return JSONResponse((await random_rows(request, 1))[0])


async def multiple_queries(request):
    return JSONResponse(await random_rows(request, queries(request)))


async def updates(request):
    rows = await random_rows(request, queries(request))
    for row in rows:
        row["randomNumber"] = random.randint(1, 10000)
    async with request.app.state.pool.acquire() as conn:
        await conn.executemany(
            "UPDATE world SET randomnumber = $2 WHERE id = $1",
            sorted((r["id"], r["randomNumber"]) for r in rows),
        )
    return JSONResponse(rows)


async def fortunes(request):
    async with request.app.state.pool.acquire() as conn:
        rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    return templates.TemplateResponse(request, "fortunes.html", {"fortunes": rows})


@contextlib.asynccontextmanager
async def lifespan(app):
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/json", json_endpoint),
        Route("/plaintext", plaintext),
        Route("/db", single_query),
        Route("/queries", multiple_queries),
        Route("/updates", updates),
        Route("/fortunes", fortunes),
    ],
    lifespan=lifespan,
)
