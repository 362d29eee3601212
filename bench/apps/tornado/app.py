import asyncio
import json
import os
import random

import asyncpg
import tornado.web

ADDED = "Additional fortune added at request time."


def count(handler):
    try:
        return min(max(int(handler.get_argument("queries", "1")), 1), 500)
    except ValueError:
        return 1


async def random_rows(conn, n):
    ids = [random.randint(1, 10000) for _ in range(n)]
    sql = "SELECT randomnumber FROM world WHERE id = $1"
    return [{"id": i, "randomNumber": await conn.fetchval(sql, i)} for i in ids]


class Base(tornado.web.RequestHandler):
    @property
    def pool(self):
        return self.application.settings["pool"]

    def send_json(self, value):
        # write() of a dict sets the JSON type; a list must be encoded by hand.
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(value))


class Json(Base):
    def get(self):
        self.write({"message": "Hello, World!"})


class Plaintext(Base):
    def get(self):
        self.set_header("Content-Type", "text/plain")
        self.finish("Hello, World!")


class SingleQuery(Base):
    async def get(self):
        async with self.pool.acquire() as conn:
            self.send_json((await random_rows(conn, 1))[0])


class MultipleQueries(Base):
    async def get(self):
        async with self.pool.acquire() as conn:
            self.send_json(await random_rows(conn, count(self)))


class Updates(Base):
    async def get(self):
        async with self.pool.acquire() as conn:
            rows = await random_rows(conn, count(self))
            for row in rows:
                row["randomNumber"] = random.randint(1, 10000)
            await conn.executemany(
                "UPDATE world SET randomnumber = $2 WHERE id = $1",
                sorted((r["id"], r["randomNumber"]) for r in rows),
            )
        self.send_json(rows)


class Fortunes(Base):
    async def get(self):
        async with self.pool.acquire() as conn:
            rows = [dict(r) for r in await conn.fetch("SELECT id, message FROM fortune")]
        rows.append({"id": 0, "message": ADDED})
        rows.sort(key=lambda f: f["message"])
        self.render("fortunes.html", fortunes=rows)


async def main():
    pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4)
    app = tornado.web.Application(
        [
            (r"/json", Json),
            (r"/plaintext", Plaintext),
            (r"/db", SingleQuery),
            (r"/queries", MultipleQueries),
            (r"/updates", Updates),
            (r"/fortunes", Fortunes),
        ],
        template_path="templates",
        pool=pool,
        log_function=lambda handler: None,  # no access log, as for every app here
    )
    app.listen(int(os.environ["PORT"]), address=os.environ["HOST"])
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
