"""estates: the inheritance certificate issued without a request, objections, SMS notices;
deaths found by their registration time; a document names any number of heirs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "estate",
        sa.Column("deceased", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("declared", sa.Text(), nullable=False),
        sa.Column("certificate", sa.String(length=24), nullable=True),
        sa.Column("objection_until", sa.Date(), nullable=True),
        sa.Column("county", sa.String(length=4), nullable=True),
        sa.Column("province", sa.String(length=5), nullable=True),
        sa.Column("death_registered_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status in ('issued', 'queued')", name=op.f("ck_estate_status")),
        sa.PrimaryKeyConstraint("deceased", name=op.f("pk_estate")),
    )
    op.create_index("ix_estate_queue", "estate", ["status", "province", "county"])
    op.create_table(
        "estate_objection",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deceased", sa.String(length=10), nullable=False),
        sa.Column("certificate", sa.String(length=24), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("appeal_of", sa.Integer(), nullable=True),
        sa.Column("filed_by", sa.String(length=10), nullable=False),
        sa.Column("claimed_relation", sa.String(length=24), nullable=True),
        sa.Column("grounds", sa.String(length=16), nullable=False),
        sa.Column("named", sa.String(length=10), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("appeal_until", sa.Date(), nullable=True),
        sa.Column("province", sa.String(length=5), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("level in (1, 2)", name=op.f("ck_estate_objection_level")),
        sa.CheckConstraint(
            "grounds in ('missing_heir', 'not_heir', 'share')",
            name=op.f("ck_estate_objection_grounds"),
        ),
        sa.CheckConstraint(
            "status in ('filed', 'rejected', 'correcting', 'upheld')",
            name=op.f("ck_estate_objection_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_objection")),
    )
    op.create_index("ix_estate_objection_deceased", "estate_objection", ["deceased"])
    op.create_index("ix_estate_objection_filed_by", "estate_objection", ["filed_by"])
    op.create_table(
        "estate_notice",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deceased", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=10), nullable=False),
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estate_notice")),
    )
    op.create_index("ix_estate_notice_deceased", "estate_notice", ["deceased"])
    op.create_index("ix_estate_notice_unsent", "estate_notice", ["sent_at", "id"])
    op.create_index("ix_person_death_registered", "person", ["death_registered_at"])
    # An inheritance certificate names every heir: 120 characters held only ten codes.
    with op.batch_alter_table("document") as batch:
        batch.alter_column("subjects", type_=sa.Text(), existing_type=sa.String(length=120))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.alter_column("subjects", type_=sa.String(length=120), existing_type=sa.Text())
    op.drop_index("ix_person_death_registered", "person")
    op.drop_table("estate_notice")
    op.drop_table("estate_objection")
    op.drop_table("estate")
