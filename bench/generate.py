"""Generate a synthetic Framework Atlas dataset at scale, in a database of its own.

    python -m bench.generate [--database-url URL] [--frameworks 10000] [--features 200]
                             [--results 200000] [--seed 7]

The default target is the SQLite file data/scale.db, dropped and recreated on every
run. On PostgreSQL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) the
dataset goes in the dedicated schema `fwatlas_scale`, dropped and recreated; no
other schema is touched. The schema comes from the project's Alembic migrations,
so tables, constraints and indexes are exactly the production ones.

It refuses the app's own database, and any target that already holds data this
script did not write. The same --seed gives the same rows.
"""

import argparse
import json
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, SQLModel

from app.benchmarks.reconcile import representative_rps
from app.config import Settings, get_settings
from app.db import bump_version, make_engine
from app.enums import Aspect
from app.recommendations.scoring import BATTERIES, FEATURE_CRITERIA, OPTIONAL_LAYERS
from app.seed.load import read_dataset
from bench.scaledb import MARK, ROOT, SCHEMA, resolve_url, shown

# The seed's own categories, features and use-case presets, so the recommendation
# scorer, the compare rows and the presets meet the slugs they look for.
SEED = read_dataset(get_settings().seed_path)
CATEGORIES = [(c.slug, c.name) for c in SEED.categories] + [("extras", "Extras (synthetic)")]
REAL_FEATURES = [(f.slug, f.name, f.category, f.parent) for f in SEED.features]
USE_CASES = [
    (u.slug, u.name, {str(k): v for k, v in u.weights.items()}, u.must_have, u.nice_to_have)
    for u in SEED.use_cases
]

LANGUAGES = (["python"] * 16) + ["javascript", "go", "ruby", "rust"]
LICENSES = ["MIT"] * 5 + ["BSD-3-Clause"] * 3 + ["Apache-2.0"] * 2 + ["BSD-2-Clause", "LGPL-3.0"]
SYLLABLES = [
    *("ar", "bel", "cor", "dan", "el", "fal", "gor", "hex", "ion", "jas", "kel", "lum"),
    *("mar", "nov", "or", "pyr", "quo", "ras", "sil", "tor", "ul", "vex", "wyn", "xan"),
    *("yor", "zen", "bri", "cal", "dro", "fen"),
]
SERVERS = ["uvicorn", "gunicorn", "granian", "hypercorn", "waitress", None]
TEST_TYPES = ["json", "plaintext", "db", "query", "fortune", "update", "cached-query"]
TYPE_BASE_RPS = {
    "json": 60_000,
    "plaintext": 90_000,
    "db": 25_000,
    "query": 8_000,
    "fortune": 15_000,
    "update": 3_000,
    "cached-query": 40_000,
}
PROS = [
    "Minimal learning curve",
    "Huge ecosystem of extensions",
    "Fast to get started",
    "Excellent documentation",
    "Mature and stable",
    "Great for small to medium applications",
    "Automatic interactive API documentation",
]
CONS = [
    "Limited async support",
    "Slower than ASGI alternatives under load",
    "No built-in admin panel",
    "Manual setup required for the ORM",
    "Smaller community and ecosystem",
    "Opinionated conventions are hard to deviate from",
    "Security features not built in: CSRF protection is manual",
    "Steep learning curve for beginners",
]
ASPECT_VALUES = ["Micro-framework", "Moderate", "Good", "Limited", "Manual", "Built-in", "Yes"]
EPOCH = date(2023, 1, 1)
# Every feature slug the recommendation scorer reads is among the real ones above.
SCORER_FEATURES = (
    set(BATTERIES) | set(OPTIONAL_LAYERS) | {f for fs in FEATURE_CRITERIA.values() for f in fs}
)
assert not SCORER_FEATURES - {slug for slug, *_ in REAL_FEATURES}, SCORER_FEATURES


@dataclass(frozen=True, slots=True)
class Profile:
    """What shapes a synthetic framework's rows beyond its own table."""

    classification: str | None
    richness: float  # how much it supports, 0..1
    speed: float  # benchmark throughput factor


@dataclass(frozen=True, slots=True)
class Plan:
    seed: int
    frameworks: int
    features: int
    results: int
    sources: int
    runs: int

    def rng(self, what: str) -> random.Random:
        # One stream per table: the same seed gives the same rows table by table.
        return random.Random(f"{self.seed}:{what}")


def batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def day(rng: random.Random, span: int = 1000) -> date:
    return EPOCH + timedelta(days=rng.randrange(span))


# ---- rows --------------------------------------------------------------------


def source_kinds(plan: Plan) -> list[str]:
    """Source kinds by id - 1: mostly documentation and articles, a few benchmark suites."""
    n = plan.sources
    bench = max(2, n // 8)
    return ["documentation" if i % 2 == 0 else "article" for i in range(n - bench)] + [
        "benchmark-suite" if i % 3 else "measured" for i in range(bench)
    ]


def sources(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("source")
    for i, kind in enumerate(source_kinds(plan), start=1):
        yield {
            "id": i,
            "slug": f"source-{i:03d}",
            "title": f"Synthetic {kind} source {i}",
            "author": f"Author {rng.randrange(100)}" if kind == "article" else None,
            "publisher": "Scale Bench Press",
            "url": f"https://sources.example.org/{i:03d}",
            "published": f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}",
            "retrieved": day(rng),
            "kind": kind,
            "notes": None,
        }


def categories(_plan: Plan) -> Iterator[dict[str, Any]]:
    for i, (slug, name) in enumerate(CATEGORIES, start=1):
        yield {
            "id": i,
            "slug": slug,
            "name": name,
            "description": f"{name} features.",
            "parent_id": None,
            "position": i - 1,
        }


def feature_specs(plan: Plan) -> list[tuple[str, str, str, str | None]]:
    real = REAL_FEATURES[: plan.features]
    synthetic = [
        (
            f"feature-{n:03d}",
            f"Synthetic feature {n}",
            CATEGORIES[(n - 1) % len(CATEGORIES)][0],
            None,
        )
        for n in range(1, plan.features - len(real) + 1)
    ]
    return real + synthetic


def features(plan: Plan) -> Iterator[dict[str, Any]]:
    specs = feature_specs(plan)
    ids = {slug: i for i, (slug, *_) in enumerate(specs, start=1)}
    cats = {slug: i for i, (slug, _) in enumerate(CATEGORIES, start=1)}
    for i, (slug, name, category, parent) in enumerate(specs, start=1):
        yield {
            "id": i,
            "slug": slug,
            "name": name,
            "description": f"{name}.",
            "category_id": cats[category],
            "parent_id": ids.get(parent) if parent else None,
            "position": i - 1,
        }


def use_cases(plan: Plan) -> Iterator[dict[str, Any]]:
    known = {slug for slug, *_ in feature_specs(plan)}
    for i, (slug, name, weights, must, nice) in enumerate(USE_CASES, start=1):
        yield {
            "id": i,
            "slug": slug,
            "name": name,
            "description": f"{name} (as in the seed).",
            "weights": weights,
            "must_have": [f for f in must if f in known],
            "nice_to_have": [f for f in nice if f in known],
            "position": i - 1,
        }


def use_case_sources(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("use-case-source")
    articles = [i for i, k in enumerate(source_kinds(plan), start=1) if k == "article"]
    for i in range(1, len(USE_CASES) + 1):
        for src in sorted(set(rng.sample(articles, 2))):
            yield {"use_case_id": i, "source_id": src}


def profiles(plan: Plan) -> list[Profile]:
    rng = plan.rng("profile")
    kinds = ["micro"] * 4 + ["full-stack"] * 3 + ["api"] * 3 + ["platform", None]
    return [
        Profile(
            classification=rng.choice(kinds),
            richness=rng.uniform(0.15, 0.9),
            speed=rng.lognormvariate(0, 0.6),
        )
        for _ in range(plan.frameworks)
    ]


def frameworks(plan: Plan, profile: list[Profile]) -> Iterator[dict[str, Any]]:
    rng = plan.rng("framework")
    for i, prof in enumerate(profile, start=1):
        slug = f"fw-{i:05d}"
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if rng.random() < 0.3:
            name += f" {rng.randint(2, 9)}"
        language = rng.choice(LANGUAGES)
        year = rng.randint(2005, 2025) if rng.random() < 0.9 else None
        lifecycle = rng.choices(["active", "maintenance", "deprecated"], [85, 10, 5])[0]
        yield {
            "id": i,
            "slug": slug,
            "name": name,
            "language": language,
            "classification": prof.classification,
            "interface": rng.choice(["wsgi", "asgi", "asgi", "both"])
            if language == "python"
            else None,
            "description": f"{name}: a synthetic {prof.classification or 'web'} framework "
            f"for {language}, generated for scale tests.",
            "philosophy": "Small core, explicit extensions." if rng.random() < 0.5 else None,
            "first_release_year": year,
            "first_release_date": date(year, rng.randint(1, 12), rng.randint(1, 28))
            if year and rng.random() < 0.3
            else None,
            "latest_version": f"{rng.randint(0, 6)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "latest_release_date": day(rng) if rng.random() < 0.7 else None,
            "license": rng.choice(LICENSES) if rng.random() < 0.95 else None,
            "homepage": f"https://{slug}.example.org/",
            "repository": f"https://git.example.com/atlas/{slug}",
            "documentation": f"https://{slug}.example.org/docs/",
            "package": slug,
            "learning_curve": rng.choice(["gentle", "moderate", "moderate", "steep", None]),
            "lifecycle": lifecycle,
            "lifecycle_note": None if lifecycle == "active" else f"Synthetic: {lifecycle}.",
        }


def attribute_sources(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("attribute-source")
    docs = [i for i, k in enumerate(source_kinds(plan), start=1) if k == "documentation"]
    for fw in range(1, plan.frameworks + 1):
        for attribute in ("name", "language", "classification", "learning_curve", "lifecycle"):
            yield {"framework_id": fw, "attribute": attribute, "source_id": rng.choice(docs)}


def claims(plan: Plan) -> Iterator[tuple[dict[str, Any], int]]:
    """Facts, pros, cons and verdicts for every framework, each with one source."""
    rng = plan.rng("claim")
    cited = [i for i, k in enumerate(source_kinds(plan), start=1) if k != "measured"]
    aspects = [a.value for a in Aspect]
    claim_id = 0
    for fw in range(1, plan.frameworks + 1):
        kinds = (
            ["fact"] * rng.randint(2, 4)
            + ["pro"] * rng.randint(2, 4)
            + ["con"] * rng.randint(1, 3)
            + (["verdict"] if rng.random() < 0.3 else [])
        )
        for position, kind in enumerate(kinds):
            claim_id += 1
            if kind == "fact":
                aspect, text = rng.choice(aspects), rng.choice(ASPECT_VALUES)
            else:
                aspect = None
                text = rng.choice(CONS if kind == "con" else PROS)
                if kind == "verdict":
                    text = "Synthetic verdict: a sound choice for its niche"
            row = {
                "id": claim_id,
                "framework_id": fw,
                "kind": kind,
                "aspect": aspect,
                "text": text,
                "detail": "Synthetic detail." if rng.random() < 0.3 else None,
                "position": position,
            }
            yield row, rng.choice(cited)


def now_and_then(plan: Plan, rng: random.Random, share: float) -> Iterator[tuple[int, int]]:
    """(framework, position) for about `share` of the frameworks, one or two rows each."""
    for fw in range(1, plan.frameworks + 1):
        if rng.random() >= share:
            continue
        for position in range(rng.randint(1, 2)):
            yield fw, position


def adopters(plan: Plan) -> Iterator[tuple[dict[str, Any], int]]:
    rng = plan.rng("adopter")
    articles = [i for i, k in enumerate(source_kinds(plan), start=1) if k == "article"]
    for adopter_id, (fw, position) in enumerate(now_and_then(plan, rng, 0.1), start=1):
        row = {
            "id": adopter_id,
            "framework_id": fw,
            "name": f"Company {rng.randrange(5000)}",
            "detail": None,
            "position": position,
        }
        yield row, rng.choice(articles)


def framework_use_cases(plan: Plan) -> Iterator[tuple[dict[str, Any], int]]:
    rng = plan.rng("framework-use-case")
    articles = [i for i, k in enumerate(source_kinds(plan), start=1) if k == "article"]
    for link_id, (fw, position) in enumerate(now_and_then(plan, rng, 0.08), start=1):
        kind = rng.choice(["use_case", "decision_rule"])
        row = {
            "id": link_id,
            "framework_id": fw,
            "use_case_id": rng.randint(1, len(USE_CASES)),
            "kind": kind,
            "text": "need a synthetic framework for this"
            if kind == "decision_rule"
            else "Well suited (synthetic)",
            "position": position,
        }
        yield row, rng.choice(articles)


def level_table(plan: Plan) -> tuple[list[bool], list[list[str]]]:
    """Per feature: whether it is a battery, and a package pool for `via`."""
    specs = feature_specs(plan)
    batteries = set(BATTERIES) | set(OPTIONAL_LAYERS)
    is_battery = [slug in batteries for slug, *_ in specs]
    pools = [[f"{slug}-ext{k}" for k in range(1, 5)] for slug, *_ in specs]
    return is_battery, pools


def statements(plan: Plan, profile: list[Profile]) -> Iterator[dict[str, Any]]:
    """Exactly one statement per (framework, feature), id = (fw - 1) * features + feature."""
    rng = plan.rng("support")
    is_battery, pools = level_table(plan)
    n_features = len(is_battery)
    statement_id = 0
    for fw, prof in enumerate(profile, start=1):
        shift = {"full-stack": 0.25, "micro": -0.2, "api": -0.1}.get(prof.classification or "", 0)
        for feature in range(n_features):
            statement_id += 1
            richness = prof.richness + (shift if is_battery[feature] else 0.0)
            built_in = 0.75 * min(0.95, max(0.05, richness))
            via: list[str] = []
            since = until = notes = None
            if rng.random() < 0.12:
                level = "unknown"
            else:
                v = rng.random()
                if v < built_in:
                    level = "built_in"
                    if rng.random() < 0.1:
                        since = f"{rng.randint(0, 5)}.{rng.randint(0, 12)}"
                elif v < built_in + 0.2:
                    level = "extension"
                    if rng.random() < 0.7:
                        via = rng.sample(pools[feature], 2 if rng.random() < 0.15 else 1)
                elif v < built_in + 0.28:
                    level = "partial"
                    notes = "Partly: synthetic limitation." if rng.random() < 0.5 else None
                else:
                    level = "none"
                    if rng.random() < 0.01:
                        until = f"{rng.randint(1, 5)}.0"
            yield {
                "id": statement_id,
                "framework_id": fw,
                "feature_id": feature + 1,
                "seq": 0,
                "level": level,
                "since_version": since,
                "until_version": until,
                "via": via,
                "notes": notes,
                "last_verified": day(rng) if rng.random() < 0.6 else None,
            }


def support_sources(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("support-source")
    cited = [
        i for i, k in enumerate(source_kinds(plan), start=1) if k in ("documentation", "article")
    ]
    for statement_id in range(1, plan.frameworks * len(feature_specs(plan)) + 1):
        yield {"statement_id": statement_id, "source_id": rng.choice(cited)}


def runs(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("run")
    suites = [
        i for i, k in enumerate(source_kinds(plan), start=1) if k in ("benchmark-suite", "measured")
    ]
    for i in range(1, plan.runs + 1):
        yield {
            "id": i,
            "slug": f"run-{i:02d}",
            "title": f"Synthetic benchmark run {i}",
            "source_id": suites[(i - 1) % len(suites)],
            "date": f"20{rng.randint(20, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "hardware": f"{rng.choice([4, 8, 16, 32])} vCPU, {rng.choice([8, 16, 64])} GB RAM",
            "os": "Linux",
            "python_version": f"3.{rng.randint(9, 13)}",
            "notes": None,
        }


def results(plan: Plan, profile: list[Profile]) -> Iterator[dict[str, Any]]:
    """`plan.results` results over the runs; each run measures a sample of frameworks in a
    few test types, and always the first 20 frameworks (the usual suspects)."""
    rng = plan.rng("result")
    n_fw = plan.frameworks
    result_id = 0
    for run in range(1, plan.runs + 1):
        n_run = plan.results // plan.runs + (1 if run <= plan.results % plan.runs else 0)
        hardware = rng.uniform(0.5, 2.0)
        types = rng.sample(TEST_TYPES, min(len(TEST_TYPES), max(2, -(-n_run // n_fw))))
        per_type = -(-n_run // len(types))
        reference = list(range(min(20, n_fw)))
        others = [i for i in rng.sample(range(n_fw), min(n_fw, per_type)) if i >= len(reference)]
        picked = (reference + others)[:per_type]
        position = 0
        for test_type in types:
            for fw in picked:
                if position == n_run:
                    break
                result_id += 1
                value = TYPE_BASE_RPS[test_type] * hardware * profile[fw].speed
                value = round(value * rng.uniform(0.9, 1.1), 1)
                rps = low = high = None
                shape = rng.random()
                if shape < 0.08:
                    low, high = round(value * 0.9, 1), round(value * 1.1, 1)
                elif shape < 0.1:
                    low = value
                else:
                    rps = value
                concurrency = rng.choice([64, 256, 512])
                yield {
                    "id": result_id,
                    "run_id": run,
                    "framework_id": fw + 1,
                    "framework_version": f"{rng.randint(0, 6)}.{rng.randint(0, 20)}",
                    "test_type": test_type,
                    "server": rng.choice(SERVERS),
                    "workers": rng.choice([1, 2, 4, 8, 16]),
                    "concurrency": concurrency,
                    "requests_per_second": rps,
                    "rps_low": low,
                    "rps_high": high,
                    "rps_sort": representative_rps(rps, low, high),
                    "approximate": rps is None,
                    "latency_avg_ms": round(1000 * concurrency / value, 3),
                    "latency_p50_ms": round(900 * concurrency / value, 3)
                    if rng.random() < 0.5
                    else None,
                    "latency_p99_ms": round(4000 * concurrency / value, 3)
                    if rng.random() < 0.5
                    else None,
                    "latency_ms": None,
                    "errors": 0 if rng.random() < 0.8 else None,
                    "reported_relative_speed": None,
                    "notes": None,
                    "position": position,
                }
                position += 1


def migration_paths(plan: Plan) -> Iterator[dict[str, Any]]:
    rng = plan.rng("migration")
    seen: set[tuple[int, int]] = set()
    path_id = 0
    while plan.frameworks > 1 and len(seen) < min(300, plan.frameworks - 1):
        pair = (rng.randint(1, plan.frameworks), rng.randint(1, plan.frameworks))
        if pair[0] == pair[1] or pair in seen:
            continue
        seen.add(pair)
        path_id += 1
        yield {
            "id": path_id,
            "from_framework_id": pair[0],
            "to_framework_id": pair[1],
            "effort": rng.choice(["small", "medium", "large", "unknown"]),
            "effort_basis": "Synthetic estimate.",
            "summary": "Synthetic migration path.",
        }


def considerations(plan: Plan) -> Iterator[tuple[dict[str, Any], int]]:
    rng = plan.rng("consideration")
    articles = [i for i, k in enumerate(source_kinds(plan), start=1) if k == "article"]
    n_paths = sum(1 for _ in migration_paths(plan))
    consideration_id = 0
    for path in range(1, n_paths + 1):
        for position in range(rng.randint(1, 3)):
            consideration_id += 1
            row = {
                "id": consideration_id,
                "path_id": path,
                "kind": rng.choice(["gain", "cost", "note"]),
                "text": "Synthetic consideration.",
                "position": position,
            }
            yield row, rng.choice(articles)


# ---- safety ------------------------------------------------------------------


def synthetic_or_empty(conn: Connection) -> str | None:
    """Why this database must not be overwritten, or None when it is ours or empty."""
    names = set(sa.inspect(conn).get_table_names())
    names.discard("alembic_version")
    if not names:
        return None
    if "dataset_version" not in names:
        return f"it holds tables ({', '.join(sorted(names)[:5])}, ...) that are not the atlas's"
    notes = conn.execute(sa.text("SELECT note FROM dataset_version")).scalars().all()
    foreign = [n for n in notes if not (n or "").startswith(MARK)]
    if foreign:
        return f"its dataset version note is {foreign[0]!r}, not one bench.generate wrote"
    if not notes and "framework" in names:
        others = conn.execute(
            sa.text("SELECT count(*) FROM framework WHERE slug NOT LIKE 'fw-%'")
        ).scalar_one()
        if others:
            return f"it holds {others} framework(s) bench.generate did not write"
    return None


def check_target(url: str) -> None:
    parsed = make_url(url)
    app_urls = {get_settings().database_url, str(Settings.model_fields["database_url"].default)}
    plain = parsed.difference_update_query(["options"]).render_as_string(hide_password=False)
    if backend(url) == "sqlite" and any(
        make_url(u).get_backend_name() == "sqlite"
        and Path(make_url(u).database or "").resolve() == Path(parsed.database or "").resolve()
        for u in app_urls
    ):
        raise SystemExit(f"refusing: {shown(url)} is the app's own database")
    if url in app_urls or plain in app_urls:
        raise SystemExit(f"refusing: {shown(url)} is the app's own database")
    if backend(url) == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("refusing: give a SQLite file, not an in-memory database")
        path = Path(parsed.database)
        if path.exists():
            probe = sa.create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True),
            )
            try:
                with probe.connect() as conn:
                    why = synthetic_or_empty(conn)
            except sa.exc.DatabaseError as exc:
                why = f"it cannot be read as SQLite ({exc.orig})"
            finally:
                probe.dispose()
            if why:
                raise SystemExit(f"refusing to overwrite {path}: {why}")
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": SCHEMA},
            ).first()
            why = synthetic_or_empty(conn) if exists else None
    finally:
        engine.dispose()
    if why:
        raise SystemExit(f"refusing to drop schema {SCHEMA}: {why}")


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


# ---- loading -----------------------------------------------------------------


def fresh_schema(url: str) -> None:
    """Drop the target, then build it with the project's migrations."""
    from alembic import command
    from alembic.config import Config

    if backend(url) == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        plain = make_url(url).difference_update_query(["options"])
        admin = sa.create_engine(plain)
        try:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        finally:
            admin.dispose()
    engine = make_engine(url)
    try:
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes["connection"] = engine
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def loading_engine(url: str) -> Engine:
    engine = make_engine(url)
    if backend(url) == "sqlite":

        @event.listens_for(engine, "connect")
        def _bulk_load(dbapi_conn: Any, _record: Any) -> None:
            # A throwaway database: durability is worth nothing while it loads.
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

    return engine


def copy_rows(conn: Connection, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    """PostgreSQL: COPY FROM STDIN through psycopg, a row at a time, no list in memory."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    columns = list(first)
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    encode = [c in json_columns for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None, "a pooled connection always has its driver connection"
    n = 0
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in chain([first], it):
            copy.write_row(
                [
                    json.dumps(row[c]) if as_json else row[c]
                    for c, as_json in zip(columns, encode, strict=True)
                ]
            )
            n += 1
    return n


def load(
    engine: Engine, table: sa.Table, rows: Iterable[dict[str, Any]], chunk: int
) -> tuple[int, float]:
    """Insert `rows` into `table` in one transaction; return (rows, seconds)."""
    start = time.perf_counter()
    n = 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            n = copy_rows(conn, table, rows)
        else:
            for batch in batched(rows, chunk):
                conn.execute(table.insert(), batch)
                n += len(batch)
    return n, time.perf_counter() - start


def table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def generate(url: str, plan: Plan, chunk: int) -> dict[str, Any]:
    started = time.perf_counter()
    fresh_schema(url)
    schema_s = time.perf_counter() - started
    print(f"{'schema (alembic upgrade head)':32} {'':>10} {schema_s:8.1f}s", flush=True)
    profile = profiles(plan)

    def pairs(gen: Callable[[Plan], Iterator[tuple[dict[str, Any], int]]], key: str) -> Any:
        rows = (row for row, _ in gen(plan))
        links = ({key: row["id"], "source_id": src} for row, src in gen(plan))
        return rows, links

    claim_rows, claim_links = pairs(claims, "claim_id")
    adopter_rows, adopter_links = pairs(adopters, "adopter_id")
    fuc_rows, fuc_links = pairs(framework_use_cases, "framework_use_case_id")
    cons_rows, cons_links = pairs(considerations, "consideration_id")
    steps: list[tuple[str, Iterable[dict[str, Any]]]] = [
        ("source", sources(plan)),
        ("feature_category", categories(plan)),
        ("feature", features(plan)),
        ("use_case", use_cases(plan)),
        ("use_case_source", use_case_sources(plan)),
        ("framework", frameworks(plan, profile)),
        ("framework_attribute_source", attribute_sources(plan)),
        ("claim", claim_rows),
        ("claim_source", claim_links),
        ("adopter", adopter_rows),
        ("adopter_source", adopter_links),
        ("framework_use_case", fuc_rows),
        ("framework_use_case_source", fuc_links),
        ("support_statement", statements(plan, profile)),
        ("support_source", support_sources(plan)),
        ("benchmark_run", runs(plan)),
        ("benchmark_result", results(plan, profile)),
        ("migration_path", migration_paths(plan)),
        ("migration_consideration", cons_rows),
        ("consideration_source", cons_links),
    ]
    engine = loading_engine(url)
    counts: dict[str, dict[str, float]] = {}
    try:
        for name, rows in steps:
            n, seconds = load(engine, table(name), rows, chunk)
            counts[name] = {"rows": n, "seconds": round(seconds, 2)}
            print(f"{name:32} {n:>10,} {seconds:8.1f}s", flush=True)
        finish = time.perf_counter()
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                for t in SQLModel.metadata.sorted_tables:
                    if "id" in t.columns and t.columns["id"].primary_key:
                        conn.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), "
                                f'coalesce(max(id), 1), max(id) IS NOT NULL) FROM "{t.name}"'
                            )
                        )
        note = (
            f"{MARK} seed={plan.seed} frameworks={plan.frameworks} features={plan.features} "
            f"results={plan.results}"
        )
        with Session(engine) as session, session.begin():
            version = bump_version(session, note)
        if backend(url) == "postgresql":
            # What autovacuum does shortly after a bulk load anyway.
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
            after = "sequences reset, ANALYZE"
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            after = "WAL checkpoint (no ANALYZE: the app never runs it)"
        finish_s = time.perf_counter() - finish
        print(f"{'finish':32} {'':>10} {finish_s:8.1f}s   ({after})", flush=True)
    finally:
        engine.dispose()
    return {
        "dataset_version": version,
        "note": note,
        "schema_seconds": round(schema_s, 2),
        "finish_seconds": round(finish_s, 2),
        "tables": counts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        help="SQLite file or PostgreSQL database (default: data/scale.db under the repo); "
        f"on PostgreSQL only schema {SCHEMA} is written",
    )
    parser.add_argument("--frameworks", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--results", type=int, default=200_000)
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20, help="benchmark runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=20_000, help="rows per executemany")
    args = parser.parse_args(argv)
    if min(args.frameworks, args.features, args.runs) < 1 or args.sources < 8:
        parser.error("--frameworks, --features and --runs must be >= 1, --sources >= 8")
    if args.features < len(REAL_FEATURES):
        print(
            f"warning: --features {args.features} < {len(REAL_FEATURES)}: some features the "
            "recommendation scorer reads are left out",
            file=sys.stderr,
        )
    url = resolve_url(args.database_url)
    check_target(url)
    plan = Plan(
        seed=args.seed,
        frameworks=args.frameworks,
        features=args.features,
        results=args.results,
        sources=args.sources,
        runs=args.runs,
    )
    print(f"generating into {shown(url)}" + (f" (schema {SCHEMA})" if "postgresql" in url else ""))
    start = time.perf_counter()
    report = generate(url, plan, args.chunk)
    total = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = sum(int(t["rows"]) for t in report["tables"].values())
    print(
        f"{'total':32} {rows:>10,} {total:8.1f}s   dataset version {report['dataset_version']}, "
        f"peak RSS {peak_kib / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
