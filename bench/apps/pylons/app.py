"""A Pylons 1.0 application in one file: a controller per test type behind a Routes map."""

import json
import os
import random

import psycopg
import waitress
from pylons import config, response
from pylons.controllers import WSGIController
from pylons.wsgiapp import PylonsApp
from routes import Mapper

connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)


def random_rows(n):
    rows = []
    for i in (random.randint(1, 10000) for _ in range(n)):
        found = connection.execute("SELECT randomnumber FROM world WHERE id = %s", (i,))
        rows.append({"id": i, "randomNumber": found.fetchone()[0]})
    return rows


class BenchController(WSGIController):
    def json(self):
        response.content_type = "application/json"
        return json.dumps({"message": "Hello, World!"})

    def plaintext(self):
        response.content_type = "text/plain"
        return "Hello, World!"

    def db(self):
        response.content_type = "application/json"
        return json.dumps(random_rows(1)[0])


def make_app():
    mapper = Mapper()
    for action in ("json", "plaintext", "db"):
        mapper.connect(f"/{action}", controller="bench", action=action)
    config.init_app({}, {"pylons.paths": {"controllers": os.path.dirname(__file__)}})
    config["routes.map"] = mapper
    return PylonsApp(config=config)


if __name__ == "__main__":
    waitress.serve(make_app(), host=os.environ["HOST"], port=int(os.environ["PORT"]))
