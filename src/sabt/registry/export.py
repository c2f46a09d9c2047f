"""Export every person and marriage (living and deceased) as CSV, JSONL or Parquet.

Streams from the database in batches, so memory stays bounded whatever the register's size.
Field names and order are fixed (issue contract); dates are Asia/Tehran civil dates
YYYY-MM-DD; a missing value is an empty CSV field / null.
"""

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, select

from sabt.kit.clock import civil_date
from sabt.kit.errors import BadInput
from sabt.persian import places
from sabt.registry.models import Marriage, Person

PERSON_FIELDS = (
    "national_code",
    "first_name",
    "last_name",
    "father_name",
    "sex",
    "birth_date",
    "birth_county",
    "birth_province",
    "residence_county",
    "status",
    "death_date",
    "father_national_code",
    "mother_national_code",
    "birth_registered_on",
    "death_registered_on",
)
MARRIAGE_FIELDS = (
    "husband_national_code",
    "wife_national_code",
    "kind",
    "registered_on",
    "ended_on",
    "end_reason",
)
FORMATS = ("csv", "parquet", "jsonl")
BATCH = 50_000


def _on(at: datetime | None) -> date | None:
    """The Tehran civil date of a stored (naive UTC) timestamp."""
    return civil_date(at.replace(tzinfo=UTC)) if at else None


def person_rows(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    counties = places.counties()
    p = Person
    query = select(
        p.national_code,
        p.first_name,
        p.last_name,
        p.father_name,
        p.sex,
        p.birth_date,
        p.birth_county,
        p.residence_county,
        p.status,
        p.death_date,
        p.father_code,
        p.mother_code,
        p.birth_registered_at,
        p.death_registered_at,
    ).order_by(p.national_code)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for rows in result.partitions():
        yield [
            {
                "national_code": r[0],
                "first_name": r[1],
                "last_name": r[2],
                "father_name": r[3],
                "sex": r[4],
                "birth_date": r[5],
                "birth_county": r[6],
                "birth_province": counties[r[6]].province_iso if r[6] in counties else None,
                "residence_county": r[7],
                "status": r[8],
                "death_date": r[9],
                "father_national_code": r[10],
                "mother_national_code": r[11],
                "birth_registered_on": _on(r[12]),
                "death_registered_on": _on(r[13]),
            }
            for r in rows
        ]


def marriage_rows(conn: Connection) -> Iterator[list[dict[str, Any]]]:
    m = Marriage
    query = select(
        m.husband_code, m.wife_code, m.kind, m.registered_at, m.ended_at, m.end_reason
    ).order_by(m.id)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for rows in result.partitions():
        yield [
            {
                "husband_national_code": r[0],
                "wife_national_code": r[1],
                "kind": r[2],
                "registered_on": _on(r[3]),
                "ended_on": _on(r[4]),
                "end_reason": r[5],
            }
            for r in rows
        ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


Batches = Iterator[list[dict[str, Any]]]
Tick = Callable[[int], None]


def _each(batches: Batches, tick: Tick, write: Callable[[list[dict[str, Any]]], object]) -> int:
    count = 0
    for rows in batches:
        write(rows)
        count += len(rows)
        tick(len(rows))
    return count


def write_csv(path: Path, fields: tuple[str, ...], batches: Batches, tick: Tick) -> int:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(fields)

        def write(rows: list[dict[str, Any]]) -> None:
            writer.writerows([_text(r[k]) for k in fields] for r in rows)

        return _each(batches, tick, write)


def write_jsonl(path: Path, fields: tuple[str, ...], batches: Batches, tick: Tick) -> int:
    with path.open("wb") as f:

        def write(rows: list[dict[str, Any]]) -> None:
            f.write(b"".join(orjson.dumps({k: r[k] for k in fields}) + b"\n" for r in rows))

        return _each(batches, tick, write)


DATE_FIELDS = frozenset(
    (
        "birth_date",
        "death_date",
        "birth_registered_on",
        "death_registered_on",
        "registered_on",
        "ended_on",
    )
)


def write_parquet(path: Path, fields: tuple[str, ...], batches: Batches, tick: Tick) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(k, pa.date32() if k in DATE_FIELDS else pa.string()) for k in fields])
    with pq.ParquetWriter(path, schema) as writer:

        def write(rows: list[dict[str, Any]]) -> None:
            writer.write_table(pa.table({k: [r[k] for r in rows] for k in fields}, schema=schema))

        return _each(batches, tick, write)


WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
TABLES = {"persons": (PERSON_FIELDS, person_rows), "marriages": (MARRIAGE_FIELDS, marriage_rows)}


def export(
    conn: Connection, what: str, fmt: str, out: Path, tick: Callable[[int], None] = lambda _: None
) -> int:
    """Write `what` (persons / marriages) in `fmt` to `out`; returns the row count."""
    if what not in TABLES:
        raise BadInput(
            "bad_export", f"خروجی ناشناخته: {what}", f"cannot export {what!r}: persons or marriages"
        )
    if fmt not in WRITERS:
        raise BadInput(
            "bad_format", f"قالب ناشناخته: {fmt}", f"unknown format {fmt!r}: csv, parquet or jsonl"
        )
    if not out.parent.exists():
        raise BadInput(
            "bad_path", f"پوشه وجود ندارد: {out.parent}", f"folder does not exist: {out.parent}"
        )
    fields, rows = TABLES[what]
    return WRITERS[fmt](out, fields, rows(conn), tick)
