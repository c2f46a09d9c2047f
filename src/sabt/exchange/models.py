"""The exchange part's tables: the agencies that call it and what each is granted (like the
identity part's clients, configuration a national administrator changes, each change
audited in `identity_audit`), the evidence log of every exchange, and what citizens decide
(virtual IDs, eKYC locks, access notices). None of it is the register: the ledger does not
carry it."""

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
    text,
)
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
    # the HODA sector of its relying parties: a citizen's token issued to one of them is the
    # citizen's consent to this agency's eKYC
    hoda_sector: Mapped[str | None] = mapped_column(String(80))


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


class EvidenceLeaf(Base):
    """One leaf of the evidence log: an exchange transaction as hashes of what the agency
    asked and what it was told, with the agency, service, purpose and time (canonical JSON;
    the leaf hashes these bytes, RFC 9162). Append-only, like the documents' log."""

    __tablename__ = "exchange_evidence"
    leaf_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    transaction_id: Mapped[str] = mapped_column(String(32), unique=True)
    agency: Mapped[str] = mapped_column(String(40))
    record: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))  # hex


class EvidenceNode(Base):
    """A complete subtree of the evidence log's Merkle tree (kit.merkle_store)."""

    __tablename__ = "exchange_evidence_node"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))  # hex


class VirtualId(Base):
    """A citizen's 16-digit virtual ID, given to an agency instead of the national code:
    random (not derivable from the code), revocable, one active at a time."""

    __tablename__ = "exchange_vid"
    vid: Mapped[str] = mapped_column(String(16), primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        Index(
            "ux_exchange_vid_active",
            "national_code",
            unique=True,
            sqlite_where=text("revoked_at is null"),
            postgresql_where=text("revoked_at is null"),
        ),
    )


class EkycLock(Base):
    """A citizen's lock on eKYC: for one agency, or for all (`agency` is '*'). Verification
    still answers; no attribute leaves."""

    __tablename__ = "exchange_ekyc_lock"
    national_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    agency: Mapped[str] = mapped_column(String(40), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(DateTime)


class AccessNotice(Base):
    """A citizen who asked for an SMS on every agency's access to their data."""

    __tablename__ = "exchange_access_notice"
    national_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime)


class DailyUsage(Base):
    """How many people an agency's calls named on one day (UTC), for its daily limit."""

    __tablename__ = "exchange_daily_usage"
    agency: Mapped[str] = mapped_column(ForeignKey("exchange_agency.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class BatchJob(Base):
    """A batch verification: the agency's file (kept as JSON lines under the instance's
    folder), how far it is answered, and where its answers end in the result file. A chunk's
    answers, its access rows and the offsets move in one transaction, so a job interrupted
    anywhere resumes from its last commit and answers each row once."""

    __tablename__ = "exchange_batch"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # its transaction id too
    agency: Mapped[str] = mapped_column(ForeignKey("exchange_agency.code"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(5))  # csv | jsonl: the answer's as the file's
    columns: Mapped[str] = mapped_column(Text)  # the file's fields, JSON list
    input_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    rows: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    input_offset: Mapped[int] = mapped_column(Integer, default=0)  # bytes answered
    result_offset: Mapped[int] = mapped_column(Integer, default=0)  # bytes committed
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)  # a worker's claim
    __table_args__ = (
        CheckConstraint("status in ('queued', 'running', 'done')", name="status"),
        CheckConstraint("format in ('csv', 'jsonl')", name="format"),
    )
