"""exchange: the evidence log (leaves and their Merkle tree), virtual IDs, citizens' eKYC
locks and access notices, agencies' daily use, batch verification jobs, and an agency's
HODA sector (its citizens' consent to eKYC)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hoda_sector", sa.String(length=80), nullable=True))
    op.create_table(
        "exchange_evidence",
        sa.Column("leaf_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("transaction_id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_exchange_evidence")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_exchange_evidence_transaction_id")),
    )
    op.create_table(
        "exchange_evidence_node",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_exchange_evidence_node")),
    )
    op.create_table(
        "exchange_vid",
        sa.Column("vid", sa.String(length=16), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("vid", name=op.f("pk_exchange_vid")),
    )
    op.create_index(
        "ux_exchange_vid_active", "exchange_vid", ["national_code"], unique=True,
        sqlite_where=sa.text("revoked_at is null"),
        postgresql_where=sa.text("revoked_at is null"),
    )  # fmt: skip
    op.create_table(
        "exchange_ekyc_lock",
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("national_code", "agency", name=op.f("pk_exchange_ekyc_lock")),
    )
    op.create_table(
        "exchange_access_notice",
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("national_code", name=op.f("pk_exchange_access_notice")),
    )
    op.create_table(
        "exchange_daily_usage",
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["exchange_agency.code"],
            name=op.f("fk_exchange_daily_usage_agency_exchange_agency"),
        ),
        sa.PrimaryKeyConstraint("agency", "day", name=op.f("pk_exchange_daily_usage")),
    )
    op.create_table(
        "exchange_batch",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("input_offset", sa.Integer(), nullable=False),
        sa.Column("result_offset", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'done')", name=op.f("ck_exchange_batch_status")
        ),
        sa.CheckConstraint("format in ('csv', 'jsonl')", name=op.f("ck_exchange_batch_format")),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["exchange_agency.code"],
            name=op.f("fk_exchange_batch_agency_exchange_agency"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_batch")),
    )
    op.create_index(op.f("ix_exchange_batch_agency"), "exchange_batch", ["agency"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_batch_agency"), table_name="exchange_batch")
    op.drop_table("exchange_batch")
    op.drop_table("exchange_daily_usage")
    op.drop_table("exchange_access_notice")
    op.drop_table("exchange_ekyc_lock")
    op.drop_index("ux_exchange_vid_active", table_name="exchange_vid")
    op.drop_table("exchange_vid")
    op.drop_table("exchange_evidence_node")
    op.drop_table("exchange_evidence")
    with op.batch_alter_table("exchange_agency", schema=None) as batch_op:
        batch_op.drop_column("hoda_sector")
