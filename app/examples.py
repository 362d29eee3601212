"""Real responses on the seed data, shown as OpenAPI examples (regenerate with `make examples`)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "examples"


@cache
def example(name: str) -> Any:
    path = EXAMPLES / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


FRAMEWORK_DETAIL_EXAMPLE = example("framework_detail")
