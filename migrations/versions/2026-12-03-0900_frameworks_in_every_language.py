"""frameworks in every language

`language` becomes a closed vocabulary; a framework lists its `packages` in their
registries (`{ecosystem, name}`, the primary first) and states its
`concurrency_model`; `interface` gains the server interfaces of other languages; an
npm package's manifest gives its `module_format` and any `deprecation`.
Existing rows keep their values: each framework's one package becomes its PyPI entry.

Revision ID: 8a3f1c5e7d92
Revises: 5e2a9c7d4b31
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8a3f1c5e7d92"
down_revision: str | None = "5e2a9c7d4b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGES = (
    "python",
    "javascript",
    "typescript",
    "go",
    "java",
    "kotlin",
    "ruby",
    "php",
    "csharp",
    "rust",
    "elixir",
)
OLD_INTERFACES = ("wsgi", "asgi", "both", "native")
NEW_INTERFACES = (
    *OLD_INTERFACES,
    "node-http",
    "fetch",
    "http-handler",
    "tower",
    "rack",
    "servlet",
    "reactive-streams",
    "psr-15",
    "plug",
)
MODULE_FORMATS = ("esm", "commonjs", "dual")
CONCURRENCY_MODELS = (
    "event-loop",
    "async-runtime",
    "threads",
    "processes",
    "green-threads",
    "virtual-threads",
    "actors",
)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _drop_order_indexes() -> None:
    # SQLite rebuilds the table in batch mode and cannot carry expression indexes over.
    op.drop_index("ix_framework_year_order", table_name="framework")
    op.drop_index("ix_framework_name_order", table_name="framework")


def _create_order_indexes() -> None:
    op.create_index(
        "ix_framework_name_order", "framework", [sa.func.lower(sa.text("name")), "slug"]
    )
    op.create_index(
        "ix_framework_year_order",
        "framework",
        [sa.func.coalesce(sa.text("first_release_year"), 0), "slug"],
    )


def upgrade() -> None:
    _drop_order_indexes()
    op.drop_index("ix_framework_language", table_name="framework")
    with op.batch_alter_table("framework") as batch:
        batch.alter_column(
            "language",
            existing_type=sa.String(length=40),
            type_=_enum("language", LANGUAGES),
            existing_nullable=False,
        )
        batch.alter_column(
            "interface",
            existing_type=_enum("interface", OLD_INTERFACES),
            type_=_enum("interface", NEW_INTERFACES),
            existing_nullable=True,
        )
        batch.add_column(
            sa.Column(
                "concurrency_model", _enum("concurrency_model", CONCURRENCY_MODELS), nullable=True
            )
        )
        batch.add_column(sa.Column("packages", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column("module_format", _enum("module_format", MODULE_FORMATS), nullable=True)
        )
        batch.add_column(sa.Column("deprecation", sa.String(), nullable=True))
        batch.alter_column(
            "package",
            existing_type=sa.String(length=120),
            type_=sa.String(length=214),
            existing_nullable=True,
        )
    op.create_index("ix_framework_language", "framework", ["language"])
    _create_order_indexes()
    framework = sa.table(
        "framework", sa.column("id", sa.Integer), sa.column("package", sa.String)
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(framework.c.id, framework.c.package)).all()
    packages = sa.table("framework", sa.column("id", sa.Integer), sa.column("packages", sa.JSON))
    for row_id, package in rows:
        if package:
            bind.execute(
                packages.update()
                .where(packages.c.id == row_id)
                .values(packages=[{"ecosystem": "pypi", "name": package}])
            )


def downgrade() -> None:
    # Frameworks outside Python cannot be represented before this revision.
    op.execute("DELETE FROM framework WHERE language <> 'python'")
    op.execute(
        "UPDATE framework SET interface = NULL WHERE interface NOT IN ('wsgi', 'asgi', 'both',"
        " 'native')"
    )
    _drop_order_indexes()
    op.drop_index("ix_framework_language", table_name="framework")
    with op.batch_alter_table("framework") as batch:
        batch.alter_column(
            "package",
            existing_type=sa.String(length=214),
            type_=sa.String(length=120),
            existing_nullable=True,
        )
        batch.drop_column("deprecation")
        batch.drop_constraint("module_format", type_="check")
        batch.drop_column("module_format")
        batch.drop_column("packages")
        # Batch mode copies the table's CHECK constraints: drop the column's first.
        batch.drop_constraint("concurrency_model", type_="check")
        batch.drop_column("concurrency_model")
        batch.alter_column(
            "interface",
            existing_type=_enum("interface", NEW_INTERFACES),
            type_=_enum("interface", OLD_INTERFACES),
            existing_nullable=True,
        )
        batch.alter_column(
            "language",
            existing_type=_enum("language", LANGUAGES),
            type_=sa.String(length=40),
            existing_nullable=False,
        )
    op.create_index("ix_framework_language", "framework", ["language"])
    _create_order_indexes()
