import os
import random

from psycopg_pool import ConnectionPool
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.view import view_config

pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)


def count(request):
    try:
        return min(max(int(request.params.get("queries", 1)), 1), 500)
    except ValueError:
        return 1


def random_rows(cur, n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": cur.fetchone()[0]})
    return rows


@view_config(route_name="json", renderer="json")
def json_view(request):
    return {"message": "Hello, World!"}


@view_config(route_name="plaintext")
def plaintext(request):
    return Response("Hello, World!", content_type="text/plain")


@view_config(route_name="db", renderer="json")
def single_query(request):
    with pool.connection() as conn:
        return random_rows(conn.cursor(), 1)[0]


@view_config(route_name="queries", renderer="json")
def multiple_queries(request):
    with pool.connection() as conn:
        return random_rows(conn.cursor(), count(request))


@view_config(route_name="updates", renderer="json")
def updates(request):
    with pool.connection() as conn:
        cur = conn.cursor()
        rows = random_rows(cur, count(request))
        for row in rows:
            row["randomNumber"] = random.randint(1, 10000)
        cur.executemany(
            "UPDATE world SET randomnumber = %s WHERE id = %s",
            sorted((r["randomNumber"], r["id"]) for r in rows),
        )
    return rows


@view_config(route_name="fortunes", renderer="templates/fortunes.jinja2")
def fortunes(request):
    with pool.connection() as conn:
        found = conn.execute("SELECT id, message FROM fortune").fetchall()
    rows = [{"id": i, "message": m} for i, m in found]
    rows.append({"id": 0, "message": "Additional fortune added at request time."})
    rows.sort(key=lambda f: f["message"])
    return {"fortunes": rows}


with Configurator() as config:
    config.include("pyramid_jinja2")
    for name in ("json", "plaintext", "db", "queries", "updates", "fortunes"):
        config.add_route(name, f"/{name}")
    config.scan()
    app = config.make_wsgi_app()
