"""Persons in columns (`registry.columns`): the same ledger rows and person rows, byte for
byte, as the record path gives for the same persons, and the same errors for bad ones."""

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest

from sabt.kit import canonical
from sabt.kit.errors import BadInput
from sabt.registry import bulk, columns, validation
from sabt.registry.columns import Labels, MarriageColumns, MobileColumns, PersonColumns, Returns
from sabt.synth.records import TIMED_FROM, Source, offices
from sabt.synth.simulate import simulate

ACTOR, AT = "synth", "2025-09-22T00:00:00Z"


@pytest.fixture(scope="module")
def source() -> Source:
    return Source(simulate(8_000, 1, date(2025, 9, 22)), 1)


@pytest.fixture(scope="module")
def context() -> bulk.Context:
    prefixes: set[str] = set()
    for office in offices():
        validation.import_entry(office, prefixes, ACTOR)
    return bulk.Context(frozenset(prefixes), ACTOR, AT)


def _by_records(made: columns.Columns, first_seq: int, context: bulk.Context) -> bulk.Prepared:
    chunk = bulk.Chunk("any", 0, len(made))
    return bulk.prepare_records(chunk, columns.records(made), first_seq, context)


def _same(a: bulk.Prepared, b: bulk.Prepared) -> None:
    assert (a.lines, a.starts, a.stops, a.ends, a.kinds) == (
        b.lines, b.starts, b.stops, b.ends, b.kinds
    )  # fmt: skip
    assert (a.batch.copy_text, a.batch.counters, a.batch.updates, a.batch.size) == (
        b.batch.copy_text, b.batch.counters, b.batch.updates, b.batch.size
    )  # fmt: skip
    assert not a.batch.copy_binary and not b.batch.copy_binary  # the ledger's, once chained


@pytest.mark.parametrize("series", ["person", "marriage", "mobile"])
def test_every_chunk_in_columns_is_the_record_path_byte_for_byte(
    source: Source, context: bulk.Context, series: str
) -> None:
    n = sum(chunk.size for chunk in source.chunks() if chunk.series == series)
    bulk._adopt(source)
    after = bulk._after_payload((ACTOR, None, AT, AT))
    for start in range(0, n, 700):
        chunk = bulk.Chunk(series, start, min(start + 700, n))
        made = source.columns(chunk)
        written = columns.prepare(made, 41 + start, context.prefixes, ACTOR, AT, after)
        assert written is not None, "the fast path gave up on plain synthetic records"
        _same(bulk.prepare(chunk, 41 + start, context), _by_records(made, 41 + start, context))


def test_the_synthetic_chunks_hold_every_case(source: Source) -> None:
    persons = source.pop.persons
    assert persons.n > 2_000 and 0 < int((persons["death"] > 0).sum()) < persons.n
    assert (persons["birth"] < TIMED_FROM.toordinal()).any()  # born before times were kept
    marriages = source.pop.marriages
    assert marriages["temporary"].any() and (marriages["end"] > 0).any()
    assert source.pop.returns.n > 0


def _labels(made: Any, name: str, value: str, row: int = 3) -> Any:
    """`made` with `value` in column `name` at `row` (a label of its own)."""
    old: Labels = getattr(made, name)
    index = old.index.copy()
    index[row] = len(old.values)
    return dataclasses.replace(made, **{name: Labels([*old.values, value], index)})


def _array(made: Any, name: str, value: Any, row: int = 3) -> Any:
    column = getattr(made, name).copy()
    column[row] = value
    return dataclasses.replace(made, **{name: column})


def _deceased_row(made: PersonColumns) -> int:
    return int(np.flatnonzero(made.death_date > 0)[0])


BAD: dict[str, Callable[[PersonColumns], PersonColumns]] = {
    "check digit": lambda m: _array(m, "national_code", m.national_code[3] ^ 1),
    "unknown prefix": lambda m: _array(
        m, "national_code", int(f"998{m.national_code[3]:010d}"[:10])
    ),
    "parent's code": lambda m: _array(m, "mother", 1_111_111_111),
    "blank first name": lambda m: _labels(m, "first_name", "  "),
    "no last name": lambda m: _array_labels(m, "last_name", -1),
    "sex": lambda m: _labels(m, "sex", "other"),
    "religion": lambda m: _labels(m, "religion", "zoroastrian"),
    "school": lambda m: _labels(m, "school", "ismaili"),
    "birth county": lambda m: _labels(m, "birth_county", "9999"),
    "residence county": lambda m: _labels(m, "residence_county", "X"),
    "birth day out of the calendar": lambda m: _array(m, "birth_date", 0),
    "death day out of the calendar": lambda m: _array(m, "death_date", -3),
    "death before birth": lambda m: _array(
        m, "death_date", m.birth_date[_deceased_row(m)] - 1, _deceased_row(m)
    ),
    "death details without a death": lambda m: _array(
        m, "death_at", np.datetime64("2020-01-01T00:00:00"), int(np.argmin(m.death_date))
    ),
}


def _array_labels(made: Any, name: str, index: int, row: int = 3) -> Any:
    old: Labels = getattr(made, name)
    changed = old.index.copy()
    changed[row] = index
    return dataclasses.replace(made, **{name: Labels(old.values, changed)})


def _first(mask: Any) -> int:
    return int(np.flatnonzero(mask)[0])


def _returns_reversed(made: MarriageColumns) -> MarriageColumns:
    r = made.returns
    backwards = Returns(r.row, r.id, r.returned_at, r.divorced_at)
    return dataclasses.replace(made, returns=backwards)


BAD_MARRIAGES: dict[str, Callable[[MarriageColumns], MarriageColumns]] = {
    "husband's code": lambda m: _array(m, "husband", m.husband[3] + 1),
    "wife's code": lambda m: _array(m, "wife", 0),
    "kind": lambda m: _labels(m, "kind", "forever"),
    "a term for a permanent marriage": lambda m: _array(
        m, "term_end", 740_000, _first(m.term_end == 0)
    ),
    "an end without its reason": lambda m: _array_labels(
        m, "end_reason", -1, _first(~np.isnat(m.ended_at))
    ),
    "a reason without its end": lambda m: _array(
        m, "ended_at", np.datetime64("NaT"), _first(~np.isnat(m.ended_at))
    ),
    "end reason": lambda m: _labels(m, "end_reason", "eloped", _first(~np.isnat(m.ended_at))),
    "a term's day out of the calendar": lambda m: _array(
        m, "term_end", -1, _first(m.term_end != 0)
    ),
    "a return before its divorce": _returns_reversed,
}
BAD_MOBILES: dict[str, Callable[[MobileColumns], MobileColumns]] = {
    "a number not 09...": lambda m: _array(m, "mobile", 812_345_678),
    "a number of 12 digits": lambda m: _array(m, "mobile", 91_234_567_890),
    "the owner's code": lambda m: _array(m, "national_code", 1_234_567_890),
}
CASES = [
    *(("person", spoil) for spoil in BAD.values()),
    *(("marriage", spoil) for spoil in BAD_MARRIAGES.values()),
    *(("mobile", spoil) for spoil in BAD_MOBILES.values()),
]


@pytest.mark.parametrize(("series", "spoil"), CASES, ids=[*BAD, *BAD_MARRIAGES, *BAD_MOBILES])
def test_a_bad_column_value_gets_the_record_paths_error(
    source: Source, context: bulk.Context, series: str, spoil: Callable[[Any], Any]
) -> None:
    whole = next(chunk for chunk in source.chunks() if chunk.series == series)
    bad = spoil(source.columns(whole))
    with pytest.raises(BadInput) as by_records:
        for record in columns.records(bad):
            validation.import_entry(record, context.prefixes, ACTOR)
    with pytest.raises(BadInput) as by_columns:
        columns.prepare(bad, 1, context.prefixes, ACTOR, AT, b"")
    assert by_columns.value.code == by_records.value.code
    assert by_columns.value.message_fa and by_columns.value.message_en


@pytest.mark.parametrize(
    ("name", "in_columns"),
    [('با"نقل', True), ("بک\\اسلش", False), ("تب\tدار", False)],
)
def test_a_value_to_escape_is_written_as_the_record_path_writes_it(
    source: Source, context: bulk.Context, name: str, in_columns: bool
) -> None:
    """JSON escapes all three in the payload, which goes in COPY's binary format as it is;
    COPY's text format escapes the backslash and the tab in the person row, so those
    chunks go down the record path."""
    made = _labels(source.columns(bulk.Chunk("person", 0, 50)), "booklet_series", name)  # type: ignore[arg-type]
    written = columns.prepare(made, 1, context.prefixes, ACTOR, AT, b"")
    assert (written is not None) == in_columns

    class Spoilt(Source):
        def columns(self, chunk: bulk.Chunk) -> PersonColumns:
            return made

    bulk._adopt(Spoilt(source.pop, 1))
    try:
        ready = bulk.prepare(bulk.Chunk("person", 0, 50), 1, context)
    finally:
        bulk._adopt(source)
    _same(ready, _by_records(made, 1, context))
    payload = ready.lines[ready.starts[3] : ready.stops[3]]  # the row `_labels` changed
    assert canonical.dumps(name) in payload  # escaped by JSON, and only by JSON
