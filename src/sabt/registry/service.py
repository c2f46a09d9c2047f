"""Use cases of the register. The only code that writes the register's tables.

Every write: lock the ledger head, validate, chain the entries, apply them to the state
tables (`state.StateWriter`), store the new head, all in one transaction.
"""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.persian import national_code
from sabt.registry import bulk, ledger, validation
from sabt.registry.db import write_session
from sabt.registry.models import CodeCounter, OfficePrefix
from sabt.registry.schemas import ImportRecord
from sabt.registry.state import Batch, Deferred, StateWriter, constraints_built_after

BULK_ACTOR = "import"


def is_empty(engine: Engine) -> bool:
    """True when the register's ledger has no entry yet."""
    with engine.connect() as conn:
        return ledger.current_head(conn).seq == 0


def known_prefixes(conn: Connection | Session) -> set[str]:
    """The national-code prefixes owned by the register's civil registration offices."""
    return set(conn.execute(select(OfficePrefix.prefix)).scalars())


# Parts above the registry that act on what was just recorded, in the same transaction
# (documents: a correction revokes the documents stating the old value). `sabt.followers`
# installs them, in every process that writes; a follower may append entries of its own.
Follower = Callable[[Session, list[ledger.NewEntry]], None]


class FollowersNotInstalled(RuntimeError):
    """A process wrote the ledger before installing its followers (a programming error)."""


@dataclass
class _Followers:
    installed: list[Follower] | None = None


FOLLOWERS = _Followers()


def install_followers(followers: Sequence[Follower]) -> None:
    FOLLOWERS.installed = list(followers)


def followers() -> list[Follower]:
    if FOLLOWERS.installed is None:
        raise FollowersNotInstalled(
            "the ledger's followers are not installed: call sabt.followers.install() first"
        )
    return FOLLOWERS.installed


def append(session: Session, entries: list[ledger.NewEntry]) -> list[int]:
    """Record entries and apply them, in the caller's transaction. Returns their seqs."""
    installed = followers()  # before anything is written
    head = ledger.lock_head(session)
    writer = StateWriter(session.connection())
    recorded_at = ledger.utc_text(clock.now())
    seqs = []
    try:
        for entry in entries:
            row = ledger.chain_entry(head, entry, recorded_at)
            writer.apply(entry.kind, entry.data)
            writer.add_ledger_row(row)
            seqs.append(row["seq"])
        writer.flush()
        ledger.store_head(session, head)
    except BaseException:
        ledger.forget_head(session)  # the kept head ran ahead of what was written
        raise
    for follower in installed:
        follower(session, entries)
    return seqs


@dataclass
class ImportResult:
    offices: int = 0
    persons: int = 0
    marriages: int = 0
    mobiles: int = 0
    first_seq: int = 0
    last_seq: int = 0


_COUNT_FIELD = {
    "office.registered": "offices",
    "person.imported": "persons",
    "marriage.imported": "marriages",
    "mobile.reported": "mobiles",
}


def bulk_import(
    engine: Engine,
    records: Iterable[ImportRecord],
    *,
    source: bulk.ChunkSource | None = None,
    workers: int | None = None,
    actor: str = BULK_ACTOR,
    progress: Callable[[int], None] | None = None,
    batch_rows: int = 20_000,
) -> ImportResult:
    """The one bulk write path: every record becomes an entry of the ledger ("imported"),
    chained and applied in one transaction, so a bad record anywhere writes nothing.

    `records` are imported first, then the chunks of `source`. On PostgreSQL those chunks
    are prepared by `workers` processes (default: one per core; see `bulk`) with the same
    checks and give the same entries; elsewhere they are made here, one after another."""
    result = ImportResult()
    parallel = source is not None and engine.dialect.name == "postgresql"
    count = workers or os.cpu_count() or 1
    with (
        bulk.workers(source, count) if parallel and source else nullcontext() as pool,
        write_session(engine) as session,
    ):
        head = ledger.lock_head(session)
        result.first_seq = head.seq + 1
        recorded_at = ledger.utc_text(clock.now())  # one time for the whole import
        prefixes = known_prefixes(session)
        conn = session.connection()
        serial = records if parallel or source is None else _made(records, source)
        entries = _validated(serial, prefixes, actor, result)
        try:
            with (
                constraints_built_after(conn) if head.seq == 0 else nullcontext() as deferred,
                StateWriter(conn, batch_rows=batch_rows, background=True) as writer,
            ):
                done = 0
                for row, entry in _chained(head, entries, recorded_at):
                    writer.apply(entry.kind, entry.data)
                    writer.add_ledger_row(row)
                    done += 1
                    if progress and done % 10_000 == 0:
                        progress(10_000)
                if progress and done % 10_000:
                    progress(done % 10_000)
                if pool is not None and source is not None:
                    context = bulk.Context(frozenset(prefixes), actor, recorded_at)
                    chunks = bulk.prepared(pool, source.chunks(), head.seq + 1, context, AHEAD)
                    _import_chunks(writer, deferred, head, chunks, result, progress)
                writer.flush()
        except IntegrityError as exc:
            raise _integrity_error(exc) from exc
        ledger.store_head(session, head)
        result.last_seq = head.seq
    return result


# Chunks prepared ahead of the one being written. While the indexes of a finished series
# are built (below), the workers go on with the next chunks: on 2 cores, 8 keep them busy
# for most of the ~9 s the person table's take, and hold at most ~0.5 GB of rows when a
# chunk is 50,000 records.
AHEAD = 8


def _import_chunks(
    writer: StateWriter,
    deferred: Deferred | None,
    head: ledger.Head,
    prepared: Iterable[tuple[bulk.Chunk, bulk.Prepared]],
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> None:
    """Chain and write prepared chunks in order.

    When a series of chunks ends (persons, then marriages), the indexes and foreign keys of
    the tables it wrote are built at once, while the workers prepare the next series, and
    not all at the end, when nothing else runs beside them. The code counters the chunks
    raise are raised once, at the end: one statement per prefix, not one per chunk."""
    counters: dict[str, int] = {}
    series, written = "", set[str]()
    for chunk, ready in prepared:
        tables = set(ready.batch.copy_text)
        if deferred is not None and series and chunk.series != series:
            writer.flush()
            deferred.build(written - tables - {"ledger"})  # the ledger goes on growing
            written = set()
        series, written = chunk.series, written | tables
        for prefix, serial in ready.batch.counters.items():
            counters[prefix] = max(serial, counters.get(prefix, 0))
        ready.batch.counters = {}
        writer.write(bulk.chained_batch(head, ready))
        _count(result, ready.kinds)
        if progress:
            progress(chunk.size)
    writer.write(Batch(counters=counters))


def _made(records: Iterable[ImportRecord], source: bulk.ChunkSource) -> Iterator[ImportRecord]:
    yield from records
    for chunk in source.chunks():
        made = 0
        for record in source.make(chunk):
            made += 1
            yield record
        if made != chunk.size:
            raise ValueError(f"chunk {chunk} made {made} records, not {chunk.size}")


def _count(result: ImportResult, kinds: Mapping[str, int]) -> None:
    for kind, n in kinds.items():
        field = _COUNT_FIELD[kind]
        setattr(result, field, getattr(result, field) + n)


def _validated(
    records: Iterable[ImportRecord], prefixes: set[str], actor: str, result: ImportResult
) -> Iterator[ledger.NewEntry]:
    for record in records:
        entry = validation.import_entry(record, prefixes, actor)
        _count(result, {entry.kind: 1})
        yield entry


def _chained(
    head: ledger.Head, entries: Iterable[ledger.NewEntry], recorded_at: str
) -> Iterator[tuple[dict[str, Any], ledger.NewEntry]]:
    for entry in entries:
        yield ledger.chain_entry(head, entry, recorded_at), entry


def _integrity_error(exc: IntegrityError) -> BadInput:
    detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
    return BadInput(
        "conflicts_with_register",
        "رکورد با دادهٔ ثبت‌شده سازگار نیست (تکراری یا ارجاع به فرد ناموجود)",
        f"a record conflicts with the register (duplicate, or a reference to a missing"
        f" person or office): {detail}",
    )


def allocate_national_code(session: Session, prefix: str, *, actor: str, purpose: str) -> str:
    """Hand out the next unused national code of an office prefix, with a ledger entry.

    Runs under the ledger head lock and the counter row's lock, so concurrent writers never
    receive the same code; serials that would make an invalid code (a repeated-digit code)
    are skipped.
    """
    ledger.lock_head(session)  # serialises every writer first
    counter = session.execute(
        select(CodeCounter).where(CodeCounter.prefix == prefix).with_for_update()
    ).scalar_one_or_none()
    if counter is None:
        raise BadInput(
            "unknown_prefix",
            f"پیشوند {prefix} در این ثبت تعریف نشده",
            f"prefix {prefix} has no office here",
        )
    serial = counter.next_serial
    while True:
        if serial > 999_999:
            raise Conflict(
                "prefix_exhausted",
                f"شماره‌های پیشوند {prefix} تمام شده",
                f"prefix {prefix} has no serial left",
            )
        try:
            code = national_code.allocate(prefix, serial)
            break
        except ValueError:
            serial += 1
    data = {"prefix": prefix, "serial": serial, "national_code": code, "purpose": purpose}
    append(session, [ledger.NewEntry("code.allocated", code, data, actor)])
    return code
