"""Regenerate app/examples/*.json from the seeded database: `make examples`."""

import json
from typing import Any

from fastapi.testclient import TestClient

from app.examples import EXAMPLES
from app.main import create_app


def _trim(body: dict[str, Any], keep: dict[str, int]) -> dict[str, Any]:
    # Real answers, shortened so /openapi.json stays small: the first few items of long lists.
    out = dict(body)
    for key, count in keep.items():
        out[key] = out[key][:count]
    return out


def main() -> None:
    client = TestClient(create_app())
    django = client.get("/api/v1/frameworks/django").json()
    matrix = client.get("/api/v1/matrix?frameworks=flask,django,fastapi&category=data").json()
    compare = client.get("/api/v1/compare?frameworks=flask,django,fastapi").json()
    compare["matrix"] = _trim(compare["matrix"], {"rows": 3})
    for side in compare["pros_cons"].values():
        side.update(_trim(side, {"pros": 2, "cons": 2}))
    for item in compare["benchmarks"]["items"]:
        item.update(_trim(item, {"per_run": 1}))
    examples = {
        "framework_detail": _trim(
            django,
            {
                "facts": 4,
                "pros": 3,
                "cons": 3,
                "verdicts": 1,
                "use_cases": 3,
                "adopters": 3,
                "support": 3,
                "sources": 4,
            },
        ),
        "matrix": _trim(matrix, {"rows": 3}),
        "compare": _trim(compare, {"attributes": 12}),
    }
    EXAMPLES.mkdir(exist_ok=True)
    for name, body in examples.items():
        path = EXAMPLES / f"{name}.json"
        path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
