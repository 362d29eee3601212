"""The peer a user would write: plain FastAPI, a response model, no cache.

It serves the same framework detail as Framework Atlas (the recorded answer,
validated into the app's own `FrameworkDetail` once at start-up), so what it
costs per request is FastAPI's routing, response-model validation and
serialization: the work the response cache saves.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException

from app.catalogue.schemas import FrameworkDetail

DETAILS: dict[str, FrameworkDetail] = {}
for rec in json.loads(Path(os.environ["BENCH_ANSWERS"]).read_text()):
    if rec["path"].startswith("/api/v1/frameworks/") and rec["status"] == 200 and not rec["gzip"]:
        body = json.loads(base64.b64decode(rec["body"]))
        for computed in FrameworkDetail.model_computed_fields:  # derived on output, not input
            body.pop(computed, None)
        DETAILS[body["slug"]] = FrameworkDetail.model_validate(body)

app = FastAPI()


@app.get("/api/v1/frameworks/{slug}")
async def get_framework(slug: str) -> FrameworkDetail:
    if slug not in DETAILS:
        raise HTTPException(404)
    return DETAILS[slug]


def factory() -> Any:
    return app
