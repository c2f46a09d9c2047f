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

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from sabt.kit import canonical
from sabt.registry.models import LedgerEntry, LedgerHead

GENESIS = "0" * 64
COLUMNS = ("seq", "kind", "subject", "actor", "office", "occurred_at", "recorded_at")


def utc_text(at: datetime) -> str:
    """'2025-03-21T06:30:00Z': the canonical form of an instant in the ledger."""
    if at.tzinfo is UTC:  # the common case, without building a naive copy: "...+00:00"
        return at.isoformat()[:-6] + "Z"
    if at.tzinfo is None:
        raise ValueError("ledger times must be aware datetimes")
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    # isoformat writes microseconds only when there are some: "...T06:30:00Z".
    return at.replace(tzinfo=None).isoformat() + "Z"


def entry_hash(prev_hash: str, payload: bytes | memoryview) -> str:
    # The hash rule above; `bulk.chained_batch` computes it inline for a bulk import.
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


HEAD_KEY = "sabt_ledger_head"


def lock_head(session: Session) -> Head:
    """Lock the chain's head for this transaction (FOR UPDATE on PostgreSQL; on SQLite the
    write transaction already holds the database lock) and return it.

    The lock lasts until the transaction ends, so within one transaction the head is read
    once and then kept in `session.info` (advanced by `chain_entry`, written by
    `store_head`): a workflow that appends several times pays one round trip, not one per
    step. The kept head belongs to that transaction object only; `forget_head` drops it
    when an append fails.
    """
    transaction = session.get_transaction()
    nested = session.in_nested_transaction()  # a savepoint may roll back: never keep then
    kept = session.info.get(HEAD_KEY)
    if kept is not None and kept[0] is transaction and not nested:
        head: Head = kept[1]
        return head
    row = session.execute(
        select(LedgerHead).where(LedgerHead.id == 1).with_for_update()
    ).scalar_one()
    head = Head(row.seq, row.hash)
    if nested:
        forget_head(session)
    else:
        session.info[HEAD_KEY] = (transaction, head)
    return head


def forget_head(session: Session) -> None:
    session.info.pop(HEAD_KEY, None)


def entry_fields(seq: int, entry: NewEntry, recorded_at: str) -> dict[str, Any]:
    """The ledger columns of `entry` as entry number `seq`. Pure."""
    return {
        "seq": seq,
        "kind": entry.kind,
        "subject": entry.subject,
        "actor": entry.actor,
        "office": entry.office,
        "occurred_at": utc_text(entry.occurred_at) if entry.occurred_at else recorded_at,
        "recorded_at": recorded_at,
    }


def entry_payload(fields: dict[str, Any], data: dict[str, Any]) -> bytes:
    """The canonical JSON an entry is stored and hashed as."""
    return canonical.dumps({**fields, "data": data})


def chain_entry(head: Head, entry: NewEntry, recorded_at: str) -> dict[str, Any]:
    """The ledger row of `entry` chained after `head`, which advances to it. Pure."""
    head.seq += 1
    fields = entry_fields(head.seq, entry, recorded_at)
    payload = entry_payload(fields, entry.data)
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


VERIFY_SQL = (
    "SELECT seq, kind, subject, actor, office, occurred_at, recorded_at, payload, prev_hash, hash"
    " FROM ledger WHERE seq BETWEEN {first} AND {last} ORDER BY seq"
)
FETCH = 20_000


def _raw_rows(conn: Connection, first: int, last: int) -> Iterator[list[Any]]:
    """Ledger rows first..last in batches, straight from the driver's cursor: SQLAlchemy's
    row objects cost three times the rest of the check."""
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = VERIFY_SQL.format(first=int(first), last=int(last))
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"verify_{first}")  # server-side: bounded memory
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH):
            yield rows
    finally:
        cursor.close()


@dataclass(frozen=True)
class Segment:
    """What one stretch of the chain says about itself."""

    first_seq: int
    last_seq: int  # the last entry read (first_seq - 1 if none)
    first_prev: str | None
    last_hash: str | None
    bad_seq: int | None = None
    reason: str | None = None


def verify_segment(
    conn: Connection, first: int, last: int, progress: Callable[[int], None] | None = None
) -> Segment:
    """Check entries first..last among themselves: consecutive seqs, each prev_hash the
    previous entry's hash, each hash the hash of its payload, columns equal to the payload.
    The first entry's prev_hash is returned for the caller to join segments."""
    expected, running, first_prev = first, None, None
    for rows in _raw_rows(conn, first, last):
        for row in rows:
            if first_prev is None:
                first_prev = row[8]
                running = row[8]
            problem = _check_row(row, expected, running)
            if problem:
                return Segment(first, expected - 1, first_prev, running, expected, problem)
            running = row[9]
            expected += 1
        if progress:
            progress(len(rows))
    return Segment(first, expected - 1, first_prev, running)


def verify(
    conn: Connection,
    progress: Callable[[int], None] | None = None,
    *,
    url: str | None = None,
    workers: int = 1,
    segment_size: int | None = None,
) -> VerifyResult:
    """Walk the whole chain; report the first entry that does not hold.

    With `url` and `workers` > 1 the chain is cut into segments checked by that many
    processes; segments are then joined (each must start where the previous one ended).
    """
    head = current_head(conn)
    # every row is read, to the last one stored: a row past the head (chained or not) is a
    # forgery the head does not vouch for
    end = max(head.seq, conn.execute(select(func.max(LedgerEntry.seq))).scalar() or 0)
    if workers > 1 and url and (segment_size or end > 4 * FETCH):
        segments = _parallel_segments(url, end, workers, progress, segment_size)
    else:
        segments = [verify_segment(conn, 1, end, progress)]
    return _join(segments, head)


def _join(segments: list[Segment], head: Head) -> VerifyResult:
    """Join segment reports in order; the earliest problem wins, as in one pass."""
    previous_hash, previous_last = GENESIS, 0

    def broken(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, previous_last, head.seq, head.hash, seq, reason)

    for segment in segments:
        empty = segment.last_seq < segment.first_seq
        if empty and segment.bad_seq is None:
            continue  # nothing there: a gap shows at the next segment or at the head
        if segment.first_seq != previous_last + 1:
            return broken(previous_last + 1, f"entry {previous_last + 1}: missing")
        if not empty and segment.first_prev != previous_hash:
            seq = segment.first_seq
            return broken(seq, f"entry {seq}: prev_hash does not match the hash of entry {seq - 1}")
        if segment.bad_seq is not None:
            return VerifyResult(
                False, segment.last_seq, head.seq, head.hash, segment.bad_seq, segment.reason
            )
        previous_hash, previous_last = segment.last_hash or previous_hash, segment.last_seq
    if previous_last > head.seq:
        seq = head.seq + 1
        return broken(seq, f"entry {seq}: stored after the ledger head (seq {head.seq})")
    if (previous_last, previous_hash) != (head.seq, head.hash):
        reason = f"ledger_head says seq {head.seq} but the chain ends at seq {previous_last}"
        return broken(previous_last + 1, reason)
    return VerifyResult(True, previous_last, head.seq, head.hash)


def _segment_in_process(url: str, first: int, last: int) -> Segment:
    from sabt.registry.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return verify_segment(conn, first, last)
    finally:
        engine.dispose()


def _parallel_segments(
    url: str,
    total: int,
    workers: int,
    progress: Callable[[int], None] | None,
    size: int | None = None,
) -> list[Segment]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    size = size or max(FETCH, -(-total // (workers * 8)))  # several segments a worker
    bounds = [(first, min(first + size - 1, total)) for first in range(1, total + 1, size)]
    results: dict[int, Segment] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_segment_in_process, url, a, b): a for a, b in bounds}
        for future in as_completed(futures):
            segment = future.result()
            results[futures[future]] = segment
            if progress:
                progress(segment.last_seq - segment.first_seq + 1)
    return [results[a] for a, _ in bounds]


def _check_row(row: Any, expected_seq: int, running: str | None) -> str:
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
    fields = canonical.loads(payload)
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
