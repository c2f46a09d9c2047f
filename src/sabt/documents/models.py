"""The documents part's tables: every document issued, its status, and the public
transparency log's leaves. Rows change only by applying ledger entries (`appliers.py`), so
`sabt ledger replay` rebuilds them with the register. The log's tree (`TransparencyNode`)
is derived from the leaves (`kit.merkle_store`)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Document(Base):
    __tablename__ = "document"
    number: Mapped[str] = mapped_column(String(24), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(10), index=True)  # the main national code
    subjects: Mapped[str] = mapped_column(Text)  # every code it names, space-separated
    marriage_id: Mapped[int | None] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)  # canonical JSON
    facts_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(64))
    leaf_index: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)
    replaced_by: Mapped[str | None] = mapped_column(String(24))
    __table_args__ = (
        CheckConstraint(
            "kind in ('booklet', 'birth', 'death', 'marriage', 'inheritance')", name="kind"
        ),
        CheckConstraint("status in ('valid', 'revoked', 'superseded')", name="status"),
    )


class TransparencyLeaf(Base):
    """One leaf of the public log: the canonical record of an issuance or a revocation."""

    __tablename__ = "transparency_leaf"
    leaf_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record: Mapped[str] = mapped_column(Text)  # canonical JSON; the leaf hashes these bytes
    leaf_hash: Mapped[str] = mapped_column(String(64))  # hex


class TransparencyNode(Base):
    """A complete subtree of the transparency log's Merkle tree: the hash of the 2^level
    leaves from idx × 2^level (level 0: a leaf). Derived from the leaves, written as they are
    appended, so that a proof reads O(log n) rows (kit.merkle_store)."""

    __tablename__ = "transparency_node"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))  # hex
