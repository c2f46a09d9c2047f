"""Bulk import in worker processes (PostgreSQL): chunks of records are made, validated and
turned into ledger payloads and COPY rows in parallel; the hash chain stays in one process.

Why: the chain is sequential, but almost none of an entry's work is: making the record,
validating it, its canonical payload, its rows for the state tables and their COPY data.
A chunk states its size before it is made, so each of its entries has its seq number in
advance and a worker can write everything but the two hash columns. The importing process
then chains the payloads in order (one SHA-256 each, `ledger.entry_hash`'s rule), writes
each row's two hashes in place and streams the rows to the database in its one
transaction; the result is byte for byte the entries a serial import writes.

The worker processes are forked before the import opens its transaction, so they inherit
the source (a simulated population, say) without pickling it, and no connection or thread
of that transaction. COPY's formats are written here by hand (the ledger's rows in binary,
the state tables' in text): psycopg formats rows only through a connection, which a worker
does not have.
"""

import ctypes
import hashlib
import multiprocessing
import platform
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table

from sabt.registry import columns, ledger, validation
from sabt.registry.schemas import ImportRecord
from sabt.registry.state import TABLE, Batch, effects_of


@dataclass(frozen=True, slots=True)
class Chunk:
    """Records `start` to `stop` (exclusive) of one series of a source."""

    series: str
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


class ChunkSource(Protocol):
    """Records made a chunk at a time, in any process. `make(chunk)` must give exactly
    `chunk.size` records, the same ones whenever it is called."""

    def chunks(self) -> Sequence[Chunk]: ...

    def make(self, chunk: Chunk) -> Iterable[ImportRecord]: ...


@runtime_checkable
class ColumnSource(ChunkSource, Protocol):
    """A source that can also give a chunk in columns (`registry.columns`; None for a
    chunk it gives only as records): the workers then prepare it without a record per
    row. Its `make` must give the same records (`columns.records` of them)."""

    def columns(self, chunk: Chunk) -> columns.Columns | None: ...


@dataclass(frozen=True)
class Context:
    """What every chunk's entries share: the register's prefixes after the records imported
    before the chunks, the actor and the recording time."""

    prefixes: frozenset[str]
    actor: str
    recorded_at: str


@dataclass
class Prepared:
    """A chunk made ready to chain: its ledger rows in COPY's binary format, one after
    another in `lines`, their two hash fields (the table's last two) zeros until chained.
    Entry k's payload is `lines[starts[k]:stops[k]]` and its row ends at `ends[k]`."""

    lines: bytes
    starts: array  # type: ignore[type-arg]
    stops: array  # type: ignore[type-arg]
    ends: array  # type: ignore[type-arg]
    batch: Batch
    kinds: Counter[str] = field(default_factory=Counter)


_SOURCE: ChunkSource | None = None  # the source, in a worker process


def _adopt(source: ChunkSource) -> None:
    global _SOURCE
    _SOURCE = source


@contextmanager
def workers(source: ChunkSource, count: int) -> Iterator[ProcessPoolExecutor]:
    """`count` worker processes holding `source`, forked now: call before the import's
    transaction begins."""
    _keep_freed_memory(True)  # the workers, forked after, inherit the setting
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_adopt, initargs=(source,))
    try:
        pool.submit(int).result()  # a fork-context pool starts all its processes at once
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _keep_freed_memory(False)


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD = -1, -3, 128 * 1024
_KEPT = 1 << 30


def _keep_freed_memory(keep: bool) -> None:
    """Why: a chunk's COPY data (ledger rows and state rows) is tens of megabytes. glibc
    serves blocks that large with a fresh mmap and unmaps them when they are freed, so each
    chunk paid again, in page faults, for memory its predecessor had just given back: at 1 M
    living people, ~7 s of system CPU across the importer and the workers. While an import runs,
    large blocks come from the heap and freed memory stays there to be reused. Afterwards
    both thresholds go back to glibc's default (128 KiB) and the heap is trimmed. glibc
    only; elsewhere nothing changes."""
    if platform.libc_ver()[0] != "glibc":
        return
    libc = ctypes.CDLL(None)
    threshold = _KEPT if keep else _DEFAULT_THRESHOLD
    libc.mallopt(_M_MMAP_THRESHOLD, threshold)
    libc.mallopt(_M_TRIM_THRESHOLD, threshold)
    if not keep:
        libc.malloc_trim(0)


def prepared(
    pool: ProcessPoolExecutor,
    chunks: Sequence[Chunk],
    first_seq: int,
    context: Context,
    ahead: int,
) -> Iterator[tuple[Chunk, Prepared]]:
    """Each chunk prepared by the pool, in order; at most `ahead` are in the pool or
    waiting, which bounds the memory."""
    pending: deque[tuple[Chunk, Future[Prepared]]] = deque()
    seq = first_seq
    for chunk in chunks:
        pending.append((chunk, pool.submit(prepare, chunk, seq, context)))
        seq += chunk.size
        if len(pending) >= ahead:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def prepare(chunk: Chunk, first_seq: int, context: Context) -> Prepared:
    """In a worker: make the chunk's records, validate them (`validation.import_entry`, the
    serial import's own check) and write their ledger rows (in COPY's binary format) and
    state rows (in its text format); or, for a chunk in columns, the same by
    `columns.prepare`."""
    assert _SOURCE is not None, "prepare runs in a worker started by `workers`"
    if isinstance(_SOURCE, ColumnSource) and (made := _SOURCE.columns(chunk)) is not None:
        if len(made) != chunk.size:
            raise ValueError(f"chunk {chunk} made {len(made)} records, not {chunk.size}")
        return _prepared_columns(made, first_seq, context) or prepare_records(
            chunk, columns.records(made), first_seq, context
        )
    return prepare_records(chunk, _SOURCE.make(chunk), first_seq, context)


def _prepared_columns(made: columns.Columns, first_seq: int, context: Context) -> Prepared | None:
    fields = ledger.entry_fields(0, ledger.NewEntry("", "", {}, context.actor), context.recorded_at)
    after = _after_payload(tuple(fields[name] for name in _AFTER_PAYLOAD))
    written = columns.prepare(
        made, first_seq, context.prefixes, context.actor, context.recorded_at, after
    )
    if written is None:
        return None
    kinds = Counter({written.kind: len(made)})
    ready = written.ledger, written.starts, written.stops, written.ends
    return Prepared(*ready, written.batch, kinds)


def prepare_records(
    chunk: Chunk, records: Iterable[ImportRecord], first_seq: int, context: Context
) -> Prepared:
    """`prepare` for records made one by one."""
    batch = Batch()
    kinds: Counter[str] = Counter()
    parts: list[bytes] = []
    starts, stops, ends = array("q"), array("q"), array("q")
    size, seq = 0, first_seq
    for record in records:
        entry = validation.import_entry(record, context.prefixes, context.actor)
        fields = ledger.entry_fields(seq, entry, context.recorded_at)
        payload = ledger.entry_payload(fields, entry.data)
        batch.add(effects_of(entry.kind, entry.data))
        kinds[entry.kind] += 1
        before, after = _ledger_columns(fields, len(payload))
        size += len(before)
        starts.append(size)
        size += len(payload)
        stops.append(size)
        size += len(after)
        ends.append(size)
        parts += (before, payload, after)
        seq += 1
    if seq - first_seq != chunk.size:
        raise ValueError(f"chunk {chunk} made {seq - first_seq} records, not {chunk.size}")
    copy = Batch(counters=batch.counters, updates=batch.updates, size=batch.size)
    copy.copy_text = {name: [copy_text(TABLE[name], rows)] for name, rows in batch.rows.items()}
    return Prepared(b"".join(parts), starts, stops, ends, copy, kinds)


def chained_batch(head: ledger.Head, ready: Prepared) -> Batch:
    """The chunk's batch of rows, its ledger rows chained after `head` (which advances to
    the chunk's last entry): each gets its prev_hash and hash, written in place.

    The hash is `ledger.entry_hash`'s, inlined: this loop runs once per entry of an import
    (~1.6 µs each, ~2.3 with the call and a list of pieces to join)."""
    rows = bytearray(ready.lines)
    view = memoryview(rows)
    previous = head.hash.encode("ascii")
    for payload_start, payload_stop, end in zip(ready.starts, ready.stops, ready.ends, strict=True):
        digest = hashlib.sha256(previous)
        digest.update(view[payload_start:payload_stop])
        hashed = digest.hexdigest().encode("ascii")
        view[end - _PREV_HASH_AT : end - _PREV_HASH_AT + 64] = previous
        view[end - 64 : end] = hashed
        previous = hashed
    view.release()
    head.seq += len(ready.ends)
    head.hash = previous.decode("ascii")
    ready.batch.copy_binary["ledger"] = [rows]
    ready.batch.size += len(ready.ends)
    return ready.batch


LEDGER_ORDER = [c.name for c in TABLE["ledger"].columns]
if LEDGER_ORDER[-2:] != ["prev_hash", "hash"]:  # `chained_batch` fills them in each row
    raise ImportError("the ledger table's last columns must be prev_hash and hash")
if any(  # `columns.binary_field` writes an int as an Integer column, all else as text
    not isinstance(c.type, Integer | String) or isinstance(c.type, BigInteger | SmallInteger)
    for c in TABLE["ledger"].columns
):
    raise ImportError("the ledger's columns must be Integer or text for COPY's binary rows")
# A row's last two fields, before they are chained: each a length and 64 hexadecimal
# digits, NUL bytes until then (which PostgreSQL refuses in text, should one go unchained).
_HASH_FIELDS = 2 * ((64).to_bytes(4, "big") + bytes(64))
_PREV_HASH_AT = 64 + 4 + 64  # from a row's end to its prev_hash's digits


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = columns.NULL


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return NULL
    kind = type(value)
    if kind is str:
        return str(value).translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime and value.tzinfo is None:  # the tables hold naive UTC times
        return str(value.isoformat())
    if kind is date:
        return str(value.isoformat())
    raise TypeError(f"no COPY text for {value!r}")


def _converter(column_type: Any) -> Callable[[Any], str] | None:
    """How a column's non-null values become text; None when they are text already."""
    return None if isinstance(column_type, String) else _text  # Text is a String


def _escaped_line(values: list[Any]) -> str:
    return "\t".join(NULL if value is None else _text(value) for value in values)


def copy_text(table: Table, rows: list[dict[str, Any]]) -> bytes:
    """Rows in COPY's text format, columns in the table's order.

    Column by column (one list comprehension each, cheaper than a loop over rows and their
    values), joined, then checked once as a whole: only when some value needs escaping
    (rare: a tab or backslash in a name) are the rows written again, escaped."""
    if not rows:
        return b""
    texts = []
    for column in table.columns:
        values = [row[column.name] for row in rows]
        if _converter(column.type) is not None:
            values = [None if value is None else _text(value) for value in values]
        texts.append(values)
    text = columns.copy_rows(texts)
    if text is None:
        names = [c.name for c in table.columns]
        escaped = "\n".join(_escaped_line([row[name] for name in names]) for row in rows)
        text = (escaped + "\n").encode("utf-8")
    return text


def _ledger_columns(fields: dict[str, Any], payload_size: int) -> tuple[bytes, bytes]:
    """An entry's ledger row in COPY's binary format before and after its payload's bytes:
    the number of fields, seq, kind, subject and the payload's length; then actor, office,
    times and the two hash fields to fill."""
    before = b"".join(columns.binary_field(fields[name]) for name in _BEFORE_PAYLOAD)
    after = _after_payload(tuple(fields[name] for name in _AFTER_PAYLOAD))
    return columns.LEDGER_FIELDS + before + payload_size.to_bytes(4, "big"), after


@lru_cache(maxsize=256)
def _after_payload(values: tuple[Any, ...]) -> bytes:
    """The fields after the payload: actor, office and times, the same for every entry of
    an import, so written once, then the two hash fields to fill (`chained_batch`)."""
    return b"".join(map(columns.binary_field, values)) + _HASH_FIELDS


_BEFORE_PAYLOAD = LEDGER_ORDER[: LEDGER_ORDER.index("payload")]
_AFTER_PAYLOAD = LEDGER_ORDER[LEDGER_ORDER.index("payload") + 1 : -2]
