"""record what a measured run measures

`fwatlas bench` results carry p90 latency, the server's peak RSS and its CPU seconds
under load, next to the figures every result already had.

Revision ID: 9d4c7b1e6a20
Revises: 3b8f0c6e1a27
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d4c7b1e6a20"
down_revision: str | None = "3b8f0c6e1a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("latency_p90_ms", "peak_rss_mb", "cpu_seconds")


def upgrade() -> None:
    with op.batch_alter_table("benchmark_result") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_result") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
