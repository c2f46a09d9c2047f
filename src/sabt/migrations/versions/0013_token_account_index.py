"""identity: the tokens of an account found by index (a consent given or withdrawn revokes
the citizen's tokens at that agency; without it each was a scan of every token issued)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_identity_token_account", "identity_token", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_identity_token_account", table_name="identity_token")
