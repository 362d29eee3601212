# Needs only Python 3.11+ and make: uv is bootstrapped into .tools/ if absent.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)
RUN := $(UV) run --locked --no-sync
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c "import sys; print(sys.executable)")

.PHONY: run test lint typecheck pytest bench bench-smoke bench-scale bench-apps bench-apps-smoke soak soak-smoke examples sync clean

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

sync: $(UV)
	$(UV) sync --locked --quiet

run: sync
	$(RUN) fwatlas seed-if-empty
	$(RUN) fwatlas serve

test: sync lint typecheck pytest

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) fwatlas validate

typecheck: sync
	$(RUN) mypy

# Once on SQLite, and once more on PostgreSQL when TEST_DATABASE_URL names one.
pytest: sync
	env -u TEST_DATABASE_URL $(RUN) pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL"; $(RUN) pytest -p no:cacheprovider; fi

# fwatlas serve as shipped (each server, access log on and off) against a bare ASGI app
# sending the same bytes, and a plain FastAPI peer; see bench/README.md. About 10 minutes.
bench: sync
	$(RUN) python -m bench.run

# The same harness for CI: one short round on the shipped server, under a minute. Fails
# only on error answers, socket errors or lost access log lines, never on ratios.
bench-smoke: sync
	$(RUN) python -m bench.run --smoke

# The synthetic dataset at scale (10,000 frameworks) and what reads cost on it.
bench-scale: sync
	$(RUN) python -m bench.generate
	$(RUN) python -m bench.scale

# The real server under bursts, header floods, big bodies and seeding while reading;
# exits non-zero naming each broken promise. SOAK_ARGS: e.g. --database-url, --port.
soak: sync
	$(RUN) python -m bench.soak $(SOAK_ARGS)

# The same scenarios, short (under a minute): for CI.
soak-smoke: sync
	$(RUN) python -m bench.soak --smoke $(SOAK_ARGS)
# Every reference app under bench/apps, verified then loaded with wrk (about 45 minutes).
# FWATLAS_BENCH_DATABASE_URL names the PostgreSQL database the harness drops and refills.
bench-apps: sync
	$(RUN) fwatlas bench --out bench/results/bench-run.json

# CI's smoke: two frameworks and the bare servers, json, one second each; verified,
# measured and imported end to end into a throwaway SQLite database.
SMOKE_DB := sqlite:///bench/results/smoke.db
bench-apps-smoke: sync
	$(RUN) fwatlas bench --frameworks flask,starlette --tests json --duration 1 --rounds 1 \
		--warmup 0 --concurrency 16 --strict --out bench/results/smoke-run.json
	rm -f bench/results/smoke.db
	DATABASE_URL=$(SMOKE_DB) $(RUN) fwatlas seed
	DATABASE_URL=$(SMOKE_DB) $(RUN) fwatlas benchmarks import bench/results/smoke-run.json

examples: sync
	$(RUN) fwatlas seed-if-empty
	$(RUN) python -m app.examples_build

clean:
	rm -rf .venv $(TOOLS) data .pytest_cache .mypy_cache .ruff_cache
