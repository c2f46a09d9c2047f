"""Persons in columns: a chunk of a bulk import held as arrays, and its fast path.

Why: a bulk-import worker spent ~42 µs a person on Python objects: a `PersonRecord`, the
data dict `validation` builds from it, the ledger payload's dict, the state row's dict,
then text from each. A source that holds its population in arrays (`synth`) hands a chunk
over as `PersonColumns` instead, and `prepare` checks it and writes its ledger rows and
person rows column by column, with no object per person.

The rules stay those of `validation.person_data`: a column of few distinct values (names,
counties, sex) is checked one value at a time by the record path's own functions, the
national codes all at once by `national_code.valid_codes` (the same rules, vectorised), and
the dates by array comparisons. The first row any of these finds wrong is then checked by
`validation.person_data` itself, which raises the error a record path would (it may name
another bad row than the record path, which stops at the first). `records` gives the same
chunk as `PersonRecord`s; a test checks, chunk by chunk, that `prepare` gives byte for byte
what `bulk.prepare` gives for those records.
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
from sabt.registry.schemas import PersonRecord
from sabt.registry.state import TABLE, Batch

Ints = npt.NDArray[np.int64]
Instants = npt.NDArray[np.datetime64]  # whole seconds, UTC; NaT: none
KIND = "person.imported"


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


def records(columns: PersonColumns) -> Iterator[PersonRecord]:
    """The chunk as records, row by row."""
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


def checked(columns: PersonColumns, prefixes: Collection[str]) -> tuple[Names, Names, Names]:
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
    if suspect.any():
        _raise_for_row(columns, int(np.argmax(suspect)), prefixes)
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


def _raise_for_row(columns: PersonColumns, row: int, prefixes: Collection[str]) -> None:
    """Raise the record path's error for `row`, which the column checks refused."""
    validation.person_data(_row(columns, row), prefixes)  # a day out of the calendar: _row
    raise AssertionError(f"row {row}: the column checks refuse what the record checks accept")


def _row(columns: PersonColumns, row: int) -> PersonRecord:
    def one(value: Any) -> Any:
        if isinstance(value, Labels):
            return Labels(value.values, value.index[row : row + 1])
        return value[row : row + 1]

    sliced = {f.name: one(getattr(columns, f.name)) for f in fields(columns)}
    return next(records(PersonColumns(**sliced)))


class Written(NamedTuple):
    """A chunk's ledger rows in COPY text up to the tab before prev_hash (entry k's payload
    is `ledger[starts[k]:stops[k]]`, its row ends at `ends[k]`) and its person rows."""

    ledger: bytes
    starts: array  # type: ignore[type-arg]
    stops: array  # type: ignore[type-arg]
    ends: array  # type: ignore[type-arg]
    batch: Batch


def prepare(
    columns: PersonColumns,
    first_seq: int,
    prefixes: Collection[str],
    actor: str,
    recorded_at: str,
    after: bytes,
) -> Written | None:
    """What `bulk.prepare` writes for the chunk's records, entry `first_seq` first, each
    ledger row's columns after the payload being `after`; None when a value needs escaping
    (a backslash, tab or quote in a name, say), which the record path handles."""
    first, last, father = checked(columns, prefixes)
    plain = _plain_texts(columns, first, last, father)
    rows = _copy_rows([plain[c.name] for c in TABLE["person"].columns])
    template = _payload_template(actor, recorded_at)
    if rows is None or template is None:
        return None
    seqs = range(first_seq, first_seq + len(columns))
    tokens = _payload_tokens(columns, plain, first, last, father)
    tokens["seq"], tokens["subject"] = list(map(str, seqs)), tokens["national_code"]
    payloads = [
        (template.text % row).encode("utf-8")
        for row in zip(*(tokens[k] for k in template.keys), strict=True)
    ]
    codes = plain["national_code"]
    if any(b"\\" in payload for payload in payloads):  # COPY would escape it: rare
        return None
    lines = [
        f"{seq}\t{KIND}\t{code}\t".encode("ascii") for seq, code in zip(seqs, codes, strict=True)
    ]
    ledger = b"".join(x for row in zip(lines, payloads, repeat(after)) for x in row)
    before = np.fromiter(map(len, lines), np.int64, len(lines))
    sizes = np.fromiter(map(len, payloads), np.int64, len(payloads))
    ends = np.cumsum(before + sizes + len(after))
    stops = ends - len(after)
    batch = Batch(counters=_counters(columns.national_code), size=len(columns))
    batch.copy_text = {"person": [rows]}
    return Written(ledger, _q(stops - sizes), _q(stops), _q(ends), batch)


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


_INSTANTS = ("birth_at", "birth_registered_at", "death_at", "death_registered_at")
_DATA_KEYS = (
    "national_code", "first_name", "first_name_raw", "first_name_key", "last_name",
    "last_name_raw", "last_name_key", "father_name", "father_name_raw", "father_name_key",
    "sex", "birth_date", "birth_at", "birth_county", "birth_registered_at",
    "registering_office", "booklet_series", "booklet_serial", "residence_county", "religion",
    "school", "status", "death_date", "death_at", "death_place", "death_registered_at",
    "father", "mother",
)  # fmt: skip


class Template(NamedTuple):
    text: str  # a %s for each of `keys` (the seq, the subject, the data), in this order
    keys: tuple[str, ...]


@lru_cache(maxsize=16)
def _payload_template(actor: str, recorded_at: str) -> Template | None:
    """A person entry's payload with a `%s` for each value that varies, built by the
    ledger's own functions, so it is theirs byte for byte; None should the actor's name
    hold a placeholder."""
    data = {name: f"@@{name}@@" for name in _DATA_KEYS}
    entry = NewEntry(KIND, "@@subject@@", data, actor)
    payload = entry_payload({**entry_fields(0, entry, recorded_at), "seq": "@@seq@@"}, data)
    text = payload.decode("utf-8").replace("%", "%%")
    slots = {name: f'"@@{name}@@"' for name in ("seq", "subject", *_DATA_KEYS)}
    if any(text.count(slot) != 1 for slot in slots.values()):
        return None
    order = sorted(slots, key=lambda name: text.index(slots[name]))
    for slot in slots.values():
        text = text.replace(slot, "%s")
    return Template(text, tuple(order))


def _copy_rows(columns: list[list[str | None]]) -> bytes | None:
    """Rows in COPY's text format, or None when a value needs escaping."""
    nulls = sum(values.count(None) for values in columns)
    texts = [[NULL if v is None else v for v in values] for values in columns]
    text = "\n".join(map("\t".join, zip(*texts, strict=True)))
    n = len(columns[0])
    if (
        text.count("\\") != nulls
        or text.count("\t") != n * (len(columns) - 1)
        or text.count("\n") != n - 1
        or "\r" in text
    ):
        return None
    return (text + "\n").encode("utf-8")


NULL = "\\N"


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
