"""The exchange part's tables: the agencies that call it and what each is granted. Like the
identity part's clients, they are configuration a national administrator changes (each
change audited in `identity_audit`), not the register: the ledger does not carry them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Agency(Base):
    """An organisation that calls the exchange: its OAuth2 client (keys only), its Persian
    name as citizens are shown it, and how often it may call."""

    __tablename__ = "exchange_agency"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. bank-melli
    name_fa: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(ForeignKey("identity_client.client_id"), unique=True)
    legal_basis: Mapped[str | None] = mapped_column(Text)  # its general basis, shown to citizens
    per_second: Mapped[int] = mapped_column(Integer)
    per_day: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Grant(Base):
    """One service an agency may call, or one attribute it may receive, with its legal basis
    (shown to the citizen). Deny by default: what has no row is refused."""

    __tablename__ = "exchange_grant"
    agency: Mapped[str] = mapped_column(ForeignKey("exchange_agency.code"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(DateTime)
    granted_by: Mapped[str] = mapped_column(String(80))
    __table_args__ = (CheckConstraint("kind in ('service', 'attribute')", name="kind"),)
