import os
import random
from json import dumps

from psycopg_pool import ConnectionPool
from tg import MinimalApplicationConfigurator, TGController, expose, response

pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
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


class RootController(TGController):
    @expose("json")
    def json(self):
        return {"message": "Hello, World!"}

    @expose(content_type="text/plain")
    def plaintext(self):
        return "Hello, World!"

    @expose("json")
    def db(self):
        with pool.connection() as conn:
            return random_rows(conn.cursor(), 1)[0]

    @expose()
    def queries(self, queries="1"):
        with pool.connection() as conn:
            rows = random_rows(conn.cursor(), count(queries))
        # TurboGears' JSON renderer refuses top-level lists (a JSON-hijacking guard).
        response.content_type = "application/json"
        return dumps(rows)

    @expose()
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
        response.content_type = "application/json"
        return dumps(rows)

    @expose("kajiki:fortunes.xhtml", content_type="text/html; charset=utf-8")
    def fortunes(self):
        with pool.connection() as conn:
            found = conn.execute("SELECT id, message FROM fortune").fetchall()
        rows = [{"id": i, "message": m} for i, m in found]
        rows.append({"id": 0, "message": "Additional fortune added at request time."})
        rows.sort(key=lambda f: f["message"])
        return {"fortunes": rows}


config = MinimalApplicationConfigurator()
config.update_blueprint(
    {
        "root_controller": RootController(),
        "renderers": ["json", "kajiki"],
        "paths": {"templates": [os.path.join(os.path.dirname(__file__), "templates")]},
    }
)
application = config.make_wsgi_app()
