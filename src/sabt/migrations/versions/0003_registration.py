"""registration: cases of notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:39:55.287848
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_case",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("county", sa.String(length=4), nullable=True),
        sa.Column("province", sa.String(length=5), nullable=True),
        sa.Column("subject", sa.String(length=10), nullable=True),
        sa.Column("mother", sa.String(length=10), nullable=True),
        sa.Column("father", sa.String(length=10), nullable=True),
        sa.Column("flags", sa.String(length=200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("assigned_to", sa.String(length=80), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('birth', 'death')", name=op.f("ck_registration_case_kind")),
        sa.CheckConstraint(
            "status in ('notified', 'queued', 'registered', 'stillbirth', 'rejected')",
            name=op.f("ck_registration_case_status"),
        ),
        sa.ForeignKeyConstraint(
            ["source"], ["office.code"], name=op.f("fk_registration_case_source_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_case")),
    )
    with op.batch_alter_table("registration_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_case_mother"), ["mother"], unique=False)
        batch_op.create_index(
            "ix_registration_case_queue", ["status", "province", "county"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registration_case_subject"), ["subject"], unique=False)
        batch_op.create_index(
            "uq_registration_case_source", ["source", "kind", "external_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("registration_case", schema=None) as batch_op:
        batch_op.drop_index("uq_registration_case_source")
        batch_op.drop_index(batch_op.f("ix_registration_case_subject"))
        batch_op.drop_index("ix_registration_case_queue")
        batch_op.drop_index(batch_op.f("ix_registration_case_mother"))

    op.drop_table("registration_case")
