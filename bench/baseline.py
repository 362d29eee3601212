"""The bare ASGI baseline: the app's own recorded answers, sent back as bytes.

It does nothing but look up (path, query, If-None-Match, gzip accepted) in a
table and send what the real app sent for it, so the ratio to it measures what
Framework Atlas adds on top of the server itself. When the app compresses, the
recorded answer to a request that accepts gzip is the compressed one, and that
is what the baseline replays.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
Key = tuple[str, bytes, bytes, bool]


def load(path: Path) -> dict[Key, Answer]:
    table = {}
    for rec in json.loads(path.read_text()):
        key = (rec["path"], rec["query"].encode(), rec["if_none_match"].encode(), rec["gzip"])
        headers = [(k.encode(), v.encode()) for k, v in rec["headers"]]
        table[key] = (rec["status"], headers, base64.b64decode(rec["body"]))
    return table


ANSWERS = load(Path(os.environ["BENCH_ANSWERS"]))
NOT_FOUND: Answer = (404, [(b"content-length", b"0")], b"")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    if_none_match = b""
    gzip = False
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"accept-encoding":
            gzip = b"gzip" in value
    status, headers, body = ANSWERS.get(
        (scope["path"], scope["query_string"], if_none_match, gzip), NOT_FOUND
    )
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def factory() -> Any:
    return app
