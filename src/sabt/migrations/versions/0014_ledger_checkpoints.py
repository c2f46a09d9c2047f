"""registry: the ledger checkpoints the registry signs and publishes (daily by the worker,
and on demand), kept for good and served at /api/v1/ledger/checkpoints

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Column("public_key", sa.String(60), nullable=False),
    )
    op.create_index("ix_ledger_checkpoint_time", "ledger_checkpoint", ["time"])


def downgrade() -> None:
    op.drop_index("ix_ledger_checkpoint_time", table_name="ledger_checkpoint")
    op.drop_table("ledger_checkpoint")
