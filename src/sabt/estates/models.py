"""The estates part's tables: one estate per registered death the worker has settled, the
objections filed against its certificates, and the SMS notices owed to its heirs. Rows change
only by applying ledger entries (`appliers.py`), so `sabt ledger replay` rebuilds them."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Estate(Base):
    """The estate of a registered death: issued (a valid certificate), queued for a
    registrar (with the reasons) or revoked (the death was), and what a registrar declared
    on it."""

    __tablename__ = "estate"
    deceased: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)  # canonical JSON: [{code, message_fa, ...}]
    declared: Mapped[str] = mapped_column(Text)  # canonical JSON: pregnancy, missing, will
    certificate: Mapped[str | None] = mapped_column(String(24))  # the valid one, if any
    objection_until: Mapped[date | None] = mapped_column(Date)  # last day to object
    county: Mapped[str | None] = mapped_column(String(4))
    province: Mapped[str | None] = mapped_column(String(5))
    death_registered_at: Mapped[datetime] = mapped_column(DateTime)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint("status in ('issued', 'queued', 'revoked')", name="status"),
        Index("ix_estate_queue", "status", "province", "county"),
    )


class Objection(Base):
    """An objection to a certificate (level 1, to the province's dispute board) or to the
    board's decision (level 2, to the national administration)."""

    __tablename__ = "estate_objection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deceased: Mapped[str] = mapped_column(String(10), index=True)
    certificate: Mapped[str] = mapped_column(String(24))
    level: Mapped[int] = mapped_column(Integer)
    appeal_of: Mapped[int | None] = mapped_column(Integer)
    filed_by: Mapped[str] = mapped_column(String(10), index=True)
    claimed_relation: Mapped[str | None] = mapped_column(String(24))
    grounds: Mapped[str] = mapped_column(String(16))
    named: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[str] = mapped_column(Text)  # canonical JSON: [{sha256, type, size}]
    filed_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12))
    decision: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    appeal_until: Mapped[date | None] = mapped_column(Date)
    province: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint("level in (1, 2)", name="level"),
        CheckConstraint("grounds in ('missing_heir', 'not_heir', 'share')", name="grounds"),
        CheckConstraint(
            "status in ('filed', 'rejected', 'correcting', 'upheld', 'closed')", name="status"
        ),
    )


class Notice(Base):
    """An SMS owed to an heir (or a minor heir's guardian): written with the certificate in
    one transaction, sent afterwards by the worker and marked sent by another entry, so a
    worker killed in between sends it on its next run."""

    __tablename__ = "estate_notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deceased: Mapped[str] = mapped_column(String(10), index=True)
    recipient: Mapped[str] = mapped_column(String(10))
    mobile: Mapped[str] = mapped_column(String(11))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_estate_notice_unsent", "sent_at", "id"),)
