"""registration: a wrongly registered death is revoked through a case of its own
(`death_revocation`, under the two-person rule); estates: its estate is then revoked and
its open objections closed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind in ('birth', 'death', 'correction')"
NEW_KINDS = "kind in ('birth', 'death', 'correction', 'death_revocation')"


def _case_kinds(check: str, width: int) -> None:
    with op.batch_alter_table("registration_case", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_case_kind"), type_="check")
        batch_op.alter_column("kind", type_=sa.String(length=width), existing_nullable=False)
        batch_op.create_check_constraint("kind", check)


ESTATE = ("estate", "status in ('issued', 'queued')", "status in ('issued', 'queued', 'revoked')")
OBJECTION = (
    "estate_objection",
    "status in ('filed', 'rejected', 'correcting', 'upheld')",
    "status in ('filed', 'rejected', 'correcting', 'upheld', 'closed')",
)


def _statuses(table: str, check: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_status"), type_="check")
        batch_op.create_check_constraint("status", check)


def upgrade() -> None:
    _case_kinds(NEW_KINDS, 20)
    for table, _, new in (ESTATE, OBJECTION):
        _statuses(table, new)


def downgrade() -> None:
    _case_kinds(OLD_KINDS, 10)
    for table, old, _ in (ESTATE, OBJECTION):
        _statuses(table, old)
