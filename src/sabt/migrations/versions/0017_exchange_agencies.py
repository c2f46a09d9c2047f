"""exchange: the agencies that call the registry's services and what each is granted (a
service or an attribute, each with its legal basis); identity: the citizen's access log
says what an agency's call was answered

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_agency",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_fa", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("per_second", sa.Integer(), nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["identity_client.client_id"],
            name=op.f("fk_exchange_agency_client_id_identity_client"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_exchange_agency")),
        sa.UniqueConstraint("client_id", name=op.f("uq_exchange_agency_client_id")),
    )
    op.create_table(
        "exchange_grant",
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by", sa.String(length=80), nullable=False),
        sa.CheckConstraint("kind in ('service', 'attribute')", name=op.f("ck_exchange_grant_kind")),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["exchange_agency.code"],
            name=op.f("fk_exchange_grant_agency_exchange_agency"),
        ),
        sa.PrimaryKeyConstraint("agency", "kind", "name", name=op.f("pk_exchange_grant")),
    )
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.drop_column("outcome")
    op.drop_table("exchange_grant")
    op.drop_table("exchange_agency")
