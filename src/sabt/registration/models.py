"""The registration workflows' own table: one case per notification (birth or death) or
filed correction, its flags, its place in the registrar queue and its outcome.

Rows change only by applying ledger entries (`appliers.py`), so every step of a workflow is
a ledger entry and `sabt ledger replay` rebuilds this table with the register.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Case(Base):
    __tablename__ = "registration_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(ForeignKey("office.code"))  # who notified
    external_id: Mapped[str] = mapped_column(String(64))  # the source's notification id
    received_at: Mapped[datetime] = mapped_column(DateTime)
    event_at: Mapped[datetime] = mapped_column(DateTime)  # UTC birth or death time
    office: Mapped[str | None] = mapped_column(String(16))  # responsible registry office
    county: Mapped[str | None] = mapped_column(String(4))
    province: Mapped[str | None] = mapped_column(String(5))
    subject: Mapped[str | None] = mapped_column(String(10), index=True)  # child or deceased
    mother: Mapped[str | None] = mapped_column(String(10), index=True)
    father: Mapped[str | None] = mapped_column(String(10))
    flags: Mapped[str] = mapped_column(String(200), default="")  # space-separated
    data: Mapped[str] = mapped_column(Text)  # canonical JSON: notification, declaration
    outcome: Mapped[str] = mapped_column(Text)  # canonical JSON: the first answer
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint(
            "kind in ('birth', 'death', 'correction', 'death_revocation')", name="kind"
        ),
        CheckConstraint(
            "status in ('notified', 'queued', 'registered', 'stillbirth', 'rejected')",
            name="status",
        ),
        Index("uq_registration_case_source", "source", "kind", "external_id", unique=True),
        Index("ix_registration_case_queue", "status", "province", "county"),
    )


class Attachment(Base):
    """A file a citizen attached to a request (a PDF or a JPEG), kept by its SHA-256. The
    case's ledger entry names the hash, so the file cannot change unseen; the bytes stay
    here, beside the ledger, not in it."""

    __tablename__ = "registration_attachment"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256, hex
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime)
