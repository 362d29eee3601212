"""A bare WSGI callable: the floor every WSGI framework in the run is compared with."""

import html
import json
import os
import random
from urllib.parse import parse_qs

from psycopg_pool import ConnectionPool

ADDED = "Additional fortune added at request time."
# As many connections as the worker has threads, so no request waits for another's.
pool = ConnectionPool(
    os.environ["BENCH_DATABASE_URL"], min_size=4, max_size=4, kwargs={"autocommit": True}
)


def count(environ):
    raw = parse_qs(environ.get("QUERY_STRING", "")).get("queries", ["1"])[0]
    try:
        return min(max(int(raw), 1), 500)
    except ValueError:
        return 1


def rows(n, update=False):
    with pool.connection() as conn:
        return _rows(conn.cursor(), n, update)


def _rows(cur, n, update):
    found = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        cur.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        found.append({"id": i, "randomNumber": cur.fetchone()[0]})
    if update:
        for row in found:
            row["randomNumber"] = random.randint(1, 10000)
        cur.executemany(
            "UPDATE world SET randomnumber = %s WHERE id = %s",
            sorted((r["randomNumber"], r["id"]) for r in found),
        )
    return found


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/json":
        body, kind = json.dumps({"message": "Hello, World!"}).encode(), "application/json"
    elif path == "/plaintext":
        body, kind = b"Hello, World!", "text/plain"
    elif path == "/db":
        body, kind = json.dumps(rows(1)[0]).encode(), "application/json"
    elif path in ("/queries", "/updates"):
        found = rows(count(environ), update=path == "/updates")
        body, kind = json.dumps(found).encode(), "application/json"
    elif path == "/fortunes":
        with pool.connection() as conn:
            fortunes = conn.execute("SELECT id, message FROM fortune").fetchall()
        fortunes.append((0, ADDED))
        fortunes.sort(key=lambda f: f[1])
        cells = "".join(f"<tr><td>{i}</td><td>{html.escape(m)}</td></tr>" for i, m in fortunes)
        page = (
            "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
            f"<tr><th>id</th><th>message</th></tr>{cells}</table></body></html>"
        )
        body, kind = page.encode(), "text/html; charset=utf-8"
    else:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]
