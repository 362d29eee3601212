"""A bare ASGI callable: the floor every ASGI framework in the run is compared with."""

import html
import json
import os
import random
from urllib.parse import parse_qs

import asyncpg

pool = None
ADDED = "Additional fortune added at request time."


def count(scope):
    raw = parse_qs(scope["query_string"].decode()).get("queries", ["1"])[0]
    try:
        return min(max(int(raw), 1), 500)
    except ValueError:
        return 1


async def send_body(send, body, content_type):
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def rows(n, update=False):
    ids = [random.randint(1, 10000) for _ in range(n)]
    async with pool.acquire() as conn:
        found = [
            {
                "id": i,
                "randomNumber": await conn.fetchval(
                    "SELECT randomnumber FROM world WHERE id = $1", i
                ),
            }
            for i in ids
        ]
        if update:
            for row in found:
                row["randomNumber"] = random.randint(1, 10000)
            await conn.executemany(
                "UPDATE world SET randomnumber = $2 WHERE id = $1",
                sorted((r["id"], r["randomNumber"]) for r in found),
            )
    return found


async def app(scope, receive, send):
    global pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(
                    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/json":
        await send_body(
            send, json.dumps({"message": "Hello, World!"}).encode(), b"application/json"
        )
    elif path == "/plaintext":
        await send_body(send, b"Hello, World!", b"text/plain")
    elif path == "/db":
        row = (await rows(1))[0]
        await send_body(send, json.dumps(row).encode(), b"application/json")
    elif path in ("/queries", "/updates"):
        found = await rows(count(scope), update=path == "/updates")
        await send_body(send, json.dumps(found).encode(), b"application/json")
    elif path == "/fortunes":
        async with pool.acquire() as conn:
            fortunes = [tuple(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
        fortunes.append((0, ADDED))
        fortunes.sort(key=lambda f: f[1])
        cells = "".join(f"<tr><td>{i}</td><td>{html.escape(m)}</td></tr>" for i, m in fortunes)
        page = (
            "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
            f"<tr><th>id</th><th>message</th></tr>{cells}</table></body></html>"
        )
        await send_body(send, page.encode(), b"text/html; charset=utf-8")
    else:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
