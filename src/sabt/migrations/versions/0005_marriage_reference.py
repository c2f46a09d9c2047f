"""registry: a marriage keeps its notary office's reference, unique per office, so a
notary's resend is recognised and answered with the first outcome

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("marriage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_marriage_office"), ["office", "reference"])


def downgrade() -> None:
    with op.batch_alter_table("marriage", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_marriage_office"), type_="unique")
        batch_op.drop_column("reference")
