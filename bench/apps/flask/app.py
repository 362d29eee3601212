import os
import random
from types import SimpleNamespace

from flask import Flask, jsonify, render_template, request
from psycopg_pool import ConnectionPool

app = Flask(__name__)


# Gunicorn's gthread worker serves 4 requests at once: one pooled connection each.
pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)


def queries():
    return min(max(request.args.get("queries", 1, type=int) or 1, 1), 500)


def random_rows(n, cur):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


@app.get("/json")
def hello_json():
    return jsonify(message="Hello, World!")


@app.get("/plaintext")
def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/db")
def single_query():
    with pool.connection() as conn:
        return jsonify(random_rows(1, conn.cursor())[0])


@app.get("/queries")
def multiple_queries():
    with pool.connection() as conn:
        return jsonify(random_rows(queries(), conn.cursor()))


@app.get("/updates")
def updates():
    with pool.connection() as conn:
        cur = conn.cursor()
        rows = random_rows(queries(), cur)
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        cur.executemany(
            "UPDATE world SET randomnumber = %s WHERE id = %s",
            sorted((r["randomNumber"], r["id"]) for r in rows),
        )
    return jsonify(rows)


@app.get("/fortunes")
def fortunes():
    with pool.connection() as conn:
        found = conn.execute("SELECT id, message FROM fortune").fetchall()
    rows = [SimpleNamespace(id=i, message=m) for i, m in found]
    rows.append(SimpleNamespace(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda f: f.message)
    return render_template("fortunes.html", fortunes=rows)
