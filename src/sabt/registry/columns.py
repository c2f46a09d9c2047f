"""Records in columns: a chunk of a bulk import held as arrays, and its fast path.

Why: a bulk-import worker spent ~42 µs a person on Python objects: a `PersonRecord`, the
data dict `validation` builds from it, the ledger payload's dict, the state row's dict,
then text from each. A source that holds its population in arrays (`synth`) hands a chunk
over as columns instead (`PersonColumns`, `MarriageColumns`, `MobileColumns`), and
`prepare` checks it and writes its ledger rows and state rows column by column, with no
object per record.

The rules stay those of `validation`: a column of few distinct values (names, counties,
sex) is checked one value at a time by the record path's own functions, national codes
all at once by `national_code.valid_codes` (the same rules, vectorised), the rest by array
comparisons. The first row any of these finds wrong is then checked by `validation`
itself, which raises the error the record path would (it may name another bad row than
the record path, which stops at the first). `records` gives the same chunk as records; a
test checks, chunk by chunk, that `prepare` gives byte for byte what `bulk.prepare` gives
for those records.
"""

from array import array
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from sabt.kit import canonical
from sabt.kit.errors import BadInput
from sabt.persian import national_code
from sabt.registry import validation
from sabt.registry.ledger import NewEntry, entry_fields, entry_payload
from sabt.registry.schemas import (
    END_REASONS,
    ImportRecord,
    MarriageRecord,
    MobileRecord,
    PersonRecord,
)
from sabt.registry.state import TABLE, Batch

Ints = npt.NDArray[np.int64]
Instants = npt.NDArray[np.datetime64]  # whole seconds, UTC; NaT: none
PERSON, MARRIAGE, MOBILE = "person.imported", "marriage.imported", "mobile.reported"


@dataclass(frozen=True)
class Labels:
    """A text column of few distinct values: the values, and for each row the index of its
    value (-1: none)."""

    values: Sequence[str]
    index: Ints

    def texts(self) -> list[str | None]:
        return _lookup([*self.values, None], self.index)

    def used(self) -> list[int]:
        """The indexes rows use (-1 among them when a row has none)."""
        return [int(i) for i in np.unique(self.index)]


@dataclass(frozen=True)
class PersonColumns:
    """What `PersonRecord`s hold, a column each. National codes are integers (parents: -1
    when unknown); days are date ordinals (`death_date`: 0 for the living); instants are
    UTC."""

    national_code: Ints
    first_name: Labels
    last_name: Labels
    father_name: Labels
    sex: Labels
    birth_date: Ints
    birth_county: Labels
    residence_county: Labels
    religion: Labels
    school: Labels
    birth_at: Instants
    birth_registered_at: Instants
    registering_office: Labels
    booklet_series: Labels
    booklet_serial: Labels
    death_date: Ints
    death_at: Instants
    death_place: Labels
    death_registered_at: Instants
    father: Ints
    mother: Ints

    def __len__(self) -> int:
        return len(self.national_code)


def _person_records(columns: PersonColumns) -> Iterator[PersonRecord]:
    rows = zip(
        _code_texts(columns.national_code),
        columns.first_name.texts(),
        columns.last_name.texts(),
        columns.father_name.texts(),
        columns.sex.texts(),
        _dates(columns.birth_date, none_at_zero=False),
        columns.birth_county.texts(),
        columns.residence_county.texts(),
        columns.religion.texts(),
        columns.school.texts(),
        _datetimes(columns.birth_at),
        _datetimes(columns.birth_registered_at),
        columns.registering_office.texts(),
        columns.booklet_series.texts(),
        columns.booklet_serial.texts(),
        _dates(columns.death_date, none_at_zero=True),
        _datetimes(columns.death_at),
        columns.death_place.texts(),
        _datetimes(columns.death_registered_at),
        _code_texts(columns.father),
        _code_texts(columns.mother),
        strict=True,
    )
    return (PersonRecord(*row) for row in rows)


@dataclass(frozen=True)
class Names:
    """A name column checked: each label's stored form and search key (the last entry for
    rows with none), and the rows' indexes."""

    stored: list[str | None]
    key: list[str | None]
    index: Ints


def _checked_persons(
    columns: PersonColumns, prefixes: Collection[str]
) -> tuple[Names, Names, Names]:
    """Check the chunk by `validation.person_data`'s rules (see the module's docstring) and
    return its first, last and father's names in their stored and search forms."""
    suspect = ~national_code.valid_codes(columns.national_code, prefixes)
    for parent in (columns.father, columns.mother):
        suspect |= (parent != -1) & ~national_code.valid_codes(parent, prefixes)
    names = []
    for labels, what, required in (
        (columns.first_name, "first name", True),
        (columns.last_name, "last name", True),
        (columns.father_name, "father's name", False),
    ):
        forms, bad = _name_forms(labels, what, required)
        suspect |= np.isin(labels.index, bad)
        names.append(Names([f[0] for f in forms], [f[1] for f in forms], labels.index))
    for labels, check in (
        (columns.sex, validation.check_sex),
        (columns.religion, lambda value: validation.check_faith(value, validation.SCHOOLS[0])),
        (columns.school, lambda value: validation.check_faith(validation.RELIGIONS[0], value)),
        (columns.birth_county, lambda value: validation.check_county(value, "county")),
        (columns.residence_county, lambda value: validation.check_county(value, "county")),
    ):
        suspect |= np.isin(labels.index, _refused(labels, check))
    suspect |= _bad_dates(columns)
    _raise_for_first(suspect, columns, lambda record: validation.person_data(record, prefixes))
    return names[0], names[1], names[2]


def _name_forms(
    labels: Labels, what: str, required: bool
) -> tuple[list[tuple[str | None, str | None]], list[int]]:
    """Each label's (stored form, search key) by `validation.check_name`, the last one for
    rows with no name; and the indexes of the labels it refuses."""
    forms: list[tuple[str | None, str | None]] = []
    bad = []
    for i, value in enumerate([*labels.values, None]):
        try:
            forms.append(validation.check_name(value, what, required))
        except BadInput:
            forms.append((None, None))
            bad.append(-1 if value is None else i)
    return forms, bad


def _refused(labels: Labels, check: Callable[[str | None], object]) -> list[int]:
    """The indexes in use whose value `check` refuses."""
    bad = []
    for i in labels.used():
        try:
            check(None if i == -1 else labels.values[i])
        except BadInput:
            bad.append(i)
    return bad


_LAST_DAY = date.max.toordinal()


def _bad_dates(columns: PersonColumns) -> npt.NDArray[np.bool_]:
    """Rows whose dates `validation` refuses: a day out of the calendar, a death before the
    birth, details of a death without its date."""
    born, died = columns.birth_date, columns.death_date
    alive = died == 0
    details = (
        ~np.isnat(columns.death_at)
        | (columns.death_place.index != -1)
        | ~np.isnat(columns.death_registered_at)
    )
    bad: npt.NDArray[np.bool_] = (
        (born < 1)
        | (born > _LAST_DAY)
        | (died < 0)
        | (died > _LAST_DAY)
        | (~alive & (died < born))
        | (alive & details)
    )
    return bad


def _raise_for_first(
    suspect: npt.NDArray[np.bool_], columns: "Columns", check: Callable[[Any], object]
) -> None:
    """When a row is suspect, raise the record path's error for the first: `check` (the
    record path's) on its record, or `records` on a day out of the calendar."""
    if not suspect.any():
        return
    row = int(np.argmax(suspect))
    check(next(records(_row(columns, row))))
    raise AssertionError(f"row {row}: the column checks refuse what the record checks accept")


def _row(columns: "Columns", row: int) -> "Columns":
    """The chunk of one row: `columns`' row `row`."""

    def one(value: Any) -> Any:
        if isinstance(value, Labels):
            return Labels(value.values, value.index[row : row + 1])
        if isinstance(value, Returns):
            mine = value.row == row
            return Returns(value.row[mine] - row, value.id[mine], value.divorced_at[mine],
                           value.returned_at[mine])  # fmt: skip
        return value[row : row + 1]

    return type(columns)(**{f.name: one(getattr(columns, f.name)) for f in fields(columns)})


class Written(NamedTuple):
    """A chunk's ledger rows in COPY's binary format, their two hash fields left to fill
    (entry k's payload is `ledger[starts[k]:stops[k]]`, its row ends at `ends[k]`), all
    of one `kind`, and its state rows."""

    kind: str
    ledger: bytes
    starts: array  # type: ignore[type-arg]
    stops: array  # type: ignore[type-arg]
    ends: array  # type: ignore[type-arg]
    batch: Batch


def prepare(
    columns: "Columns",
    first_seq: int,
    prefixes: Collection[str],
    actor: str,
    recorded_at: str,
    after: bytes,
) -> Written | None:
    """What `bulk.prepare` writes for the chunk's records, entry `first_seq` first, each
    ledger row's fields after the payload being `after`; None when a state row's value needs
    escaping in COPY's text format (a backslash or tab in a name, say), which the record
    path handles."""
    entry = Entry(first_seq, actor, recorded_at, after)
    match columns:
        case PersonColumns():
            return _prepare_persons(columns, entry, prefixes)
        case MarriageColumns():
            return _prepare_marriages(columns, entry, prefixes)
        case MobileColumns():
            return _prepare_mobiles(columns, entry, prefixes)


def records(columns: "Columns") -> Iterator[ImportRecord]:
    """The chunk as records, row by row."""
    match columns:
        case PersonColumns():
            return _person_records(columns)
        case MarriageColumns():
            return _marriage_records(columns)
        case MobileColumns():
            return _mobile_records(columns)


class Entry(NamedTuple):
    """What a chunk's ledger entries share: the first one's seq, the actor, the recording
    time and each row's fields after the payload (COPY's binary format)."""

    first_seq: int
    actor: str
    recorded_at: str
    after: bytes


def _prepare_persons(
    columns: PersonColumns, entry: Entry, prefixes: Collection[str]
) -> Written | None:
    first, last, father = _checked_persons(columns, prefixes)
    plain = _plain_texts(columns, first, last, father)
    rows = copy_rows([plain[c.name] for c in TABLE["person"].columns])
    if rows is None:
        return None
    tokens = _payload_tokens(columns, plain, first, last, father)
    codes = plain["national_code"]
    counters = _counters(columns.national_code)
    return _written(PERSON, codes, tokens, entry, {"person": rows}, counters, len(columns))


def _written(
    kind: str,
    subjects: list[Any],
    data: dict[str, list[str]],
    entry: Entry,
    tables: dict[str, bytes],
    counters: dict[str, int],
    size: int,
) -> Written | None:
    """The ledger rows of a chunk's entries of `kind` (`data`: each field of each entry's
    data, as JSON), with the state rows `tables` and `counters` writes; None should the
    actor's name hold a placeholder (`_payload_template`)."""
    template = _payload_template(kind, tuple(data), entry.actor, entry.recorded_at)
    if template is None:
        return None
    seqs = range(entry.first_seq, entry.first_seq + len(subjects))
    tokens = {**data, "seq": list(map(str, seqs)), "subject": _tokens(subjects, "")}
    payloads = [
        (template.text % row).encode("utf-8")
        for row in zip(*(tokens[k] for k in template.keys), strict=True)
    ]
    # Each row's fields before the payload's bytes: seq, kind, subject, the payload's length.
    start, kind_field = LEDGER_FIELDS + _INT4, binary_field(kind)
    lines = [
        start + seq.to_bytes(4, "big") + kind_field + binary_field(subject) + _length(payload)
        for seq, subject, payload in zip(seqs, subjects, payloads, strict=True)
    ]
    after = entry.after
    ledger = b"".join(x for row in zip(lines, payloads, repeat(after)) for x in row)
    before = np.fromiter(map(len, lines), np.int64, len(lines))
    sizes = np.fromiter(map(len, payloads), np.int64, len(payloads))
    ends = np.cumsum(before + sizes + len(after))
    stops = ends - len(after)
    batch = Batch(counters=counters, size=size)
    batch.copy_text = {name: [rows] for name, rows in tables.items()}
    return Written(kind, ledger, _q(stops - sizes), _q(stops), _q(ends), batch)


def _plain_texts(
    columns: PersonColumns, first: Names, last: Names, father: Names
) -> dict[str, list[str | None]]:
    """Each person column's values as text (the person table's names and forms)."""
    died = _iso_days(columns.death_date)
    return {
        "national_code": _code_texts(columns.national_code),
        "first_name": _lookup(first.stored, first.index),
        "last_name": _lookup(last.stored, last.index),
        "father_name": _lookup(father.stored, father.index),
        "first_name_key": _lookup(first.key, first.index),
        "last_name_key": _lookup(last.key, last.index),
        "father_name_key": _lookup(father.key, father.index),
        "sex": columns.sex.texts(),
        "birth_date": _iso_days(columns.birth_date),
        "birth_at": _iso_instants(columns.birth_at),
        "birth_county": columns.birth_county.texts(),
        "birth_registered_at": _iso_instants(columns.birth_registered_at),
        "registering_office": columns.registering_office.texts(),
        "booklet_series": columns.booklet_series.texts(),
        "booklet_serial": columns.booklet_serial.texts(),
        "residence_county": columns.residence_county.texts(),
        "religion": columns.religion.texts(),
        "school": columns.school.texts(),
        "status": ["alive" if day is None else "deceased" for day in died],
        "death_date": died,
        "death_at": _iso_instants(columns.death_at),
        "death_place": columns.death_place.texts(),
        "death_registered_at": _iso_instants(columns.death_registered_at),
        "father_code": _code_texts(columns.father),
        "mother_code": _code_texts(columns.mother),
    }


# Values that are JSON strings as they are: digits, days, instants and the words the
# checks allow. The others are encoded by the ledger's own encoder, a label at a time.
_AS_THEY_ARE = ("national_code", "birth_date", "death_date", "sex", "religion", "school",
                "status", "birth_county", "residence_county")  # fmt: skip


def _payload_tokens(
    columns: PersonColumns,
    plain: dict[str, list[str | None]],
    first: Names,
    last: Names,
    father: Names,
) -> dict[str, list[str]]:
    """Each data field of the payload, per row, as JSON."""
    tokens = {name: _tokens(plain[name], "") for name in _AS_THEY_ARE}
    tokens["father"] = _tokens(plain["father_code"], "")
    tokens["mother"] = _tokens(plain["mother_code"], "")
    for name in _INSTANTS:
        tokens[name] = _tokens(plain[name], "Z")
    for name, names in (("first_name", first), ("last_name", last), ("father_name", father)):
        tokens[name] = _json_lookup(names.stored, names.index)
        tokens[f"{name}_key"] = _json_lookup(names.key, names.index)
    for name in ("first_name", "last_name", "father_name", "registering_office",
                 "booklet_series", "booklet_serial", "death_place"):  # fmt: skip
        labels: Labels = getattr(columns, name)
        key = f"{name}_raw" if name.endswith("name") else name
        tokens[key] = _json_lookup([*labels.values, None], labels.index)
    return tokens


# Marriages.


@dataclass(frozen=True)
class Returns:
    """The returns (رجوع) of a chunk's marriages, one after another in the marriages'
    order: for each, its marriage's row in the chunk, its id, the divorce it undid and the
    return (instants, never NaT)."""

    row: Ints
    id: Ints
    divorced_at: Instants
    returned_at: Instants


@dataclass(frozen=True)
class MarriageColumns:
    """What `MarriageRecord`s hold, a column each; days are date ordinals (0: none)."""

    id: Ints
    husband: Ints
    wife: Ints
    kind: Labels
    registered_at: Instants
    office: Labels
    term_end: Ints
    ended_at: Instants
    end_reason: Labels
    waiting_period_end: Ints
    returns: Returns

    def __len__(self) -> int:
        return len(self.id)


def _marriage_records(columns: MarriageColumns) -> Iterator[MarriageRecord]:
    returns: dict[int, list[tuple[int, datetime, datetime]]] = {}
    r = columns.returns
    triples = zip(_datetimes(r.divorced_at), _datetimes(r.returned_at), strict=True)
    for row, return_id, (divorced, returned) in zip(r.row.tolist(), r.id.tolist(), triples,
                                                    strict=True):  # fmt: skip
        returns.setdefault(row, []).append((return_id, divorced, returned))  # type: ignore[arg-type]
    rows = zip(
        columns.id.tolist(),
        _code_texts(columns.husband),
        _code_texts(columns.wife),
        columns.kind.texts(),
        _datetimes(columns.registered_at),
        columns.office.texts(),
        _dates(columns.term_end, none_at_zero=True),
        _datetimes(columns.ended_at),
        columns.end_reason.texts(),
        _dates(columns.waiting_period_end, none_at_zero=True),
        strict=True,
    )
    return (
        MarriageRecord(*row, tuple(returns.get(k, ())))  # type: ignore[call-arg]
        for k, row in enumerate(rows)
    )


def _prepare_marriages(
    columns: MarriageColumns, entry: Entry, prefixes: Collection[str]
) -> Written | None:
    _check_marriages(columns, prefixes)
    r = columns.returns
    texts: dict[str, list[str | None]] = {
        "id": _int_texts(columns.id),
        "husband": _code_texts(columns.husband),
        "wife": _code_texts(columns.wife),
        "kind": columns.kind.texts(),
        "term_end": _iso_days(columns.term_end),
        "registered_at": _iso_instants(columns.registered_at),
        "office": columns.office.texts(),
        "ended_at": _iso_instants(columns.ended_at),
        "end_reason": columns.end_reason.texts(),
        "waiting_period_end": _iso_days(columns.waiting_period_end),
    }
    reference: list[str | None] = [None] * len(columns)  # a notary's, for live marriages
    marriage = list(texts.values())
    marriage.append(reference)
    tables = {"marriage": copy_rows(marriage)}
    if len(r.row):
        returns = [_int_texts(r.id), _int_texts(columns.id[r.row]),
                   _iso_instants(r.divorced_at), _iso_instants(r.returned_at)]  # fmt: skip
        tables["marriage_return"] = copy_rows(returns)
    if any(rows is None for rows in tables.values()):
        return None
    plain = ("husband", "wife", "kind", "term_end", "end_reason", "waiting_period_end")
    data = {name: _tokens(texts[name], "") for name in plain}
    data["id"] = texts["id"]  # type: ignore[assignment]  # numbers, not JSON strings
    data["office"] = _json_lookup([*columns.office.values, None], columns.office.index)
    for name in ("registered_at", "ended_at"):
        data[name] = _tokens(texts[name], "Z")
    data["returns"] = _returns_json(columns)
    size = len(columns) + len(r.row)
    return _written(MARRIAGE, texts["id"], data, entry, tables, {}, size)  # type: ignore[arg-type]


def _returns_json(columns: MarriageColumns) -> list[str]:
    """Each marriage's returns as the JSON list `validation.marriage_data` makes ("[]" for
    most)."""
    out = ["[]"] * len(columns)
    r = columns.returns
    by_row: dict[int, list[dict[str, Any]]] = {}
    rows = zip(r.row.tolist(), r.id.tolist(), _iso_instants(r.divorced_at),
               _iso_instants(r.returned_at), strict=True)  # fmt: skip
    for row, return_id, divorced, returned in rows:
        by_row.setdefault(row, []).append(
            {"id": return_id, "divorced_at": f"{divorced}Z", "returned_at": f"{returned}Z"}
        )
    for row, returns in by_row.items():
        out[row] = canonical.dumps(returns).decode("utf-8")
    return out


def _check_marriages(columns: MarriageColumns, prefixes: Collection[str]) -> None:
    """`validation.marriage_data`'s rules, column by column."""
    temporary = np.isin(columns.kind.index, _label_indexes(columns.kind, "temporary"))
    ended, reason = ~np.isnat(columns.ended_at), columns.end_reason.index != -1
    r = columns.returns
    undone = np.zeros(len(columns), dtype=np.bool_)
    undone[r.row[~(r.returned_at > r.divorced_at)]] = True
    suspect = (
        ~national_code.valid_codes(columns.husband, prefixes)
        | ~national_code.valid_codes(columns.wife, prefixes)
        | np.isin(columns.kind.index, _refused(columns.kind, _check_marriage_kind))
        | (temporary != (columns.term_end != 0))
        | (ended != reason)
        | np.isin(columns.end_reason.index, _refused(columns.end_reason, _check_end_reason))
        | _out_of_calendar(columns.term_end)
        | _out_of_calendar(columns.waiting_period_end)
        | undone
    )
    _raise_for_first(suspect, columns, lambda record: validation.marriage_data(record, prefixes))


def _check_marriage_kind(kind: str | None) -> None:
    if kind not in ("permanent", "temporary"):
        raise validation.bad("bad_marriage_kind", "", "")


def _check_end_reason(reason: str | None) -> None:
    if reason is not None and reason not in END_REASONS:
        raise validation.bad("bad_end_reason", "", "")


def _label_indexes(labels: Labels, value: str) -> list[int]:
    return [i for i, v in enumerate(labels.values) if v == value]


def _out_of_calendar(days: Ints) -> npt.NDArray[np.bool_]:
    """Days (0: none) that are not in the calendar."""
    out: npt.NDArray[np.bool_] = (days < 0) | (days > _LAST_DAY)
    return out


# Mobile numbers.


@dataclass(frozen=True)
class MobileColumns:
    """What `MobileRecord`s hold, a column each: numbers as integers without their first
    0 (09121234567 is 9121234567)."""

    mobile: Ints
    national_code: Ints
    operator: Labels
    reported_at: Instants

    def __len__(self) -> int:
        return len(self.mobile)


def _mobile_records(columns: MobileColumns) -> Iterator[MobileRecord]:
    rows = zip(
        _mobile_texts(columns.mobile),
        _code_texts(columns.national_code),
        columns.operator.texts(),
        _datetimes(columns.reported_at),
        strict=True,
    )
    return (MobileRecord(*row) for row in rows)  # type: ignore[arg-type]


def _mobile_texts(numbers: Ints) -> list[str | None]:
    return [f"0{n:010d}" if n >= 0 else str(n) for n in numbers.tolist()]


def _prepare_mobiles(
    columns: MobileColumns, entry: Entry, prefixes: Collection[str]
) -> Written | None:
    suspect = ~national_code.valid_codes(columns.national_code, prefixes) | (
        (columns.mobile < 9 * 10**9) | (columns.mobile >= 10**10)
    )
    _raise_for_first(suspect, columns, lambda record: validation.mobile_data(record, prefixes))
    texts: dict[str, list[str | None]] = {
        "mobile": _mobile_texts(columns.mobile),
        "national_code": _code_texts(columns.national_code),
        "operator": columns.operator.texts(),
        "reported_at": _iso_instants(columns.reported_at),
    }
    rows = copy_rows(list(texts.values()))
    if rows is None:
        return None
    data = {
        "mobile": _tokens(texts["mobile"], ""),
        "national_code": _tokens(texts["national_code"], ""),
        "operator": _json_lookup([*columns.operator.values, None], columns.operator.index),
        "reported_at": _tokens(texts["reported_at"], "Z"),
    }
    codes = texts["national_code"]
    return _written(MOBILE, codes, data, entry, {"mobile_ownership": rows}, {}, len(columns))


Columns = PersonColumns | MarriageColumns | MobileColumns


_INSTANTS = ("birth_at", "birth_registered_at", "death_at", "death_registered_at")


class Template(NamedTuple):
    text: str  # a %s for each of `keys` (the seq, the subject, the data), in this order
    keys: tuple[str, ...]


@lru_cache(maxsize=64)
def _payload_template(
    kind: str, keys: tuple[str, ...], actor: str, recorded_at: str
) -> Template | None:
    """The payload of an entry of `kind` whose data has `keys`, with a `%s` for each value
    that varies; built by the ledger's own functions, so it is theirs byte for byte. None
    should the actor's name hold a placeholder."""
    data = {name: f"@@{name}@@" for name in keys}
    fields = entry_fields(0, NewEntry(kind, "@@subject@@", data, actor), recorded_at)
    payload = entry_payload({**fields, "seq": "@@seq@@"}, data)
    text = payload.decode("utf-8").replace("%", "%%")
    slots = {name: f'"@@{name}@@"' for name in ("seq", "subject", *keys)}
    if any(text.count(slot) != 1 for slot in slots.values()):
        return None
    order = sorted(slots, key=lambda name: text.index(slots[name]))
    for slot in slots.values():
        text = text.replace(slot, "%s")
    return Template(text, tuple(order))


def copy_rows(columns: list[list[str | None]]) -> bytes | None:
    """Rows in COPY's text format from their values as text, a list per column (None:
    NULL); None when a value needs escaping. The rows are joined as they are, then checked
    once as a whole (`plain`)."""
    nulls = sum(values.count(None) for values in columns)
    texts = [[NULL if v is None else v for v in values] for values in columns]
    text = "\n".join(map("\t".join, zip(*texts, strict=True)))
    if not plain(text, nulls, len(columns[0]), len(columns)):
        return None
    return (text + "\n").encode("utf-8")


def plain(text: str, nulls: int, rows: int, columns: int) -> bool:
    """Whether `text`, `rows` rows of `columns` values joined with `nulls` NULL markers,
    has no backslash, tab, newline or carriage return but those: then no value needed
    escaping, since each one would have added one more."""
    return (
        text.count("\\") == nulls
        and text.count("\t") == rows * (columns - 1)
        and text.count("\n") == rows - 1
        and "\r" not in text
    )


NULL = "\\N"

# COPY's binary format (PostgreSQL's manual, COPY, "Binary Format"): a header, then for each
# row its number of fields (int16) and each field as its length (int32; -1: NULL) and its
# bytes, then a trailer (`state` writes those two). The ledger goes in it: a payload goes as
# it is, with no escaping to write or to parse; the server took 4.35 s for 1 M ledger rows
# in binary, 5.95 s in text.
BINARY_NULL = b"\xff\xff\xff\xff"
_INT4 = (4).to_bytes(4, "big")  # an integer column's field length
LEDGER_FIELDS = len(TABLE["ledger"].columns).to_bytes(2, "big")


def _length(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big")


def binary_field(value: str | int | None) -> bytes:
    """One field in COPY's binary format: text as UTF-8, an int as an integer column's
    four bytes (the ledger's seq: `bulk` checks its columns are text but for that)."""
    if value is None:
        return BINARY_NULL
    if isinstance(value, int):
        return _INT4 + value.to_bytes(4, "big", signed=True)
    data = value.encode("utf-8")
    return _length(data) + data


def _tokens(values: list[str | None], suffix: str) -> list[str]:
    """Values with nothing JSON escapes (digits, days, instants), `suffix` added, as JSON
    strings; null for none."""
    return ["null" if v is None else f'"{v}{suffix}"' for v in values]


def _json_lookup(table: Sequence[str | None], index: Ints) -> list[str]:
    """`table[i]` as JSON for each i in `index`, each entry encoded once."""
    return _lookup([canonical.dumps(v).decode("utf-8") for v in table], index)


def _counters(codes: Ints) -> dict[str, int]:
    """Per prefix, the serial after the chunk's highest (what `state` raises the counter to)."""
    prefix, serial = codes // 10**7, (codes // 10) % 10**6
    out: dict[str, int] = {}
    for p in np.unique(prefix).tolist():
        out[f"{p:03d}"] = int(serial[prefix == p].max()) + 1
    return out


def _q(values: Ints) -> array:  # type: ignore[type-arg]
    out = array("q")
    out.frombytes(values.astype(np.int64).tobytes())
    return out


def _lookup(table: Sequence[Any], index: Ints) -> list[Any]:
    """`table[i]` for each i in `index` (-1: the table's last entry)."""
    return np.array(table, dtype=object)[index].tolist()  # type: ignore[no-any-return]


def _int_texts(values: Ints) -> list[str | None]:
    return list(map(str, values.tolist()))


def _code_texts(codes: Ints) -> list[str | None]:
    return [None if c == -1 else f"{c:010d}" for c in codes.tolist()]


def _iso_days(days: Ints) -> list[str | None]:
    unique, index = np.unique(days, return_inverse=True)
    table = [None if d == 0 else date.fromordinal(d).isoformat() for d in unique.tolist()]
    return _lookup(table, index)


def _dates(days: Ints, none_at_zero: bool) -> list[date | None]:
    out: list[date | None] = []
    for day in days.tolist():
        if 0 < day <= _LAST_DAY:
            out.append(date.fromordinal(day))
        elif day == 0 and none_at_zero:
            out.append(None)
        else:
            raise validation.bad(
                "bad_date", f"روز بیرون از تقویم است: {day}", f"day {day} is outside the calendar"
            )
    return out


def _iso_instants(instants: Instants) -> list[str | None]:
    """'2025-03-21T06:30:00' (the form `utc_text` and COPY write, less the "Z")."""
    texts = np.datetime_as_string(instants.astype("datetime64[s]"), unit="s").tolist()
    return [None if t == "NaT" else t for t in texts]


def _datetimes(instants: Instants) -> list[datetime | None]:
    seconds = instants.astype("datetime64[s]").astype(np.int64).tolist()
    nat = np.isnat(instants).tolist()
    return [
        None if n else datetime.fromtimestamp(s, UTC) for s, n in zip(seconds, nat, strict=True)
    ]
