"""Turn a simulated population into register records: offices, persons (with national
codes, names, booklets, registration times), marriages and mobile numbers.

Deterministic per seed: every random draw comes from generators seeded from it.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt

from sabt.kit.clock import TEHRAN
from sabt.persian import national_code, places
from sabt.registry import columns, validation
from sabt.registry.bulk import Chunk
from sabt.registry.columns import Labels, MarriageColumns, MobileColumns, PersonColumns, Returns
from sabt.registry.schemas import (
    ImportRecord,
    OfficeRecord,
)
from sabt.synth import calibration as cal
from sabt.synth.simulate import REASONS, Population

BOOKLET_LETTERS = [
    "الف",
    "ب",
    "پ",
    "ت",
    "ث",
    "ج",
    "چ",
    "ح",
    "خ",
    "د",
    "ذ",
    "ر",
    "ز",
    "س",
    "ش",
    "ص",
    "ض",
    "ط",
    "ظ",
    "ع",
    "غ",
    "ف",
    "ق",
    "ک",
    "گ",
    "ل",
    "م",
    "ن",
    "و",
    "ه",
    "ی",
]
MOBILE_OPERATORS = (
    ("MCI", ("0912", "0913", "0919", "0991"), 0.55),
    ("Irancell", ("0935", "0936", "0937", "0939", "0901"), 0.40),
    ("Rightel", ("0920", "0921"), 0.05),
)
MOBILE_SHARE = 0.88  # ASSUMPTION: adults with a mobile number in the operators' reports
CONSULATES = (
    ("CONS-DE-FRA", "فرانکفورت"),
    ("CONS-AT-VIE", "وین"),
    ("CONS-MY-KUL", "کوالالامپور"),
    ("CONS-NO-OSL", "اسلو"),
    ("CONS-SE-STO", "استکهلم"),
    ("CONS-TH-BKK", "بانکوک"),
)
TIMED_FROM = date(1961, 3, 21)  # 1340 SH: from here the hour of birth and death is recorded


def office_codes(county: str) -> dict[str, str]:
    return {
        "civil_registration": f"CR-{county}",
        "hospital": f"HOSP-{county}",
        "marriage_notary": f"MN-{county}",
        "divorce_notary": f"DN-{county}",
        "service_counter": f"SC-{county}",
    }


def offices() -> Iterator[OfficeRecord]:
    """Per county: a civil registration office owning the county's national-code prefixes,
    a hospital, a marriage notary, a divorce notary and a service counter; and consulates."""
    kinds_fa = {
        "civil_registration": "ادارهٔ ثبت احوال",
        "hospital": "بیمارستان",
        "marriage_notary": "دفتر ثبت ازدواج",
        "divorce_notary": "دفتر ثبت طلاق",
        "service_counter": "دفتر پیشخوان دولت",
    }
    prefixes = places.office_prefixes()
    for code, county in sorted(places.counties().items()):
        for kind, office in office_codes(code).items():
            owned = tuple((p, prefixes[p].synthetic) for p in places.prefixes_of_county(code))
            yield OfficeRecord(
                office,
                kind,
                f"{kinds_fa[kind]} {county.name_fa}",
                code,
                county.province_iso,
                owned if kind == "civil_registration" else (),
            )
    for office, city in CONSULATES:
        yield OfficeRecord(office, "consulate", f"سرکنسولگری ایران در {city}", None, None)


class Codes:
    """National codes of the population, kept as integers (8 bytes a person) and written
    out as 10-digit text on demand."""

    def __init__(self, values: npt.NDArray[np.int64]) -> None:
        self.values = values

    def __getitem__(self, i: int) -> str:
        return f"{self.values[i]:010d}"

    def texts(self, start: int, stop: int) -> list[str]:
        return [f"{value:010d}" for value in self.values[start:stop].tolist()]

    def __len__(self) -> int:
        return len(self.values)


def national_codes(pop: Population, rng: np.random.Generator) -> Codes:
    """Codes from the prefixes of each person's birth county, serials in register order."""
    county = pop.persons["birth_county"]
    n = len(county)
    prefix = np.zeros(n, dtype=np.int64)
    for ci, code in enumerate(pop.counties):
        members = np.flatnonzero(county == ci)
        options = np.array([int(p) for p in places.prefixes_of_county(code)], dtype=np.int64)
        prefix[members] = options[rng.integers(0, len(options), len(members))]
    serial = np.zeros(n, dtype=np.int64)
    order = np.argsort(prefix, kind="stable")
    sorted_prefix = prefix[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_prefix)) + 1]
    counts = np.diff(np.r_[starts, n])
    run = np.arange(n) - np.repeat(starts, counts) + 1
    repeated = sorted_prefix % 111 == 0  # 000, 111, ... 999: skip the all-same serial
    same = (sorted_prefix // 111) * 111111
    run = np.where(repeated & (run >= same) & (same > 0), run + 1, run)
    if run.max(initial=0) > 999_999:
        raise ValueError("a prefix ran out of serials: use fewer people or more prefixes")
    serial[order] = run
    first9 = prefix * 1_000_000 + serial
    return Codes(first9 * 10 + national_code.check_digits(first9))


@dataclass
class Draws:
    """Per-person random details, drawn once so that the output is deterministic."""

    birth_minute: npt.NDArray[np.int64]
    birth_delay: npt.NDArray[np.int64]
    death_minute: npt.NDArray[np.int64]
    death_delay: npt.NDArray[np.int64]
    office_minute: npt.NDArray[np.int64]
    death_elsewhere: npt.NDArray[np.bool_]

    @classmethod
    def make(cls, n: int, rng: np.random.Generator) -> "Draws":
        late_birth = rng.random(n) < 0.012  # NOCR: 98.8 % within the legal period (1398)
        birth_delay = np.where(
            late_birth, rng.integers(16, 400, n), np.minimum(rng.exponential(3.0, n), 15)
        )
        late_death = rng.random(n) < 0.01  # "99 % of deaths within 10 days" (Zanjan 1404)
        death_delay = np.where(
            late_death, rng.integers(11, 200, n), np.minimum(rng.exponential(1.5, n), 10)
        )
        return cls(
            rng.integers(0, 1440, n),
            birth_delay.astype(np.int64),
            rng.integers(0, 1440, n),
            death_delay.astype(np.int64),
            rng.integers(8 * 60, 14 * 60, n),
            rng.random(n) < 0.1,
        )


CHUNK = 50_000  # records made at a time (bounds memory)
SERIES = [f"{letter}{number:02d}" for number in range(1, 100) for letter in BOOKLET_LETTERS]


class TehranTime:
    """Asia/Tehran civil times (a day and a minute) as UTC instants, many at once.

    Why not zoneinfo for each: it costs ~1.5 µs a time, and a person has four. The offset
    from UTC is looked up per day instead: a day whose offset is the same at 00:00 and at
    23:59 keeps it all day (Tehran has never changed its clock twice in a day), and the
    few times on a day the clock changed are converted by zoneinfo itself, so every
    result is zoneinfo's (a test compares them over a century of days)."""

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first = first_day
        days = range(first_day, last_day + 1)
        self.start = np.array([_offset(d, 0) for d in days], dtype=np.int64)
        self.end = np.array([_offset(d, 1439) for d in days], dtype=np.int64)

    def utc(
        self, day: npt.NDArray[np.int64], minute: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.datetime64]:
        """The instants, in whole seconds."""
        k = day - self.first
        offset = self.start[k]
        changed = np.flatnonzero(offset != self.end[k])
        offset[changed] = [
            _offset(int(d), int(m)) for d, m in zip(day[changed], minute[changed], strict=True)
        ]
        local = (day - _EPOCH_DAY) * 86_400 + minute * 60
        return (local - offset).astype("datetime64[s]")


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def _offset(day: int, minute: int) -> int:
    """Seconds Tehran's clocks were ahead of UTC at that civil time (zoneinfo's first
    reading of a time the clocks went through twice)."""
    at = datetime.combine(date.fromordinal(day), time(minute // 60, minute % 60), TEHRAN)
    return int(at.utcoffset().total_seconds())  # type: ignore[union-attr]


def person_columns(
    pop: Population, codes: Codes, draws: Draws, clock: TehranTime, start: int, stop: int
) -> PersonColumns:
    """Persons `start` to `stop` (exclusive) as the register's columns."""
    p, rows = pop.persons, slice(start, stop)
    born, died = p["birth"][rows].astype(np.int64), p["death"][rows].astype(np.int64)
    male = p["sex"][rows] == 1
    male_names = cal.name_weights("male")[0]
    counties = pop.counties
    residence = p["residence"][rows].astype(np.int64)
    place = np.where(draws.death_elsewhere[rows], _capital_of(pop)[residence], residence)
    birth_at, birth_registered_at, death_at, death_registered_at = _person_times(
        pop, draws, clock, rows, born, died
    )

    def parent(key: str) -> npt.NDArray[np.int64]:
        index = p[key][rows].astype(np.int64)
        return np.where(index >= 0, codes.values[np.maximum(index, 0)], -1)

    return PersonColumns(
        national_code=codes.values[rows],
        first_name=_labels(
            [*male_names, *cal.name_weights("female")[0]],
            np.where(male, p["first_name"][rows], p["first_name"][rows] + len(male_names)),
        ),
        last_name=_labels(cal.surname_weights()[0], p["surname"][rows]),
        father_name=_labels(male_names, p["father_name"][rows]),
        sex=_labels(("female", "male"), male),
        birth_date=born,
        birth_county=_labels(counties, p["birth_county"][rows]),
        residence_county=_labels(counties, residence),
        religion=_labels(validation.RELIGIONS, p["religion"][rows]),
        school=_labels(validation.SCHOOLS, p["school"][rows]),
        birth_at=birth_at,
        birth_registered_at=birth_registered_at,
        registering_office=_labels([f"CR-{c}" for c in counties], p["birth_county"][rows]),
        booklet_series=_labels(SERIES, np.arange(start, stop) % len(SERIES)),
        booklet_serial=_booklet_serials(start, stop),
        death_date=died,
        death_at=death_at,
        death_place=_labels(counties, np.where(died > 0, place, -1)),
        death_registered_at=death_registered_at,
        father=parent("father"),
        mother=parent("mother"),
    )


def _labels(values: Sequence[str], index: npt.NDArray[Any]) -> Labels:
    return Labels(values, index.astype(np.int64))


def _booklet_serials(start: int, stop: int) -> Labels:
    """With the series, unique per person: the serial goes up once all series are used."""
    serials = (np.arange(start, stop) // len(SERIES)) % 1_000_000
    values, index = np.unique(serials, return_inverse=True)
    return _labels([f"{v:06d}" for v in values.tolist()], index)


def _person_times(
    pop: Population,
    draws: Draws,
    clock: TehranTime,
    rows: slice,
    born: npt.NDArray[np.int64],
    died: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.datetime64], ...]:
    """Birth time (recorded from 1340), its registration, death time, its registration;
    NaT where there is none."""
    end, timed = pop.end.toordinal(), TIMED_FROM.toordinal()
    office = draws.office_minute[rows]
    dead = died > 0
    death_day = np.where(dead, died, born)  # a day for the living too (masked), not their 0
    never = np.full(len(born), np.datetime64("NaT"), dtype="datetime64[s]")
    return (
        np.where(born >= timed, clock.utc(born, draws.birth_minute[rows]), never),
        clock.utc(np.minimum(born + draws.birth_delay[rows], end), office),
        np.where(dead & (died >= timed), clock.utc(death_day, draws.death_minute[rows]), never),
        np.where(
            dead, clock.utc(np.minimum(death_day + draws.death_delay[rows], end), office), never
        ),
    )


def _capital_of(pop: Population) -> npt.NDArray[np.int64]:
    """For each county (by index), the index of its province's capital county."""
    capital = {iso: places.county_by_name(name).code for iso, (name, _) in cal.CAPITALS.items()}
    position = {code: i for i, code in enumerate(pop.counties)}
    counties = places.counties()
    return np.array(
        [position[capital[counties[code].province_iso]] for code in pop.counties], dtype=np.int64
    )


def returns_in_order(pop: Population) -> npt.NDArray[np.intp]:
    """The returns (رجوع) sorted by marriage (each marriage's in the order simulated, which
    numbers them)."""
    return np.argsort(pop.returns["marriage"], kind="stable")


def marriage_columns(
    pop: Population,
    codes: Codes,
    minutes: npt.NDArray[np.int64],
    returns: npt.NDArray[np.intp],
    clock: TehranTime,
    start: int,
    stop: int,
) -> MarriageColumns:
    """Marriages `start` to `stop` (exclusive) as the register's columns; `returns` is
    `returns_in_order`."""
    m, rows = pop.marriages, slice(start, stop)
    began, end = m["start"][rows].astype(np.int64), m["end"][rows].astype(np.int64)
    minute = minutes[rows]
    ended = end > 0
    temporary = m["temporary"][rows].astype(np.bool_)
    waiting = m["waiting_end"][rows].astype(np.int64)
    never = np.full(stop - start, np.datetime64("NaT"), dtype="datetime64[s]")
    return MarriageColumns(
        id=np.arange(start + 1, stop + 1, dtype=np.int64),
        husband=codes.values[m["husband"][rows]],
        wife=codes.values[m["wife"][rows]],
        kind=_labels(("permanent", "temporary"), temporary),
        registered_at=clock.utc(began, minute),
        office=_labels([f"MN-{c}" for c in pop.counties], m["county"][rows]),
        term_end=np.where(temporary, m["term_end"][rows], 0).astype(np.int64),
        ended_at=np.where(ended, clock.utc(np.where(ended, end, began), minute), never),
        end_reason=_labels(REASONS, np.where(ended, m["reason"][rows], -1)),
        waiting_period_end=np.where(ended & (waiting > end), waiting, 0),
        returns=_returns(pop, returns, clock, start, stop),
    )


def _returns(
    pop: Population, in_order: npt.NDArray[np.intp], clock: TehranTime, start: int, stop: int
) -> Returns:
    """The returns of marriages `start` to `stop`, at 10:00 on their days."""
    r = pop.returns
    marriage = r["marriage"][in_order]
    mine = in_order[np.searchsorted(marriage, start) : np.searchsorted(marriage, stop)]
    ten = np.full(len(mine), 600, dtype=np.int64)
    return Returns(
        row=r["marriage"][mine].astype(np.int64) - start,
        id=mine.astype(np.int64) + 1,
        divorced_at=clock.utc(r["divorced"][mine].astype(np.int64), ten),
        returned_at=clock.utc(r["returned"][mine].astype(np.int64), ten),
    )


def mobile_owners(
    pop: Population, rng: np.random.Generator
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """Who has a mobile number (most living adults, 18+ at the end date), and the operator."""
    p = pop.persons
    end = pop.end.toordinal()
    adult = (p["death"] == 0) & ((end - p["birth"]) / 365.2422 >= 18)
    owners = np.flatnonzero(adult & (rng.random(p.n) < MOBILE_SHARE))
    shares = [o[2] for o in MOBILE_OPERATORS]
    return owners, rng.choice(len(MOBILE_OPERATORS), size=len(owners), p=shares)


def mobile_columns(
    pop: Population,
    codes: Codes,
    owners: npt.NDArray[np.intp],
    operator: npt.NDArray[np.int64],
    start: int,
    stop: int,
) -> MobileColumns:
    """Numbers unique per operator prefix: the k-th subscriber of a prefix gets
    (k * 7919) mod 10^7, a permutation since 7919 is prime to 10^7."""
    mine, op = owners[start:stop], operator[start:stop]
    before = np.bincount(operator[:start], minlength=len(MOBILE_OPERATORS))
    k = np.zeros(len(op), dtype=np.int64)
    for o in range(len(MOBILE_OPERATORS)):
        theirs = np.flatnonzero(op == o)
        k[theirs] = before[o] + np.arange(len(theirs))
    width = max(len(o[1]) for o in MOBILE_OPERATORS)  # each operator's prefixes, repeated
    table = np.array([[int(p) for p in (o[1] * width)[:width]] for o in MOBILE_OPERATORS])
    count = np.array([len(o[1]) for o in MOBILE_OPERATORS], dtype=np.int64)[op]
    prefix = table[op, k % count]
    reported = np.datetime64(
        datetime.combine(pop.end, time(12), TEHRAN).astimezone(UTC).replace(tzinfo=None), "s"
    )
    return MobileColumns(
        mobile=prefix * 10**7 + (k // count) * 7919 % 10**7,
        national_code=codes.values[mine],
        operator=_labels([o[0] for o in MOBILE_OPERATORS], op),
        reported_at=reported - (mine % 700).astype("timedelta64[D]"),
    )


class Source:
    """The persons, marriages and mobile numbers of a population, made a chunk at a time
    (in the register's bulk-import workers, or here): every random draw is made first, so
    a chunk is the same wherever and whenever it is made."""

    def __init__(self, pop: Population, seed: int) -> None:
        rng = np.random.default_rng([seed, 1])
        self.pop = pop
        self.codes = national_codes(pop, rng)
        self.clock = TehranTime(
            int(pop.persons["birth"].min(initial=pop.end.toordinal())), pop.end.toordinal()
        )
        self.draws = Draws.make(pop.persons.n, rng)
        self.owners, self.operator = mobile_owners(pop, rng)
        marriage_rng = np.random.default_rng([seed, 2])
        self.marriage_minutes = marriage_rng.integers(8 * 60, 14 * 60, pop.marriages.n)
        self.returns = returns_in_order(pop)

    def chunks(self) -> list[Chunk]:
        sizes = (
            ("person", self.pop.persons.n),
            ("marriage", self.pop.marriages.n),
            ("mobile", len(self.owners)),
        )
        return [
            Chunk(series, start, min(start + CHUNK, n))
            for series, n in sizes
            for start in range(0, n, CHUNK)
        ]

    def make(self, chunk: Chunk) -> Iterator[ImportRecord]:
        return columns.records(self.columns(chunk))

    def columns(self, chunk: Chunk) -> columns.Columns:
        """The chunk in columns (`make` gives the same as records)."""
        pop, codes, start, stop = self.pop, self.codes, chunk.start, chunk.stop
        match chunk.series:
            case "person":
                return person_columns(pop, codes, self.draws, self.clock, start, stop)
            case "marriage":
                minutes, returns, clock = self.marriage_minutes, self.returns, self.clock
                return marriage_columns(pop, codes, minutes, returns, clock, start, stop)
            case "mobile":
                return mobile_columns(pop, codes, self.owners, self.operator, start, stop)
        raise ValueError(f"no series {chunk.series!r}")

    def __len__(self) -> int:
        return sum(chunk.size for chunk in self.chunks())


def all_records(pop: Population, seed: int) -> tuple[int, Iterator[ImportRecord]]:
    """(how many records, the records in register order), generated lazily, one process."""
    office_list = list(offices())
    source = Source(pop, seed)

    def generate() -> Iterator[ImportRecord]:
        yield from office_list
        for chunk in source.chunks():
            yield from source.make(chunk)

    return len(office_list) + len(source), generate()
