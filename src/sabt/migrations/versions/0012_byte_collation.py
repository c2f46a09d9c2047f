"""registry: national codes, name search keys and ledger subjects in the "C" collation on
PostgreSQL, so their indexes compare bytes (see registry.models.CODE); nothing changes on
SQLite

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, length). PostgreSQL rebuilds their indexes and checks the foreign keys
# between them again; the person table's key goes first, the columns referring to it after.
COLUMNS = (
    ("person", "national_code", 10),
    ("person", "father_code", 10),
    ("person", "mother_code", 10),
    ("person", "first_name_key", 100),
    ("person", "last_name_key", 100),
    ("person", "father_name_key", 100),
    ("marriage", "husband_code", 10),
    ("marriage", "wife_code", 10),
    ("mobile_ownership", "national_code", 10),
    ("ledger", "subject", 40),
)


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length in COLUMNS:
        op.alter_column(
            table,
            column,
            type_=sa.String(length, collation=collation),
            existing_type=sa.String(length),
        )


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
