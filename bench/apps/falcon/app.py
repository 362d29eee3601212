import os
import random

import falcon
import jinja2
from psycopg_pool import ConnectionPool

pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)
templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader("templates"), autoescape=jinja2.select_autoescape()
)


def count(req):
    try:
        return min(max(int(req.get_param("queries") or 1), 1), 500)
    except ValueError:
        return 1


def random_rows(cur, n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


class Json:
    def on_get(self, req, resp):
        resp.media = {"message": "Hello, World!"}


class Plaintext:
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class SingleQuery:
    def on_get(self, req, resp):
        with pool.connection() as conn:
            resp.media = random_rows(conn.cursor(), 1)[0]


class MultipleQueries:
    def on_get(self, req, resp):
        with pool.connection() as conn:
            resp.media = random_rows(conn.cursor(), count(req))


class Updates:
    def on_get(self, req, resp):
        with pool.connection() as conn:
            cur = conn.cursor()
            rows = random_rows(cur, count(req))
            for row in rows:
                row["randomNumber"] = random.randint(1, 10000)
            cur.executemany(
                "UPDATE world SET randomnumber = %s WHERE id = %s",
                sorted((r["randomNumber"], r["id"]) for r in rows),
            )
        resp.media = rows


class Fortunes:
    def on_get(self, req, resp):
        with pool.connection() as conn:
            found = conn.execute("SELECT id, message FROM fortune").fetchall()
        rows = [{"id": i, "message": m} for i, m in found]
        rows.append({"id": 0, "message": "Additional fortune added at request time."})
        rows.sort(key=lambda f: f["message"])
        resp.content_type = falcon.MEDIA_HTML
        resp.text = templates.get_template("fortunes.html").render(fortunes=rows)


app = falcon.App()
app.add_route("/json", Json())
app.add_route("/plaintext", Plaintext())
app.add_route("/db", SingleQuery())
app.add_route("/queries", MultipleQueries())
app.add_route("/updates", Updates())
app.add_route("/fortunes", Fortunes())
