import os
import random

from bottle import Bottle, json_dumps, request, response, template
from psycopg_pool import ConnectionPool

app = Bottle()
pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)


def count():
    try:
        return min(max(int(request.query.get("queries") or 1), 1), 500)
    except ValueError:
        return 1


def random_rows(cur, n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


@app.get("/json")
def json_endpoint():
    return {"message": "Hello, World!"}


@app.get("/plaintext")
def plaintext():
    response.content_type = "text/plain"
    return "Hello, World!"


@app.get("/db")
def single_query():
    with pool.connection() as conn:
        return random_rows(conn.cursor(), 1)[0]


def as_json(rows):
    # Bottle turns only dicts into JSON by itself; a list goes through its json_dumps.
    response.content_type = "application/json"
    return json_dumps(rows)


@app.get("/queries")
def multiple_queries():
    with pool.connection() as conn:
        return as_json(random_rows(conn.cursor(), count()))


@app.get("/updates")
def updates():
    with pool.connection() as conn:
        cur = conn.cursor()
        rows = random_rows(cur, count())
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        cur.executemany(
            "UPDATE world SET randomnumber = %s WHERE id = %s",
            sorted((r["randomNumber"], r["id"]) for r in rows),
        )
    return as_json(rows)


@app.get("/fortunes")
def fortunes():
    with pool.connection() as conn:
        found = conn.execute("SELECT id, message FROM fortune").fetchall()
    rows = [{"id": i, "message": m} for i, m in found]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    response.content_type = "text/html; charset=utf-8"
    return template("fortunes", fortunes=rows)
