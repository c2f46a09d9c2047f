"""The append-only, hash-chained ledger: the register's source of truth.

Entry format. Each entry is stored in `ledger.payload` as canonical JSON
(`sabt.kit.canonical`: UTF-8, keys sorted, no whitespace, no floats) of the object
    {"seq", "kind", "subject", "actor", "office", "occurred_at", "recorded_at", "data"}
where times are UTC ISO strings ending in "Z". The other columns repeat those fields for
queries; `verify` checks that they agree with the payload.

Hash rule:
    hash(n) = SHA-256( ASCII(hash(n-1)) || payload(n) bytes ), as 64 lowercase hex digits,
    hash(0) = "0" * 64 (genesis).
So the hash covers the previous hash and the whole entry; an edited, deleted, inserted or
reordered row breaks the chain at that row. The `ledger_head` row holds the last (seq, hash);
every writer locks it first, so concurrent writers are serialised and cannot fork the chain.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from sabt.kit import canonical, clock
from sabt.registry.models import LedgerEntry, LedgerHead

GENESIS = "0" * 64
COLUMNS = ("seq", "kind", "subject", "actor", "office", "occurred_at", "recorded_at")


def utc_text(at: datetime) -> str:
    """'2025-03-21T06:30:00Z': the canonical form of an instant in the ledger."""
    if at.tzinfo is None:
        raise ValueError("ledger times must be aware datetimes")
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    # isoformat writes microseconds only when there are some: "...T06:30:00Z".
    return at.replace(tzinfo=None).isoformat() + "Z"


def entry_hash(prev_hash: str, payload: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + payload).hexdigest()


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An action to record: what happened (`kind`), to whom (`subject`), its data."""

    kind: str
    subject: str
    data: dict[str, Any]
    actor: str
    office: str | None = None
    occurred_at: datetime | None = None  # defaults to the recording time


@dataclass(slots=True)
class Head:
    seq: int
    hash: str


def lock_head(session: Session) -> Head:
    """Lock the chain's head for this transaction (FOR UPDATE on PostgreSQL; on SQLite the
    write transaction already holds the database lock) and return it."""
    row = session.execute(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    ).scalar_one()
    return Head(row.seq, row.hash)


def chain_entry(head: Head, entry: NewEntry, recorded_at: str) -> dict[str, Any]:
    """The ledger row of `entry` chained after `head`, which advances to it. Pure."""
    head.seq += 1
    fields = {
        "seq": head.seq,
        "kind": entry.kind,
        "subject": entry.subject,
        "actor": entry.actor,
        "office": entry.office,
        "occurred_at": utc_text(entry.occurred_at) if entry.occurred_at else recorded_at,
        "recorded_at": recorded_at,
    }
    payload = canonical.dumps({**fields, "data": entry.data})
    digest = entry_hash(head.hash, payload)
    row = {**fields, "payload": payload.decode("utf-8"), "prev_hash": head.hash, "hash": digest}
    head.hash = digest
    return row


def store_head(session: Session | Connection, head: Head) -> None:
    session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(seq=head.seq, hash=head.hash)
    )


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(conn: Connection, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk the whole chain; stop at the first entry that does not hold."""
    head = conn.execute(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)).one()
    cursor = conn.execution_options(stream_results=True, yield_per=20_000).exec_driver_sql(
        "SELECT seq, kind, subject, actor, office, occurred_at, recorded_at, payload,"
        " prev_hash, hash FROM ledger ORDER BY seq"
    )
    expected_seq, running = 1, GENESIS
    loads = canonical.loads
    for rows in cursor.partitions():
        for row in rows:
            problem = _check_row(row, expected_seq, running, loads)
            if problem:
                return VerifyResult(
                    False, expected_seq - 1, head[0], head[1], expected_seq, problem
                )
            running = row[9]
            expected_seq += 1
        if progress:
            progress(len(rows))
    count = expected_seq - 1
    if (count, running) != (head[0], head[1]):
        reason = f"ledger_head says seq {head[0]} but the chain ends at seq {count}"
        return VerifyResult(False, count, head[0], head[1], count + 1, reason)
    return VerifyResult(True, count, head[0], head[1])


def _check_row(row: Any, expected_seq: int, running: str, loads: Callable[[str], Any]) -> str:
    seq, payload, prev_hash, digest = row[0], row[7], row[8], row[9]
    if seq != expected_seq:
        return (
            f"entry {expected_seq}: found seq {seq} in its place"
            " (an entry was deleted, inserted or reordered)"
        )
    if prev_hash != running:
        return f"entry {seq}: prev_hash does not match the hash of entry {seq - 1}"
    if entry_hash(prev_hash, payload.encode("utf-8")) != digest:
        return f"entry {seq}: hash does not match its payload"
    fields = loads(payload)
    for i, name in enumerate(COLUMNS):
        if fields.get(name) != row[i]:
            return f"entry {seq}: column {name} differs from the payload"
    return ""


def read_entries(conn: Connection, after_seq: int = 0) -> Iterator[dict[str, Any]]:
    """Every entry after `after_seq`, in order, as stored (payload parsed into `fields`)."""
    cursor = conn.execution_options(stream_results=True, yield_per=20_000).execute(
        select(LedgerEntry.__table__).where(LedgerEntry.seq > after_seq).order_by(LedgerEntry.seq)
    )
    for row in cursor.mappings():
        yield dict(row)


def current_head(conn: Connection) -> Head:
    row = conn.execute(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)).one()
    return Head(row[0], row[1])


def now() -> datetime:
    return clock.now()
