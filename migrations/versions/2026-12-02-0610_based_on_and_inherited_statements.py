"""based_on, inherited support statements, official extensions

Revision ID: 3b8f0c6e1a27
Revises: 3f6b2d8e1a77
Create Date: 2026-12-02 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b8f0c6e1a27"
down_revision: str | None = "3f6b2d8e1a77"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("framework") as batch:
        batch.add_column(sa.Column("based_on", sa.String(length=80), nullable=True))
    with op.batch_alter_table("support_statement") as batch:
        # Existing rows name no official extension; the next seed fills the column.
        batch.add_column(
            sa.Column("official_via", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("inherited_from", sa.String(length=80), nullable=True))
    with op.batch_alter_table("support_statement") as batch:
        batch.alter_column("official_via", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("support_statement") as batch:
        batch.drop_column("inherited_from")
        batch.drop_column("official_via")
    # SQLite's batch mode rebuilds the table and cannot carry expression indexes over.
    op.drop_index("ix_framework_year_order", table_name="framework")
    op.drop_index("ix_framework_name_order", table_name="framework")
    with op.batch_alter_table("framework") as batch:
        batch.drop_column("based_on")
    op.create_index(
        "ix_framework_name_order", "framework", [sa.func.lower(sa.text("name")), "slug"]
    )
    op.create_index(
        "ix_framework_year_order",
        "framework",
        [sa.func.coalesce(sa.text("first_release_year"), 0), "slug"],
    )
