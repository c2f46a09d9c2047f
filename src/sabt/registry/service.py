"""Use cases of the register. The only code that writes the register's tables.

Every write: lock the ledger head, validate, chain the entries, apply them to the state
tables (`state.StateWriter`), store the new head, all in one transaction.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.persian import national_code
from sabt.registry import ledger, validation
from sabt.registry.db import write_session
from sabt.registry.models import CodeCounter, OfficePrefix
from sabt.registry.schemas import (
    ImportRecord,
    MarriageRecord,
    MobileRecord,
    OfficeRecord,
    PersonRecord,
)
from sabt.registry.state import StateWriter, constraints_built_after

BULK_ACTOR = "import"


def is_empty(engine: Engine) -> bool:
    """True when the register's ledger has no entry yet."""
    with engine.connect() as conn:
        return ledger.current_head(conn).seq == 0


def known_prefixes(conn: Connection | Session) -> set[str]:
    """The national-code prefixes owned by the register's civil registration offices."""
    return set(conn.execute(select(OfficePrefix.prefix)).scalars())


# Parts above the registry that act on what was just recorded, in the same transaction
# (documents: a correction revokes the documents stating the old value). Registered once
# when the part is imported; a follower may append entries of its own.
Follower = Callable[[Session, list[ledger.NewEntry]], None]
FOLLOWERS: list[Follower] = []


def follow(follower: Follower) -> None:
    if follower not in FOLLOWERS:
        FOLLOWERS.append(follower)


def append(session: Session, entries: list[ledger.NewEntry]) -> list[int]:
    """Record entries and apply them, in the caller's transaction. Returns their seqs."""
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
    for follower in FOLLOWERS:
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


def _entry(record: ImportRecord, prefixes: set[str], actor: str) -> ledger.NewEntry:
    match record:
        case PersonRecord():
            data = validation.person_data(record, prefixes)
            return ledger.NewEntry("person.imported", data["national_code"], data, actor)
        case MarriageRecord():
            data = validation.marriage_data(record, prefixes)
            return ledger.NewEntry("marriage.imported", str(record.id), data, actor)
        case MobileRecord():
            data = validation.mobile_data(record, prefixes)
            return ledger.NewEntry("mobile.reported", data["national_code"], data, actor)
        case OfficeRecord():
            data = validation.office_data(record)
            prefixes.update(p for p, _ in record.prefixes)
            return ledger.NewEntry("office.registered", record.code, data, actor)
    raise BadInput("bad_record", "رکورد ناشناخته", f"cannot import {type(record).__name__}")


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
    actor: str = BULK_ACTOR,
    progress: Callable[[int], None] | None = None,
    batch_rows: int = 20_000,
) -> ImportResult:
    """The one bulk write path: every record becomes an entry of the ledger ("imported"),
    chained and applied in one transaction, so a bad record anywhere writes nothing."""
    result = ImportResult()
    with write_session(engine) as session:
        head = ledger.lock_head(session)
        result.first_seq = head.seq + 1
        prefixes = known_prefixes(session)
        conn = session.connection()
        entries = _validated(records, prefixes, actor, result)
        empty = head.seq == 0
        try:
            with (
                constraints_built_after(conn) if empty else nullcontext(),
                StateWriter(conn, batch_rows=batch_rows, background=True) as writer,
            ):
                for row, entry in _chained(head, entries):
                    writer.apply(entry.kind, entry.data)
                    writer.add_ledger_row(row)
                    if progress and row["seq"] % 10_000 == 0:
                        progress(10_000)
                writer.flush()
        except IntegrityError as exc:
            raise _integrity_error(exc) from exc
        ledger.store_head(session, head)
        result.last_seq = head.seq
    return result


def _validated(
    records: Iterable[ImportRecord], prefixes: set[str], actor: str, result: ImportResult
) -> Iterator[ledger.NewEntry]:
    for record in records:
        entry = _entry(record, prefixes, actor)
        field = _COUNT_FIELD[entry.kind]
        setattr(result, field, getattr(result, field) + 1)
        yield entry


def _chained(
    head: ledger.Head, entries: Iterable[ledger.NewEntry]
) -> Iterator[tuple[dict[str, Any], ledger.NewEntry]]:
    recorded_at = ledger.utc_text(clock.now())
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
