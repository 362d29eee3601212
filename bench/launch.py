"""Run a benchmark's ASGI factory under `fwatlas serve`'s server and settings, with
nothing in front of it (no proxy-header layer, no access log).

    python -m bench.launch bench.baseline:factory   # FWATLAS_SERVER, FWATLAS_PORT, ...
"""

import sys

from app.config import get_settings
from app.serve import run

if __name__ == "__main__":
    run(get_settings(), target=sys.argv[1])
