"""registration: corrections are cases too

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind in ('birth', 'death')"
NEW_KINDS = "kind in ('birth', 'death', 'correction')"


def _case_kinds(check: str, width: int) -> None:
    with op.batch_alter_table("registration_case", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_case_kind"), type_="check")
        batch_op.alter_column("kind", type_=sa.String(length=width), existing_nullable=False)
        batch_op.create_check_constraint("kind", check)


def upgrade() -> None:
    _case_kinds(NEW_KINDS, 10)


def downgrade() -> None:
    _case_kinds(OLD_KINDS, 8)
