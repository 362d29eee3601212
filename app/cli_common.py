"""What every `fwatlas` command shares: consoles, the dataset option, loading and failing."""

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from app.config import ROOT, get_settings
from app.seed.schema import Dataset

err = Console(stderr=True)
out = Console()

PathOpt = Annotated[
    Path | None, typer.Option("--path", help="The dataset folder (default: ./seed).")
]


def upgrade_database() -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    command.upgrade(config, "head")


def load_checked(path: Path | None) -> Dataset:
    from app.seed.lint import lint, split_baseline
    from app.seed.load import DatasetError, read_dataset

    root = path or get_settings().seed_path
    try:
        dataset = read_dataset(root)
    except DatasetError as exc:
        fail(exc.problems)
    # Problems the baseline lists are known and being worked off; only new ones block.
    new, _, _ = split_baseline(lint(dataset), root)
    if new:
        fail(new)
    return dataset


def fail(problems: list[str]) -> NoReturn:
    for problem in problems:
        err.print(f"[red]error[/red] {problem}", highlight=False, soft_wrap=True)
    err.print(f"{len(problems)} problem(s); nothing was changed.")
    raise typer.Exit(1)
