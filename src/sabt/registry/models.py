"""Current-state tables of the register, and the ledger they are derived from.

Every row here is written by `registry.state` while applying a ledger entry, in the same
transaction as that entry; replaying the ledger into an empty database rebuilds them.
Timestamps are UTC; `*_date` columns are Asia/Tehran civil dates.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base

# Identifiers and search keys, looked up by equality (codes also sorted, and ASCII digits
# sort the same in any collation): on PostgreSQL their collation is "C", so their indexes
# compare bytes with abbreviated keys instead of the locale's rules (a 1 M load builds
# them in about half the time). Names shown to people keep the database's collation.
CODE = String(10).with_variant(String(10, collation="C"), "postgresql")
SUBJECT = String(40).with_variant(String(40, collation="C"), "postgresql")
NAME_KEY = String(100).with_variant(String(100, collation="C"), "postgresql")  # search_key()
COUNTY = String(4)


class Office(Base):
    __tablename__ = "office"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name_fa: Mapped[str] = mapped_column(String(200))
    county: Mapped[str | None] = mapped_column(COUNTY)
    province: Mapped[str | None] = mapped_column(String(5))
    __table_args__ = (
        CheckConstraint(
            "kind in ('civil_registration', 'hospital', 'marriage_notary', 'divorce_notary',"
            " 'service_counter', 'consulate', 'forensic_medicine')",
            name="kind",
        ),
    )


class OfficePrefix(Base):
    """The national-code prefixes a civil registration office issues codes under."""

    __tablename__ = "office_prefix"
    prefix: Mapped[str] = mapped_column(String(3), primary_key=True)
    office: Mapped[str] = mapped_column(ForeignKey("office.code"), index=True)
    synthetic: Mapped[bool] = mapped_column(default=False)


class CodeCounter(Base):
    """Next free serial per prefix; only ever moves forward."""

    __tablename__ = "code_counter"
    prefix: Mapped[str] = mapped_column(ForeignKey("office_prefix.prefix"), primary_key=True)
    next_serial: Mapped[int] = mapped_column(Integer)


class Person(Base):
    __tablename__ = "person"
    national_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    father_name: Mapped[str | None] = mapped_column(String(100))
    first_name_key: Mapped[str] = mapped_column(NAME_KEY)
    last_name_key: Mapped[str] = mapped_column(NAME_KEY, index=True)
    father_name_key: Mapped[str | None] = mapped_column(NAME_KEY)
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    birth_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; None if only the day
    birth_county: Mapped[str] = mapped_column(COUNTY)
    birth_registered_at: Mapped[datetime | None] = mapped_column(DateTime)
    registering_office: Mapped[str | None] = mapped_column(ForeignKey("office.code"))
    booklet_series: Mapped[str | None] = mapped_column(String(8))
    booklet_serial: Mapped[str | None] = mapped_column(String(6))
    residence_county: Mapped[str] = mapped_column(COUNTY, index=True)
    religion: Mapped[str] = mapped_column(String(8))
    school: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    death_date: Mapped[date | None] = mapped_column(Date)
    death_at: Mapped[datetime | None] = mapped_column(DateTime)
    death_place: Mapped[str | None] = mapped_column(COUNTY)
    death_registered_at: Mapped[datetime | None] = mapped_column(DateTime)
    father_code: Mapped[str | None] = mapped_column(ForeignKey("person.national_code"))
    mother_code: Mapped[str | None] = mapped_column(ForeignKey("person.national_code"))
    __table_args__ = (
        CheckConstraint("sex in ('male', 'female')", name="sex"),
        CheckConstraint("status in ('alive', 'deceased')", name="status"),
        CheckConstraint("religion in ('muslim', 'other')", name="religion"),
        CheckConstraint("school in ('shia', 'sunni', 'none')", name="school"),
        CheckConstraint(
            "(status = 'deceased') = (death_date is not null)", name="death_date_iff_deceased"
        ),
        Index("ix_person_father", "father_code"),
        Index("ix_person_mother", "mother_code"),
        Index("ix_person_name", "first_name_key", "last_name_key"),
        Index("ix_person_death_registered", "death_registered_at"),
    )


class Marriage(Base):
    __tablename__ = "marriage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    husband_code: Mapped[str] = mapped_column(ForeignKey("person.national_code"), index=True)
    wife_code: Mapped[str] = mapped_column(ForeignKey("person.national_code"), index=True)
    kind: Mapped[str] = mapped_column(String(9))
    term_end: Mapped[date | None] = mapped_column(Date)  # temporary marriages only
    registered_at: Mapped[datetime] = mapped_column(DateTime)
    office: Mapped[str | None] = mapped_column(ForeignKey("office.code"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    waiting_period_end: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(64))  # the notary office's number
    __table_args__ = (
        UniqueConstraint("office", "reference"),  # a notary's resend is recognised by it
        CheckConstraint("kind in ('permanent', 'temporary')", name="kind"),
        CheckConstraint("(kind = 'temporary') = (term_end is not null)", name="term_iff_temporary"),
        CheckConstraint(
            "end_reason is null or end_reason in ('divorce_revocable', 'divorce_irrevocable',"
            " 'death', 'term_expired', 'term_waived', 'annulment')",
            name="end_reason",
        ),
        CheckConstraint("(ended_at is null) = (end_reason is null)", name="ended_with_reason"),
    )


class MarriageReturn(Base):
    """A return (رجوع) by the husband during a revocable divorce's waiting period: the
    divorce of `divorced_at` was undone at `returned_at` and the marriage went on."""

    __tablename__ = "marriage_return"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    marriage_id: Mapped[int] = mapped_column(ForeignKey("marriage.id"), index=True)
    divorced_at: Mapped[datetime] = mapped_column(DateTime)
    returned_at: Mapped[datetime] = mapped_column(DateTime)


class MobileOwnership(Base):
    """Who owns a mobile number, as the operators report it."""

    __tablename__ = "mobile_ownership"
    mobile: Mapped[str] = mapped_column(String(11), primary_key=True)
    national_code: Mapped[str] = mapped_column(ForeignKey("person.national_code"), index=True)
    operator: Mapped[str] = mapped_column(String(24))
    reported_at: Mapped[datetime] = mapped_column(DateTime)


class LedgerEntry(Base):
    """One action on the register; `payload` is the entry's canonical JSON (see ledger.py)."""

    __tablename__ = "ledger"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(SUBJECT, index=True)
    payload: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    office: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerCheckpoint(Base):
    """A signed statement of the head the registry published (`checkpoint.py`). Not state
    rebuilt from the ledger: a record of what was said about it, kept for good and served
    publicly, so that a rewrite of history contradicts what outsiders already hold."""

    __tablename__ = "ledger_checkpoint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(32), index=True)
    kid: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(60))


class LedgerHead(Base):
    """The single row every writer locks: the chain's last seq and hash."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
