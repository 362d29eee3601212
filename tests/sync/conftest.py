"""What the registry-sync tests share: a dataset and database of their own, and the CLI
run against a recorded registry instead of the network."""

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.conftest import SEED

REAL_CLIENT = httpx.Client
Handler = Callable[[httpx.Request], httpx.Response]


@contextmanager
def dataset_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the seed folder and a SQLite database of its own, so the CLI can write."""
    from app.config import get_settings
    from app.db import get_engine

    root = Path(shutil.copytree(SEED, tmp_path / "seed"))
    monkeypatch.setenv("FWATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'sync.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield root
    finally:
        get_engine().dispose()
        monkeypatch.undo()
        get_settings.cache_clear()
        get_engine.cache_clear()


def invoke(monkeypatch: pytest.MonkeyPatch, handler: Handler, *args: str) -> tuple[int, str]:
    """`fwatlas <args>` with every HTTP client it opens answered by `handler`."""
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: REAL_CLIENT(transport=httpx.MockTransport(handler), **kw)
    )
    result = CliRunner().invoke(__import__("app.cli", fromlist=["app"]).app, list(args))
    return result.exit_code, result.output
