import os
import random

import cherrypy
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
    except ValueError:
        return 1


def random_rows(cur, n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


class Root:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def json(self):
        return {"message": "Hello, World!"}

    @cherrypy.expose
    def plaintext(self):
        cherrypy.response.headers["Content-Type"] = "text/plain"
        return "Hello, World!"

    @cherrypy.expose
    @cherrypy.tools.json_out()
    def db(self):
        with pool.connection() as conn:
            return random_rows(conn.cursor(), 1)[0]

    @cherrypy.expose
    @cherrypy.tools.json_out()
    def queries(self, queries="1"):
        with pool.connection() as conn:
            return random_rows(conn.cursor(), count(queries))

    @cherrypy.expose
    @cherrypy.tools.json_out()
    def updates(self, queries="1"):
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

    @cherrypy.expose
    def fortunes(self):
        with pool.connection() as conn:
            found = conn.execute("SELECT id, message FROM fortune").fetchall()
        rows = [{"id": i, "message": m} for i, m in found]
        rows.append({"id": 0, "message": "Additional fortune added at request time."})
        rows.sort(key=lambda f: f["message"])
        cherrypy.response.headers["Content-Type"] = "text/html; charset=utf-8"
        return templates.get_template("fortunes.html").render(fortunes=rows)


if __name__ == "__main__":
    cherrypy.config.update(
        {
            "environment": "production",
            "server.socket_host": os.environ["HOST"],
            "server.socket_port": int(os.environ["PORT"]),
            "server.thread_pool": 4,
            "log.screen": False,
        }
    )
    cherrypy.quickstart(Root(), "/")
