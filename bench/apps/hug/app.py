import os
import random

import hug
import jinja2
from psycopg_pool import ConnectionPool

pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)
templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader("templates"), autoescape=jinja2.select_autoescape()
)


def count(queries):
    try:
        return min(max(int(queries), 1), 500)
    except (TypeError, ValueError):
        return 1


def random_rows(cur, n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


@hug.get("/json")
def json_endpoint():
    return {"message": "Hello, World!"}


@hug.get("/plaintext", output=hug.output_format.text)
def plaintext():
    return "Hello, World!"


@hug.get("/db")
def single_query():
    with pool.connection() as conn:
        return random_rows(conn.cursor(), 1)[0]


@hug.get("/queries")
def multiple_queries(queries="1"):
    with pool.connection() as conn:
        return random_rows(conn.cursor(), count(queries))


@hug.get("/updates")
def updates(queries="1"):
    with pool.connection() as conn:
        cur = conn.cursor()
        rows = random_rows(cur, count(queries))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        cur.executemany(
            "UPDATE world SET randomnumber = %s WHERE id = %s",
            sorted((r["randomNumber"], r["id"]) for r in rows),
        )
    return rows


@hug.get("/fortunes", output=hug.output_format.html)
def fortunes():
    with pool.connection() as conn:
        found = conn.execute("SELECT id, message FROM fortune").fetchall()
    rows = [{"id": i, "message": m} for i, m in found]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    return templates.get_template("fortunes.html").render(fortunes=rows)
