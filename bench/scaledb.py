"""Where the synthetic scale dataset lives: shared by bench.generate and bench.scale.

Imports nothing from the app, so bench.scale can point the app's settings at the
scale database before any app module reads them.
"""

from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'scale.db'}"
# On PostgreSQL everything goes in this schema, never in the test suite's ones.
SCHEMA = "fwatlas_scale"
# Every dataset version note bench.generate writes starts with this.
MARK = "bench.generate"


def resolve_url(url: str | None) -> str:
    """The URL to use: on PostgreSQL, pinned to the dedicated schema through search_path."""
    parsed = make_url(url or DEFAULT_URL)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        wanted = f"-csearch_path={SCHEMA}"
        given = parsed.query.get("options")
        if given not in (None, wanted):
            raise SystemExit(
                f"the URL already sets options={given!r}; the scale dataset only lives in "
                f"schema {SCHEMA} (options={wanted!r})"
            )
        parsed = parsed.update_query_dict({"options": wanted})
    elif backend != "sqlite":
        raise SystemExit(f"unsupported database backend: {backend}")
    return parsed.render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
