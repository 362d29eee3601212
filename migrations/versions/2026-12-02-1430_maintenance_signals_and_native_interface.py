"""maintenance signals and the native interface

A framework records what the package index says of its upkeep (release cadence,
owners, Requires-Python, whether it ships type information, advisories on the latest
release); `interface` gains `native`, for a framework that runs on its own server.

Revision ID: 5e2a9c7d4b31
Revises: 9d4c7b1e6a20
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2a9c7d4b31"
down_revision: str | None = "9d4c7b1e6a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("wsgi", "asgi", "both")
NEW = (*OLD, "native")
COLUMNS = (
    ("releases_last_12_months", sa.Integer),
    ("median_days_between_releases", sa.Float),
    ("maintainers", sa.Integer),
    ("requires_python", lambda: sa.String(length=80)),
    ("typed", sa.Boolean),
    ("vulnerabilities", sa.JSON),
)


def _interface(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="interface", native_enum=False, create_constraint=True, length=24
    )


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
    with op.batch_alter_table("framework") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind(), nullable=True))
        batch.alter_column(
            "interface", existing_type=_interface(OLD), type_=_interface(NEW), existing_nullable=True
        )
    _create_order_indexes()


def downgrade() -> None:
    op.execute("UPDATE framework SET interface = NULL WHERE interface = 'native'")
    _drop_order_indexes()
    with op.batch_alter_table("framework") as batch:
        batch.alter_column(
            "interface", existing_type=_interface(NEW), type_=_interface(OLD), existing_nullable=True
        )
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
    _create_order_indexes()
