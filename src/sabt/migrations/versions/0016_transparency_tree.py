"""documents: the transparency log keeps its Merkle tree (every complete subtree's hash), so
a proof reads O(log n) rows instead of every leaf; filled here from the leaves written so far

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sabt.kit import merkle

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def upgrade() -> None:
    nodes = op.create_table(
        "transparency_node",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_transparency_node")),
    )
    leaves = sa.table("transparency_leaf", sa.column("leaf_index"), sa.column("leaf_hash"))
    conn = op.get_bind()
    hashes = [
        bytes.fromhex(h)
        for h in conn.scalars(sa.select(leaves.c.leaf_hash).order_by(leaves.c.leaf_index))
    ]
    rows = [
        {"level": level, "idx": idx, "hash": value.hex()}
        for (level, idx), value in merkle.all_nodes(hashes).items()
    ]
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(nodes, rows[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("transparency_node")
