import contextlib
import dataclasses
from datetime import date

import pytest
from sqlalchemy import Engine, func, inspect, select

from sabt.kit.errors import BadInput
from sabt.registry import service
from sabt.registry.models import LedgerEntry, Person
from sabt.registry.schemas import PersonRecord
from tests.registry import family


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Person)).scalar_one(),
            conn.execute(select(func.count()).select_from(LedgerEntry)).scalar_one(),
        )


def _with(index: int, **changes: object) -> list[object]:
    records = family.records()
    records[index] = dataclasses.replace(records[index], **changes)  # type: ignore[type-var]
    return records


BAD = {
    "invalid code": _with(1, national_code="0010000001"),
    "persian digit garbage": _with(1, national_code="۱۲۳"),
    "unknown county": _with(2, birth_county="9999"),
    "bad sex": _with(2, sex="boy"),
    "death before birth": _with(2, death_date=date(1900, 1, 1)),
    "missing parent": _with(4, father=family.code(900)),
    "duplicate person": [*family.records(), family.records()[1]],
    "empty name": _with(3, first_name="  "),
}


@pytest.mark.parametrize("records", BAD.values(), ids=BAD.keys())
def test_a_bad_record_anywhere_writes_nothing(engine: Engine, records: list[object]) -> None:
    with pytest.raises(BadInput) as info:
        service.bulk_import(engine, records)  # type: ignore[arg-type]
    assert info.value.message_fa and info.value.message_en
    assert _counts(engine) == (0, 0)


def test_import_counts_and_chain(engine: Engine) -> None:
    result = family.load(engine)
    assert (result.offices, result.persons, result.marriages, result.mobiles) == (1, 10, 4, 1)
    assert (result.first_seq, result.last_seq) == (1, 16)
    assert _counts(engine) == (10, 16)


def test_a_second_import_continues_the_chain(engine: Engine) -> None:
    family.load(engine)
    extra = PersonRecord(family.code(50), "یاسمن", "محمدی", "علی", "female", date(2010, 1, 1), family.TEHRAN, family.TEHRAN,
                         father=family.CODES["ali"], mother=family.CODES["wife_ali"])  # fmt: skip
    result = service.bulk_import(engine, [extra])
    assert (result.first_seq, result.last_seq) == (17, 17)


def _schema_shape(engine: Engine) -> dict[str, tuple[object, ...]]:
    """Every table's foreign keys and indexes, as the database reports them."""
    names = inspect(engine).get_table_names()
    with engine.connect() as conn:
        found = inspect(conn)
        return {
            table: (
                sorted(str(fk["name"]) for fk in found.get_foreign_keys(table)),
                sorted(str(ix["name"]) for ix in found.get_indexes(table)),
            )
            for table in names
        }


@pytest.mark.parametrize("records", [family.records(), BAD["missing parent"]], ids=["ok", "bad"])
def test_a_load_into_an_empty_register_keeps_every_key_and_index(
    engine: Engine, records: list[object]
) -> None:
    # On PostgreSQL the first load drops foreign keys and indexes and rebuilds them after.
    before = _schema_shape(engine)
    assert any(keys for keys, _ in before.values())
    with contextlib.suppress(BadInput):
        service.bulk_import(engine, records)  # type: ignore[arg-type]
    assert _schema_shape(engine) == before


def test_small_batches_written_in_the_background_load_everything(engine: Engine) -> None:
    result = service.bulk_import(engine, family.records(), batch_rows=2)
    assert result.last_seq == 16
    assert _counts(engine) == (10, 16)


def test_a_conflict_in_a_later_batch_writes_nothing(engine: Engine) -> None:
    family.load(engine)
    again = family.records()[1:4]  # people already in the register
    with pytest.raises(BadInput, match="conflicts"):
        service.bulk_import(engine, again, batch_rows=1)
    assert _counts(engine) == (10, 16)
