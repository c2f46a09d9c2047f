"""register: persons, marriages, offices, mobiles, ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:57:44.943464
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger")),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_subject"), ["subject"], unique=False)

    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    # The chain starts empty: seq 0, the genesis hash (64 zeros).
    op.bulk_insert(
        sa.table("ledger_head", sa.column("id"), sa.column("seq"), sa.column("hash")),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "office",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name_fa", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=4), nullable=True),
        sa.Column("province", sa.String(length=5), nullable=True),
        sa.CheckConstraint(
            "kind in ('civil_registration', 'hospital', 'marriage_notary', 'divorce_notary', 'service_counter', 'consulate')",
            name=op.f("ck_office_kind"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_office")),
    )
    op.create_table(
        "office_prefix",
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office"], ["office.code"], name=op.f("fk_office_prefix_office_office")
        ),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_office_prefix")),
    )
    with op.batch_alter_table("office_prefix", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_prefix_office"), ["office"], unique=False)

    op.create_table(
        "person",
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("father_name", sa.String(length=100), nullable=True),
        sa.Column("first_name_key", sa.String(length=100), nullable=False),
        sa.Column("last_name_key", sa.String(length=100), nullable=False),
        sa.Column("father_name_key", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_at", sa.DateTime(), nullable=True),
        sa.Column("birth_county", sa.String(length=4), nullable=False),
        sa.Column("birth_registered_at", sa.DateTime(), nullable=True),
        sa.Column("registering_office", sa.String(length=16), nullable=True),
        sa.Column("booklet_series", sa.String(length=8), nullable=True),
        sa.Column("booklet_serial", sa.String(length=6), nullable=True),
        sa.Column("residence_county", sa.String(length=4), nullable=False),
        sa.Column("religion", sa.String(length=8), nullable=False),
        sa.Column("school", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("death_at", sa.DateTime(), nullable=True),
        sa.Column("death_place", sa.String(length=4), nullable=True),
        sa.Column("death_registered_at", sa.DateTime(), nullable=True),
        sa.Column("father_code", sa.String(length=10), nullable=True),
        sa.Column("mother_code", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "(status = 'deceased') = (death_date is not null)",
            name=op.f("ck_person_death_date_iff_deceased"),
        ),
        sa.CheckConstraint("religion in ('muslim', 'other')", name=op.f("ck_person_religion")),
        sa.CheckConstraint("school in ('shia', 'sunni', 'none')", name=op.f("ck_person_school")),
        sa.CheckConstraint("sex in ('male', 'female')", name=op.f("ck_person_sex")),
        sa.CheckConstraint("status in ('alive', 'deceased')", name=op.f("ck_person_status")),
        sa.ForeignKeyConstraint(
            ["father_code"], ["person.national_code"], name=op.f("fk_person_father_code_person")
        ),
        sa.ForeignKeyConstraint(
            ["mother_code"], ["person.national_code"], name=op.f("fk_person_mother_code_person")
        ),
        sa.ForeignKeyConstraint(
            ["registering_office"],
            ["office.code"],
            name=op.f("fk_person_registering_office_office"),
        ),
        sa.PrimaryKeyConstraint("national_code", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index("ix_person_father", ["father_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_last_name_key"), ["last_name_key"], unique=False
        )
        batch_op.create_index("ix_person_mother", ["mother_code"], unique=False)
        batch_op.create_index("ix_person_name", ["first_name_key", "last_name_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_residence_county"), ["residence_county"], unique=False
        )

    op.create_table(
        "code_counter",
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("next_serial", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["prefix"], ["office_prefix.prefix"], name=op.f("fk_code_counter_prefix_office_prefix")
        ),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_code_counter")),
    )
    op.create_table(
        "marriage",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("husband_code", sa.String(length=10), nullable=False),
        sa.Column("wife_code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=9), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("waiting_period_end", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'temporary') = (term_end is not null)",
            name=op.f("ck_marriage_term_iff_temporary"),
        ),
        sa.CheckConstraint(
            "end_reason is null or end_reason in ('divorce_revocable', 'divorce_irrevocable', 'death', 'term_expired', 'term_waived', 'annulment')",
            name=op.f("ck_marriage_end_reason"),
        ),
        sa.CheckConstraint("kind in ('permanent', 'temporary')", name=op.f("ck_marriage_kind")),
        sa.CheckConstraint(
            "(ended_at is null) = (end_reason is null)", name=op.f("ck_marriage_ended_with_reason")
        ),
        sa.ForeignKeyConstraint(
            ["husband_code"], ["person.national_code"], name=op.f("fk_marriage_husband_code_person")
        ),
        sa.ForeignKeyConstraint(
            ["office"], ["office.code"], name=op.f("fk_marriage_office_office")
        ),
        sa.ForeignKeyConstraint(
            ["wife_code"], ["person.national_code"], name=op.f("fk_marriage_wife_code_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marriage")),
    )
    with op.batch_alter_table("marriage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marriage_husband_code"), ["husband_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_marriage_wife_code"), ["wife_code"], unique=False)

    op.create_table(
        "mobile_ownership",
        sa.Column("mobile", sa.String(length=11), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=False),
        sa.Column("operator", sa.String(length=24), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["national_code"],
            ["person.national_code"],
            name=op.f("fk_mobile_ownership_national_code_person"),
        ),
        sa.PrimaryKeyConstraint("mobile", name=op.f("pk_mobile_ownership")),
    )
    with op.batch_alter_table("mobile_ownership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mobile_ownership_national_code"), ["national_code"], unique=False
        )

    op.create_table(
        "marriage_return",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("marriage_id", sa.Integer(), nullable=False),
        sa.Column("divorced_at", sa.DateTime(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marriage_id"], ["marriage.id"], name=op.f("fk_marriage_return_marriage_id_marriage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marriage_return")),
    )
    with op.batch_alter_table("marriage_return", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marriage_return_marriage_id"), ["marriage_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("marriage_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marriage_return_marriage_id"))

    op.drop_table("marriage_return")
    with op.batch_alter_table("mobile_ownership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mobile_ownership_national_code"))

    op.drop_table("mobile_ownership")
    with op.batch_alter_table("marriage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marriage_wife_code"))
        batch_op.drop_index(batch_op.f("ix_marriage_husband_code"))

    op.drop_table("marriage")
    op.drop_table("code_counter")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_residence_county"))
        batch_op.drop_index("ix_person_name")
        batch_op.drop_index("ix_person_mother")
        batch_op.drop_index(batch_op.f("ix_person_last_name_key"))
        batch_op.drop_index("ix_person_father")
        batch_op.drop_index(batch_op.f("ix_person_birth_date"))

    op.drop_table("person")
    with op.batch_alter_table("office_prefix", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_prefix_office"))

    op.drop_table("office_prefix")
    op.drop_table("office")
    op.drop_table("ledger_head")
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_subject"))

    op.drop_table("ledger")
