"""documents: issued documents and the public transparency log's leaves

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subjects", sa.String(length=120), nullable=False),
        sa.Column("marriage_id", sa.Integer(), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("facts_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("leaf_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("replaced_by", sa.String(length=24), nullable=True),
        sa.CheckConstraint(
            "kind in ('booklet', 'birth', 'death', 'marriage', 'inheritance')",
            name=op.f("ck_document_kind"),
        ),
        sa.CheckConstraint(
            "status in ('valid', 'revoked', 'superseded')", name=op.f("ck_document_status")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_document")),
        sa.UniqueConstraint("seq", name=op.f("uq_document_seq")),
    )
    op.create_index(op.f("ix_document_subject"), "document", ["subject"], unique=False)
    op.create_table(
        "transparency_leaf",
        sa.Column("leaf_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_transparency_leaf")),
    )


def downgrade() -> None:
    op.drop_table("transparency_leaf")
    op.drop_index(op.f("ix_document_subject"), table_name="document")
    op.drop_table("document")
