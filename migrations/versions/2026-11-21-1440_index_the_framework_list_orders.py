"""index the framework list's sort orders

Revision ID: 7c1e5a9d2b40
Revises: df2416870914
Create Date: 2026-11-21 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9d2b40"
down_revision: str | None = "df2416870914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_framework_name_order", "framework", [sa.func.lower(sa.text("name")), "slug"]
    )
    op.create_index(
        "ix_framework_year_order",
        "framework",
        [sa.func.coalesce(sa.text("first_release_year"), 0), "slug"],
    )


def downgrade() -> None:
    op.drop_index("ix_framework_year_order", table_name="framework")
    op.drop_index("ix_framework_name_order", table_name="framework")
