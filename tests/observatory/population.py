"""A hand-built population for the observatory's tests; every figure of the year 1402
(2023-03-21 .. 2024-03-19, mid-year day 2023-09-19) is worked out by hand in the tests.

Tehran county (IR-23) unless marked Isfahan (IR-10). All instants are 09:00 UTC (12:30 in
Tehran), so no event is near a civil-day boundary.
"""

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from sabt.persian import national_code, places
from sabt.registry import service
from sabt.registry.schemas import MarriageRecord, OfficeRecord, PersonRecord

TEHRAN = places.county_by_name("تهران").code
ISFAHAN = places.county_by_name("اصفهان").code
OFFICE = "CR-OBS-1"
NAMES = [
    "m1", "m2", "m3", "w1", "w2", "w3", "w4", "w5", "d3", "c2", "c3",
    "h1", "h2", "h3", "o1", "c0", "c1", "c4", "c5",
]  # fmt: skip
CODES = {name: national_code.allocate("001", i + 1) for i, name in enumerate(NAMES)}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _person(name: str, sex: str, born: date, county: str = TEHRAN, **kw: object) -> PersonRecord:
    for key in ("mother", "father"):
        if key in kw:
            kw[key] = CODES[str(kw[key])]
    for key in ("birth_registered_at", "death_registered_at"):
        if key in kw:
            kw[key] = at(kw[key])  # type: ignore[arg-type]
    return PersonRecord(national_code=CODES[name], first_name="نام", last_name="آزمون",
                        father_name=None, sex=sex, birth_date=born, birth_county=county,
                        residence_county=county, **kw)  # type: ignore[arg-type]  # fmt: skip


def records() -> list[object]:
    return [
        OfficeRecord(OFFICE, "civil_registration", "ادارهٔ آزمون", TEHRAN, "IR-23",
                     (("001", False),)),
        # women alive on the mid-year day, and their completed Jalali age then
        _person("m1", "female", date(1995, 6, 1)),  # 28: 25-29
        _person("m2", "female", date(1984, 1, 10)),  # 39: 35-39
        _person("m3", "female", date(2005, 5, 5), ISFAHAN),  # 18: 15-19
        _person("w1", "female", date(1999, 3, 3)),  # 24: 20-24
        _person("w2", "female", date(1982, 2, 2)),  # 41: 40-44
        _person("w3", "female", date(1990, 10, 10)),  # 32: 30-34
        _person("w4", "female", date(2001, 1, 1)),  # 22: 20-24
        _person("w5", "female", date(1976, 6, 6)),  # 47: 45-49
        # died in 1401: in no figure of 1402
        _person("d3", "female", date(1950, 1, 1), death_date=date(2022, 5, 5)),
        # men
        _person("h1", "male", date(1995, 1, 1)),
        _person("h2", "male", date(1980, 4, 4)),
        _person("h3", "male", date(1998, 8, 8)),
        _person("o1", "male", date(1940, 2, 2), death_date=date(2023, 7, 7),
                death_registered_at=date(2023, 7, 30)),  # late: the period ended 2023-07-17
        _person("c0", "male", date(2010, 1, 1), mother="m2"),
        # the births of 1402
        _person("c1", "male", date(2023, 6, 1), mother="m1",
                birth_registered_at=date(2023, 6, 17)),  # day 15 a Friday: on time
        _person("c2", "female", date(2023, 8, 10), mother="m2",
                birth_registered_at=date(2023, 10, 1)),  # late
        _person("c3", "female", date(2024, 1, 15), ISFAHAN, mother="m3",
                birth_registered_at=date(2024, 1, 16)),
        _person("c4", "male", date(2023, 4, 1), birth_registered_at=date(2023, 4, 10),
                death_date=date(2023, 12, 1), death_registered_at=date(2023, 12, 3)),
        # the register's latest event, the day before the tests' clock: its data reach it, so
        # 1402 is complete (observatory.service.reach)
        _person("c5", "male", date(2025, 9, 21), birth_registered_at=date(2025, 9, 21)),
        # marriages: h1-w1 (both first; a revocable divorce undone by a return), h2-w2 of
        # 2005 ended by divorce in 1402, h2-w3 (w3's first, not h2's), h3-w4 temporary
        MarriageRecord(1, CODES["h1"], CODES["w1"], "permanent", at(date(2023, 6, 15)), OFFICE,
                       returns=((1, at(date(2023, 8, 1)), at(date(2023, 8, 20))),)),
        MarriageRecord(2, CODES["h2"], CODES["w2"], "permanent", at(date(2005, 5, 5)), OFFICE,
                       ended_at=at(date(2023, 4, 10)), end_reason="divorce_irrevocable"),
        MarriageRecord(3, CODES["h2"], CODES["w3"], "permanent", at(date(2023, 11, 11)), OFFICE),
        MarriageRecord(4, CODES["h3"], CODES["w4"], "temporary", at(date(2023, 7, 1)), OFFICE,
                       term_end=date(2023, 10, 1), ended_at=at(date(2023, 10, 1)),
                       end_reason="term_expired"),
    ]  # fmt: skip


def load(engine: Engine) -> None:
    service.bulk_import(engine, records())  # type: ignore[arg-type]
