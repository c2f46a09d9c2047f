"""How each kind of ledger entry changes the current-state tables.

An *applier* turns an entry's `data` into rows (pure). `StateWriter` buffers those rows
and writes them in bulk: COPY on PostgreSQL, batched executemany on SQLite. Live writes,
`bulk_import` and `replay` all go through here, so replaying the ledger rebuilds exactly the
state the live path wrote.
"""

import sqlite3
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import psycopg
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Table,
    bindparam,
    func,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from sabt.registry.models import (
    CodeCounter,
    LedgerEntry,
    Marriage,
    MarriageReturn,
    MobileOwnership,
    Office,
    OfficePrefix,
    Person,
)

# Tables in foreign-key order: a flush writes them in this order.
TABLES: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[misc]
    for m in (Office, OfficePrefix, CodeCounter, Person, Marriage, MarriageReturn,
              MobileOwnership, LedgerEntry)
)  # fmt: skip
TABLE = {t.name: t for t in TABLES}
COPY_FROM_ROWS = 64  # fewer rows (a live workflow step) are inserted, more are COPYed


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def instant(text: str | None) -> datetime | None:
    """A ledger time ('...Z') as the naive UTC datetime the tables store."""
    return datetime.fromisoformat(text.removesuffix("Z")) if text else None


@dataclass
class Effects:
    inserts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    counters: list[tuple[str, int]] = field(default_factory=list)  # (prefix, next serial)
    # (table, primary key, new values): run after the batch's inserts, in entry order.
    updates: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def apply_office_registered(data: dict[str, Any]) -> Effects:
    office = {k: data[k] for k in ("code", "kind", "name_fa", "county", "province")}
    effects = Effects(inserts=[("office", office)])
    for p in data["prefixes"]:
        effects.inserts.append(
            (
                "office_prefix",
                {"prefix": p["prefix"], "office": data["code"], "synthetic": p["synthetic"]},
            )
        )
        effects.inserts.append(("code_counter", {"prefix": p["prefix"], "next_serial": 1}))
    return effects


PERSON_TEXT = (
    "national_code", "first_name", "last_name", "father_name", "first_name_key",
    "last_name_key", "father_name_key", "sex", "birth_county", "registering_office",
    "booklet_series", "booklet_serial", "residence_county", "religion", "school", "status",
    "death_place",
)  # fmt: skip


def person_row(data: dict[str, Any]) -> dict[str, Any]:
    row = {k: data[k] for k in PERSON_TEXT}
    row.update(
        birth_date=day(data["birth_date"]),
        birth_at=instant(data["birth_at"]),
        birth_registered_at=instant(data["birth_registered_at"]),
        death_date=day(data["death_date"]),
        death_at=instant(data["death_at"]),
        death_registered_at=instant(data["death_registered_at"]),
        father_code=data["father"],
        mother_code=data["mother"],
    )
    return row


def apply_person_imported(data: dict[str, Any]) -> Effects:
    code = data["national_code"]
    return Effects(
        inserts=[("person", person_row(data))], counters=[(code[:3], int(code[3:9]) + 1)]
    )


def apply_marriage_imported(data: dict[str, Any]) -> Effects:
    row = {
        "id": data["id"],
        "husband_code": data["husband"],
        "wife_code": data["wife"],
        "kind": data["kind"],
        "term_end": day(data["term_end"]),
        "registered_at": instant(data["registered_at"]),
        "office": data["office"],
        "ended_at": instant(data["ended_at"]),
        "end_reason": data["end_reason"],
        "waiting_period_end": day(data["waiting_period_end"]),
        "reference": data.get("reference"),
    }
    effects = Effects(inserts=[("marriage", row)])
    for ret in data["returns"]:
        effects.inserts.append(
            ("marriage_return", {"id": ret["id"], "marriage_id": data["id"],
                                 "divorced_at": instant(ret["divorced_at"]),
                                 "returned_at": instant(ret["returned_at"])})
        )  # fmt: skip
    return effects


def apply_person_died(data: dict[str, Any]) -> Effects:
    """A registered death: the person deceased and each open marriage ended by death."""
    death_at = instant(data["death_at"])
    person = {
        "status": "deceased",
        "death_date": day(data["death_date"]),
        "death_at": death_at,
        "death_place": data["death_place"],
        "death_registered_at": instant(data["death_registered_at"]),
    }
    effects = Effects(updates=[("person", {"national_code": data["national_code"]}, person)])
    for m in data["marriages_ended"]:
        ended = {"ended_at": death_at, "end_reason": "death",
                 "waiting_period_end": day(m["waiting_period_end"])}  # fmt: skip
        effects.updates.append(("marriage", {"id": m["id"]}, ended))
    return effects


def apply_death_revoked(data: dict[str, Any]) -> Effects:
    """A wrongly registered death revoked: the person alive again and the marriages the
    death ended open again (with no widow's waiting period)."""
    alive = {"status": "alive", "death_date": None, "death_at": None, "death_place": None,
             "death_registered_at": None}  # fmt: skip
    effects = Effects(updates=[("person", {"national_code": data["national_code"]}, alive)])
    reopened = {"ended_at": None, "end_reason": None, "waiting_period_end": None}
    for marriage_id in data["marriages_reopened"]:
        effects.updates.append(("marriage", {"id": marriage_id}, reopened))
    return effects


CORRECTABLE_DATES = frozenset({"birth_date"})


def apply_person_corrected(data: dict[str, Any]) -> Effects:
    """A correction: the new value of one field (and its search key for a name)."""
    field, new = data["field"], data["new"]
    values = {field: day(new) if field in CORRECTABLE_DATES else new}
    if data.get("key") is not None:
        values[f"{field}_key"] = data["key"]
    return Effects(updates=[("person", {"national_code": data["national_code"]}, values)])


def apply_marriage_ended(data: dict[str, Any]) -> Effects:
    """A divorce, or a temporary marriage's term expired or waived."""
    values = {
        "ended_at": instant(data["ended_at"]),
        "end_reason": data["end_reason"],
        "waiting_period_end": day(data["waiting_period_end"]),
    }
    return Effects(updates=[("marriage", {"id": data["id"]}, values)])


def apply_marriage_returned(data: dict[str, Any]) -> Effects:
    """A return (رجوع) during a revocable divorce's waiting period: the marriage goes on."""
    back = {"id": data["return_id"], "marriage_id": data["id"],
            "divorced_at": instant(data["divorced_at"]),
            "returned_at": instant(data["returned_at"])}  # fmt: skip
    reopened = {"ended_at": None, "end_reason": None, "waiting_period_end": None}
    return Effects(
        inserts=[("marriage_return", back)], updates=[("marriage", {"id": data["id"]}, reopened)]
    )


def apply_mobile_reported(data: dict[str, Any]) -> Effects:
    row = {k: data[k] for k in ("mobile", "national_code", "operator")}
    row["reported_at"] = instant(data["reported_at"])
    return Effects(inserts=[("mobile_ownership", row)])


def apply_code_allocated(data: dict[str, Any]) -> Effects:
    return Effects(counters=[(data["prefix"], data["serial"] + 1)])


Applier = Callable[[dict[str, Any]], Effects]

APPLIERS: dict[str, Applier] = {
    "office.registered": apply_office_registered,
    "person.imported": apply_person_imported,
    "person.registered": apply_person_imported,  # a birth registered through a workflow
    "marriage.imported": apply_marriage_imported,
    # the registration workflows' changes to the register
    "person.died": apply_person_died,
    "person.corrected": apply_person_corrected,
    "person.death_revoked": apply_death_revoked,
    "marriage.registered": apply_marriage_imported,
    "marriage.ended": apply_marriage_ended,
    "marriage.returned": apply_marriage_returned,
    "mobile.reported": apply_mobile_reported,
    "code.allocated": apply_code_allocated,
}


def register_part(tables: tuple[Table, ...], appliers: dict[str, Applier]) -> None:
    """Let a part above the registry record its own workflow steps in the ledger: its
    tables are written (and replayed) after the register's, by its own appliers. Called once
    when the part is imported; re-registering the same kinds is harmless."""
    global TABLES
    TABLES = TABLES + tuple(t for t in tables if t.name not in TABLE)
    TABLE.update({t.name: t for t in tables})
    APPLIERS.update(appliers)


@dataclass
class Batch:
    """Rows to write: row dicts, or rows already in COPY's text or binary format (made in a
    worker process by `bulk`), plus code-counter raises and updates."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    copy_text: dict[str, list[bytes]] = field(default_factory=dict)
    copy_binary: dict[str, list[bytes | bytearray]] = field(default_factory=dict)  # the rows
    counters: dict[str, int] = field(default_factory=dict)  # prefix -> next serial
    updates: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    size: int = 0  # rows and updates held

    def add(self, effects: Effects) -> None:
        for table, row in effects.inserts:
            self.rows.setdefault(table, []).append(row)
        for prefix, serial in effects.counters:
            if serial > self.counters.get(prefix, 0):
                self.counters[prefix] = serial
        self.updates.extend(effects.updates)
        self.size += len(effects.inserts) + len(effects.updates)


def effects_of(kind: str, data: dict[str, Any]) -> Effects:
    applier = APPLIERS.get(kind)
    if applier is None:
        raise ValueError(f"no applier for ledger entry kind {kind!r}")
    return applier(data)


class StateWriter:
    """Buffers rows and writes them in foreign-key order, inside the caller's transaction.

    With `background=True` (PostgreSQL bulk paths) a full batch is written by one helper
    thread while the caller prepares the next, so the server's work on one batch overlaps
    the client's on the next; at most one batch is in flight, and nothing else uses the
    connection meanwhile. Use it as a context manager so no write outlives an error.
    """

    def __init__(self, conn: Connection, batch_rows: int = 20_000, background: bool = False):
        self.conn = conn
        self.batch_rows = batch_rows
        self.postgres = conn.dialect.name == "postgresql"
        self.batch = Batch()
        self._pool = ThreadPoolExecutor(1) if background and self.postgres else None
        self._in_flight: Future[None] | None = None

    def __enter__(self) -> "StateWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        self.batch.add(effects_of(kind, data))

    def add_ledger_row(self, row: dict[str, Any]) -> None:
        self.batch.rows.setdefault("ledger", []).append(row)
        self.batch.size += 1
        if self.batch.size >= self.batch_rows:
            self._write_soon(self._take())

    def write(self, batch: Batch) -> None:
        """Write a whole batch: in the background when there is a helper thread (after the
        batch before it), else now. Rows buffered by `apply` are written first."""
        if self.batch.size:
            pending = self._take()
            self._write_soon(pending)
        self._write_soon(batch)

    def flush(self) -> None:
        """Write everything buffered and wait until it is written."""
        self._wait_for_write()
        self._write(self._take())

    def close(self) -> None:
        """Wait for a write in flight (its error, if any, is the caller's to have seen)."""
        if self._in_flight is not None:
            wait([self._in_flight])
            self._in_flight = None
        if self._pool is not None:
            self._pool.shutdown()

    def _take(self) -> Batch:
        batch, self.batch = self.batch, Batch()
        return batch

    def _write_soon(self, batch: Batch) -> None:
        if self._pool is None:
            self._write(batch)
            return
        self._wait_for_write()
        self._in_flight = self._pool.submit(self._write, batch)

    def _wait_for_write(self) -> None:
        if self._in_flight is not None:
            future, self._in_flight = self._in_flight, None
            future.result()

    def _write(self, batch: Batch) -> None:
        for table in TABLES:
            if rows := batch.rows.get(table.name):
                self._insert(table, rows)
            for data in batch.copy_text.get(table.name, ()):
                _copy_data(self.conn, table, data)
            for binary_rows in batch.copy_binary.get(table.name, ()):
                _copy_data(self.conn, table, binary_rows, binary=True)
        if batch.counters:
            self._raise_counters(batch.counters)
        for name, key, values in batch.updates:
            self._update(TABLE[name], key, values)

    def _update(self, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        stmt = update(table).where(*(table.c[k] == v for k, v in key.items())).values(**values)
        matched = self.conn.execute(stmt).rowcount
        if matched != 1:  # an entry that changes a row the state does not have: stop
            raise ValueError(f"update of {table.name} {key} matched {matched} rows, not 1")

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if self.postgres and len(rows) < COPY_FROM_ROWS:
            self.conn.execute(table.insert(), rows)  # a COPY's setup costs more than a few rows
        elif self.postgres:
            _copy_rows(self.conn, table, rows)
        else:
            _executemany_sqlite(self.conn, table, rows)

    def _raise_counters(self, counters: dict[str, int]) -> None:
        greatest = func.greatest if self.postgres else func.max  # SQLite's max(x, y) is scalar
        stmt = (
            update(CodeCounter)
            .where(CodeCounter.prefix == bindparam("p"))
            .values(next_serial=greatest(CodeCounter.next_serial, bindparam("n")))
            .execution_options(synchronize_session=False)
        )
        self.conn.execute(stmt, [{"p": p, "n": n} for p, n in sorted(counters.items())])


class Deferred:
    """The foreign keys and secondary indexes dropped for a load, to build again."""

    def __init__(self, conn: Connection, keys: list[Any], indexes: list[Any]) -> None:
        self.conn = conn
        self.keys = keys  # (table, name, definition)
        self.indexes = indexes  # (table, name, definition)

    def build(self, tables: Collection[str] | None = None) -> None:
        """Build those of `tables` (all when None) now. Always correct, even if more rows
        come to them later (the index or key then checks each as it comes); cheapest once
        a table has all its rows."""
        chosen = [i for i in self.indexes if tables is None or i[0] in tables]
        keys = [k for k in self.keys if tables is None or k[0] in tables]
        if not chosen and not keys:
            return
        self.conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for index in chosen:
            self.conn.execute(text(index[2]))
            self.indexes.remove(index)
        for key in keys:
            table, name, definition = key
            self.conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
            self.keys.remove(key)


@contextmanager
def constraints_built_after(conn: Connection) -> Iterator[Deferred | None]:
    """Load into an empty PostgreSQL register without foreign keys and secondary indexes,
    and build them at the end (or earlier, table by table, by `Deferred.build`), in the
    same transaction. Yields None on SQLite, which keeps them.

    Per row, a foreign key costs an index lookup and each index an insert; built after the
    load, each foreign key is one join and each index one sort (the way pg_restore loads).
    A violation fails the rebuild, so the whole transaction, and writes nothing. Callers
    use it only on an empty register: the ALTERs lock the tables until commit.
    """
    if conn.dialect.name != "postgresql":
        yield None
        return
    keys = [tuple(k) for k in conn.execute(text(FOREIGN_KEYS_SQL))]
    indexes = [tuple(i) for i in conn.execute(text(SECONDARY_INDEXES_SQL), {"tables": list(TABLE)})]
    for table, name, _ in keys:
        conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
    for _, name, _ in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    _truncate_empty(conn)
    deferred = Deferred(conn, keys, indexes)
    yield deferred
    deferred.build()


def _truncate_empty(conn: Connection) -> None:
    """Truncate the (empty) tables about to be loaded: with `wal_level = minimal`, rows
    written into a table truncated in the same transaction skip the write-ahead log, as
    PostgreSQL's guide to populating a database describes (§14.4.7)."""
    names = [t.name for t in TABLES]
    if any(conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {name})")).scalar() for name in names):
        return  # never here: the register is empty; but never truncate what holds rows
    conn.execute(text(f"TRUNCATE {', '.join(names)}"))


FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
ORDER BY c.conname
"""
SECONDARY_INDEXES_SQL = """
SELECT t.relname::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables)
  AND NOT i.indisunique
ORDER BY 2
"""


def _sqlite_datetime(value: datetime) -> str:
    return value.isoformat(" ", "microseconds")


def _sqlite_date(value: date) -> str:
    return value.isoformat()


def _sqlite_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """SQLAlchemy's own storage format on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff",
    "YYYY-MM-DD", 0/1), so rows written here read back through the ORM unchanged."""
    if isinstance(column_type, DateTime):
        return _sqlite_datetime
    if isinstance(column_type, Date):
        return _sqlite_date
    if isinstance(column_type, Boolean):
        return int
    return None


def _executemany_sqlite(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    # The DB-API executemany directly: SQLAlchemy's per-row parameter processing cost more
    # than SQLite's own insert in a bulk load.
    names = [c.name for c in table.columns]
    converters = [(i, f) for i, c in enumerate(table.columns) if (f := _sqlite_converter(c.type))]
    values = []
    for row in rows:
        record = [row[n] for n in names]
        for i, f in converters:
            if record[i] is not None:
                record[i] = f(record[i])
        values.append(record)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        raw.executemany(sql, values)
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


# COPY's binary format: its header (the signature, no flags, no extension) and trailer.
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
BINARY_TRAILER = b"\xff\xff"


def _copy_data(
    conn: Connection, table: Table, data: bytes | bytearray, binary: bool = False
) -> None:
    """COPY rows already in COPY's text format, or its binary one (the rows only: the
    header and trailer are written here), columns in the table's order."""
    columns = ", ".join(c.name for c in table.columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = f"COPY {table.name} ({columns}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            if binary:
                copy.write(BINARY_HEADER)
            copy.write(data)
            if binary:
                copy.write(BINARY_TRAILER)
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from exc


def _copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    columns = [c.name for c in table.columns]
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.errors.IntegrityError as exc:
        # COPY runs on the driver's connection, below SQLAlchemy: raise what SQLAlchemy
        # would, so callers handle one error type on both databases.
        raise IntegrityError(sql, None, exc) from exc
