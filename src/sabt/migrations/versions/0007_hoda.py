"""identity: HODA enrolment and login — a citizen's proven mobile and method locks, one-time
codes (kept as HMACs), the hotlist, and each citizen's authentication history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mobile", sa.String(length=11), nullable=True))
        for flag in ("password_locked", "otp_locked"):
            batch_op.add_column(
                sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        batch_op.add_column(
            sa.Column("otp_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("otp_locked_until", sa.DateTime(), nullable=True))
    op.create_table(
        "identity_otp",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=80), nullable=False),
        sa.CheckConstraint("purpose in ('enrol', 'login')", name=op.f("ck_identity_otp_purpose")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_otp")),
    )
    op.create_index("ix_identity_otp_code_created", "identity_otp", ["national_code", "created_at"])
    op.create_index("ix_identity_otp_mobile_created", "identity_otp", ["mobile", "created_at"])
    op.create_table(
        "identity_hotlist",
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("national_code", name=op.f("pk_identity_hotlist")),
    )
    op.create_table(
        "identity_auth_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("agency", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "outcome in ('success', 'failure')", name=op.f("ck_identity_auth_event_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_auth_event")),
    )
    op.create_index(
        "ix_identity_auth_event_code_at", "identity_auth_event", ["national_code", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_identity_auth_event_code_at", table_name="identity_auth_event")
    op.drop_table("identity_auth_event")
    op.drop_table("identity_hotlist")
    op.drop_index("ix_identity_otp_mobile_created", table_name="identity_otp")
    op.drop_index("ix_identity_otp_code_created", table_name="identity_otp")
    op.drop_table("identity_otp")
    with op.batch_alter_table("identity_account", schema=None) as batch_op:
        for column in ("otp_locked_until", "otp_failures", "otp_locked", "password_locked",
                       "mobile"):  # fmt: skip
            batch_op.drop_column(column)
