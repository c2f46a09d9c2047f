"""identity: HODA's OpenID Connect provider — relying parties (sector, redirect URIs, keys,
auth method), authorization codes, login interactions and sessions, consents per agency,
the jti of client assertions, and the audience of a citizen's token

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_assertion_jti",
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "jti", name=op.f("pk_identity_assertion_jti")),
    )
    op.create_table(
        "identity_consent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=80), nullable=False),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["identity_account.id"],
            name=op.f("fk_identity_consent_account_id_identity_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_consent")),
    )
    with op.batch_alter_table("identity_consent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_consent_account_sector", ["account_id", "sector"], unique=False
        )

    op.create_table(
        "identity_oidc_code",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=400), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("auth_time", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["identity_account.id"],
            name=op.f("fk_identity_oidc_code_account_id_identity_account"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["identity_client.client_id"],
            name=op.f("fk_identity_oidc_code_client_id_identity_client"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_identity_oidc_code")),
    )
    with op.batch_alter_table("identity_oidc_code", schema=None) as batch_op:
        batch_op.create_index("ix_identity_oidc_code_nonce", ["client_id", "nonce"], unique=False)

    op.create_table(
        "identity_oidc_interaction",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("browser_digest", sa.String(length=64), nullable=False),
        sa.Column("csrf_digest", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("step", sa.String(length=8), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("otp_handle", sa.String(length=48), nullable=True),
        sa.Column("acr", sa.String(length=40), nullable=True),
        sa.Column("auth_time", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "step in ('login', 'otp', 'consent', 'done')",
            name=op.f("ck_identity_oidc_interaction_step"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["identity_account.id"],
            name=op.f("fk_identity_oidc_interaction_account_id_identity_account"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["identity_client.client_id"],
            name=op.f("fk_identity_oidc_interaction_client_id_identity_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_oidc_interaction")),
    )
    op.create_table(
        "identity_oidc_session",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("auth_time", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["identity_account.id"],
            name=op.f("fk_identity_oidc_session_account_id_identity_account"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_identity_oidc_session")),
    )
    with op.batch_alter_table("identity_oidc_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_oidc_session_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("identity_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("sector", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("redirect_uris", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("post_logout_uris", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("jwks", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("auth_method", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("id_token_alg", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("first_party", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column("secret_hash", existing_type=sa.VARCHAR(length=200), nullable=True)
        batch_op.alter_column("office", existing_type=sa.VARCHAR(length=16), nullable=True)

    with op.batch_alter_table("identity_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_token", schema=None) as batch_op:
        batch_op.drop_column("audience")

    with op.batch_alter_table("identity_client", schema=None) as batch_op:
        batch_op.alter_column("office", existing_type=sa.VARCHAR(length=16), nullable=False)
        batch_op.alter_column("secret_hash", existing_type=sa.VARCHAR(length=200), nullable=False)
        batch_op.drop_column("first_party")
        batch_op.drop_column("id_token_alg")
        batch_op.drop_column("auth_method")
        batch_op.drop_column("jwks")
        batch_op.drop_column("post_logout_uris")
        batch_op.drop_column("redirect_uris")
        batch_op.drop_column("sector")
        batch_op.drop_column("name")

    with op.batch_alter_table("identity_oidc_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_oidc_session_account_id"))

    op.drop_table("identity_oidc_session")
    op.drop_table("identity_oidc_interaction")
    with op.batch_alter_table("identity_oidc_code", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_oidc_code_nonce")

    op.drop_table("identity_oidc_code")
    with op.batch_alter_table("identity_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_consent_account_sector")

    op.drop_table("identity_consent")
    op.drop_table("identity_assertion_jti")
