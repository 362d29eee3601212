"""give each dataset an identity

A recreated database starts its version counter again at 1, so the counter alone
cannot tell two datasets apart: every cache and ETag keys on this random id too.

Revision ID: 3f6b2d8e1a77
Revises: 7c1e5a9d2b40
Create Date: 2026-12-02 06:00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3f6b2d8e1a77"
down_revision: str | None = "7c1e5a9d2b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_version") as batch:
        batch.add_column(
            sa.Column(
                "dataset_id",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
    op.execute(
        sa.text("UPDATE dataset_version SET dataset_id = :id").bindparams(id=uuid.uuid4().hex)
    )
    with op.batch_alter_table("dataset_version") as batch:
        batch.alter_column("dataset_id", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("dataset_version") as batch:
        batch.drop_column("dataset_id")
