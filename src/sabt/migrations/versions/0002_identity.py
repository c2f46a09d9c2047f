"""identity: clients, accounts, tokens, access log, audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:32:19.221338
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_KINDS = (
    "kind in ('civil_registration', 'hospital', 'marriage_notary', 'divorce_notary',"
    " 'service_counter', 'consulate')"
)
NEW_KINDS = (
    "kind in ('civil_registration', 'hospital', 'marriage_notary', 'divorce_notary',"
    " 'service_counter', 'consulate', 'forensic_medicine')"
)


def _office_kinds(check: str) -> None:
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_office_kind"), type_="check")
        batch_op.create_check_constraint("kind", check)


def upgrade() -> None:
    _office_kinds(NEW_KINDS)
    op.create_table(
        "identity_access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_access_log")),
    )
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.create_index("ix_identity_access_log_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "identity_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_audit")),
    )
    op.create_table(
        "identity_account",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'citizen') = (national_code is not null)",
            name=op.f("ck_identity_account_citizen_code"),
        ),
        sa.CheckConstraint(
            "(kind = 'staff') = (role is not null and totp_secret is not null)",
            name=op.f("ck_identity_account_staff_has_role_and_totp"),
        ),
        sa.CheckConstraint("kind in ('staff', 'citizen')", name=op.f("ck_identity_account_kind")),
        sa.ForeignKeyConstraint(
            ["office"], ["office.code"], name=op.f("fk_identity_account_office_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_account")),
        sa.UniqueConstraint("national_code", name=op.f("uq_identity_account_national_code")),
        sa.UniqueConstraint("username", name=op.f("uq_identity_account_username")),
    )
    op.create_table(
        "identity_client",
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office"], ["office.code"], name=op.f("fk_identity_client_office_office")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_identity_client")),
    )
    with op.batch_alter_table("identity_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_client_office"), ["office"], unique=False)

    op.create_table(
        "identity_token",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(client_id is null) <> (account_id is null)", name=op.f("ck_identity_token_one_holder")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["identity_account.id"],
            name=op.f("fk_identity_token_account_id_identity_account"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["identity_client.client_id"],
            name=op.f("fk_identity_token_client_id_identity_client"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_identity_token")),
    )


def downgrade() -> None:
    _office_kinds(OLD_KINDS)
    op.drop_table("identity_token")
    with op.batch_alter_table("identity_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_client_office"))

    op.drop_table("identity_client")
    op.drop_table("identity_account")
    op.drop_table("identity_audit")
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_access_log_subject_at")

    op.drop_table("identity_access_log")
