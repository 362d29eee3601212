import contextlib
import os
import random
from typing import Annotated

import asyncpg
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

templates = Jinja2Templates(directory="templates")


class Message(BaseModel):
    message: str


class Row(BaseModel):
    id: int
    randomNumber: int  # the field name the test type fixes


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
    )
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


async def connection(request: Request):
    async with request.app.state.pool.acquire() as conn:
        yield conn


Conn = Annotated[asyncpg.Connection, Depends(connection)]


def count(queries: str = "1") -> int:
    try:
        return min(max(int(queries), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n: int) -> list[Row]:
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [Row(id=i, randomNumber=await conn.fetchval(sql, i)) for i in ids]


@app.get("/json")
async def json_endpoint() -> Message:
    return Message(message="Hello, World!")


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/db")
async def single_query(conn: Conn) -> Row:
    return (await random_rows(conn, 1))[0]


@app.get("/queries")
async def multiple_queries(conn: Conn, n: Annotated[int, Depends(count)]) -> list[Row]:
    return await random_rows(conn, n)


@app.get("/updates")
async def updates(conn: Conn, n: Annotated[int, Depends(count)]) -> list[Row]:
    rows = await random_rows(conn, n)
    for row in rows:
        row.randomNumber = random.randint(1, 10000)
    await conn.executemany(
        "UPDATE world SET randomnumber = $2 WHERE id = $1",
        sorted((r.id, r.randomNumber) for r in rows),
    )
    return rows


@app.get("/fortunes", response_class=HTMLResponse)
async def fortunes(request: Request, conn: Conn):
    rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    return templates.TemplateResponse(request, "fortunes.html", {"fortunes": rows})
