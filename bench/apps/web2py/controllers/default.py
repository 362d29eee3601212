"""The web2py controller the app would serve (applications/bench/controllers/default.py)."""

import json
import random


def json_():
    response.headers["Content-Type"] = "application/json"  # noqa: F821 - web2py's globals
    return json.dumps({"message": "Hello, World!"})


def plaintext():
    response.headers["Content-Type"] = "text/plain"  # noqa: F821
    return "Hello, World!"


def db_():
    row = db.world[random.randint(1, 10000)]  # noqa: F821
    response.headers["Content-Type"] = "application/json"  # noqa: F821
    return json.dumps({"id": row.id, "randomNumber": row.randomnumber})
