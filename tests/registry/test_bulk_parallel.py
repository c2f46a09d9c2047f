"""The bulk import's chunks, prepared by worker processes on PostgreSQL (made one after
another on SQLite): the same ledger, byte for byte, as a serial import; a bad record in any
chunk writes nothing; values COPY must escape arrive intact."""

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from sabt.kit.errors import BadInput
from sabt.registry import ledger, schema, service
from sabt.registry.bulk import Chunk, copy_text
from sabt.registry.db import make_engine
from sabt.registry.models import LedgerEntry, Person
from sabt.registry.schemas import ImportRecord, OfficeRecord
from sabt.registry.state import TABLE
from sabt.synth.records import Source, all_records, offices
from sabt.synth.simulate import simulate
from tests.registry import family
from tests.registry.test_bulk_import import BAD

pytestmark = pytest.mark.usefixtures("fixed_clock")


class ListSource:
    """Records in chunks of three, made by slicing a list (in the worker, after the fork)."""

    def __init__(self, records: Sequence[ImportRecord], size: int = 3) -> None:
        self.records = list(records)
        self.size = size

    def chunks(self) -> list[Chunk]:
        n = len(self.records)
        return [Chunk("list", i, min(i + self.size, n)) for i in range(0, n, self.size)]

    def make(self, chunk: Chunk) -> list[ImportRecord]:
        return self.records[chunk.start : chunk.stop]


def _split(records: Sequence[object]) -> tuple[list[ImportRecord], ListSource]:
    first = [r for r in records if isinstance(r, OfficeRecord)]
    rest = [r for r in records if not isinstance(r, OfficeRecord)]
    return first, ListSource(rest)  # type: ignore[arg-type]


def _ledger(engine: Engine) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(LedgerEntry.seq, LedgerEntry.payload, LedgerEntry.prev_hash, LedgerEntry.hash)
            .order_by(LedgerEntry.seq)
        )  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _table(engine: Engine, name: str, key: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        table = TABLE[name]  # through the table's types: SQLite stores times as text
        return [tuple(r) for r in conn.execute(select(table).order_by(table.c[key]))]


def test_a_synthetic_register_in_chunks_is_the_serial_one(engine: Engine, tmp_path: Path) -> None:
    population = simulate(1_500, 3, date(2025, 9, 22))
    serial = make_engine(f"sqlite:///{tmp_path}/serial.db")
    schema.ensure(serial)
    _, records = all_records(population, 3)
    expected = service.bulk_import(serial, records, actor="synth")
    source = Source(population, 3)
    assert len({c.series for c in source.chunks()}) == 3  # persons, marriages, mobiles
    done: list[int] = []
    got = service.bulk_import(
        engine, list(offices()), source=source, actor="synth", progress=done.append
    )
    assert got == expected
    assert sum(done) == len(source) + got.offices
    assert _ledger(engine) == _ledger(serial)  # every payload, prev_hash and hash
    for table, key in (("person", "national_code"), ("marriage", "id"),
                       ("marriage_return", "id"), ("mobile_ownership", "mobile"),
                       ("code_counter", "prefix")):  # fmt: skip
        assert _table(engine, table, key) == _table(serial, table, key), table
    with engine.connect() as conn:
        assert ledger.verify(conn).ok
    serial.dispose()


def test_the_indexes_and_keys_are_there_after_a_load_in_chunks(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its indexes and keys through a load")
    before = _constraints(engine)
    first, source = _split(family.records())
    service.bulk_import(engine, first, source=source)
    assert _constraints(engine) == before
    with engine.connect() as conn:  # the parents' key holds again: a missing father fails
        orphan = "UPDATE person SET father_code = '0000000000' WHERE national_code = :c"
        with pytest.raises(Exception, match="foreign key"):
            conn.execute(text(orphan), {"c": family.CODES["ali"]})


def _constraints(engine: Engine) -> set[str]:
    sql = (
        "SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        " UNION ALL SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


@pytest.mark.parametrize("records", BAD.values(), ids=BAD.keys())
def test_a_bad_record_in_any_chunk_writes_nothing(engine: Engine, records: list[object]) -> None:
    first, source = _split(records)
    with pytest.raises(BadInput) as info:  # raised in a worker, it crosses back whole
        service.bulk_import(engine, first, source=source)
    assert info.value.code and info.value.message_fa and info.value.message_en
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0
    first, source = _split(family.records())
    assert service.bulk_import(engine, first, source=source).persons == 10  # loads afterwards


def test_values_copy_must_escape_arrive_whole(engine: Engine) -> None:
    records = family.records()
    tricky = "ب\t12\\n\\"  # a tab, a backslash before n, a trailing backslash
    records[1] = dataclasses.replace(records[1], booklet_series=tricky)  # type: ignore[type-var]
    first, source = _split(records)
    service.bulk_import(engine, first, source=source)
    code = records[1].national_code  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = conn.execute(select(Person.booklet_series).where(Person.national_code == code))
        assert stored.scalar_one() == tricky
        assert ledger.verify(conn).ok


def test_a_chunk_that_makes_too_few_records_is_refused(engine: Engine) -> None:
    first, source = _split(family.records())
    short = dataclasses.replace(source.chunks()[0], stop=source.chunks()[0].stop - 1)

    class Liar(ListSource):
        def make(self, chunk: Chunk) -> list[ImportRecord]:
            return super().make(short if chunk.start == 0 else chunk)

    with pytest.raises(ValueError, match="not 3"):
        service.bulk_import(engine, first, source=Liar(source.records))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0


def test_an_error_crosses_processes_whole() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(BadInput("code", "پیام", "message")))
    assert (type(error), error.code, error.message_fa, error.message_en) == (
        BadInput, "code", "پیام", "message"
    )  # fmt: skip


def _office_row(name_fa: str, county: str | None) -> dict[str, object]:
    return {"code": "X", "kind": "hospital", "name_fa": name_fa, "county": county,
            "province": None}  # fmt: skip


@pytest.mark.parametrize(
    "tricky",
    ["تب\tدار", "خط\nدوم", "بک\\اسلش", "\\N", "کالسکه\r"],
)
def test_copy_text_escapes_a_whole_chunk_when_one_value_needs_it(tricky: str) -> None:
    rows = [_office_row("ساده", "0101"), _office_row(tricky, None), _office_row("دیگر", None)]
    text = copy_text(TABLE["office"], rows).decode("utf-8")
    escaped = tricky.translate({92: "\\\\", 9: "\\t", 10: "\\n", 13: "\\r"})
    assert text == (
        "X\thospital\tساده\t0101\t\\N\n"
        f"X\thospital\t{escaped}\t\\N\t\\N\n"
        "X\thospital\tدیگر\t\\N\t\\N\n"
    )


def test_copy_text_of_plain_rows_is_each_value_as_it_is() -> None:
    rows = [_office_row("بیمارستان", "0101"), _office_row("درمانگاه", None)]
    assert copy_text(TABLE["office"], rows) == (
        "X\thospital\tبیمارستان\t0101\t\\N\nX\thospital\tدرمانگاه\t\\N\t\\N\n".encode()
    )
    assert copy_text(TABLE["office"], []) == b""
