"""A small hand-made family for the register's tests.

Hasan (m) ==1== Zahra (f, died)         Hasan ==2== Maryam (f)
    |                                        |
+---+-------+                                +-- Reza (half-brother of Ali and Sara)
Ali (m)    Sara (f) ==== Karim (m)
 |                    |
Amir (m)            Neda (f)         (Amir and Neda are cousins)
"""

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from sabt.persian import national_code, places
from sabt.registry import service
from sabt.registry.schemas import MarriageRecord, MobileRecord, OfficeRecord, PersonRecord

TEHRAN = places.county_by_name("تهران").code
OFFICE = "CR-TEHRAN-1"


def code(serial: int) -> str:
    return national_code.allocate("001", serial)


CODES = {name: code(i + 1) for i, name in enumerate(
    ["hasan", "zahra", "maryam", "ali", "sara", "karim", "reza", "amir", "neda", "wife_ali"]
)}  # fmt: skip


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 9, 0, tzinfo=UTC)


def person(name: str, first: str, last: str, sex: str, born: date, **kw: object) -> PersonRecord:
    return PersonRecord(
        national_code=CODES[name], first_name=first, last_name=last, father_name=kw.pop("father_name", None),  # type: ignore[arg-type]
        sex=sex, birth_date=born, birth_county=TEHRAN, residence_county=TEHRAN, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def office() -> OfficeRecord:
    return OfficeRecord(
        OFFICE, "civil_registration", "ادارهٔ ثبت احوال تهران", TEHRAN, "IR-23", (("001", False),)
    )


def records() -> list[object]:
    c = CODES
    return [
        office(),
        person("hasan", "حسن", "محمدی", "male", date(1950, 3, 1)),
        person("zahra", "زهرا", "احمدی", "female", date(1953, 5, 2), death_date=date(1990, 1, 1)),
        person("maryam", "مریم", "کریمی", "female", date(1960, 7, 3)),
        person("ali", "علي", "محمدی", "male", date(1975, 1, 4), father=c["hasan"], mother=c["zahra"], father_name="حسن",
               booklet_series="ب12", booklet_serial="123456"),
        person("sara", "سارا", "محمدی", "female", date(1978, 2, 5), father=c["hasan"], mother=c["zahra"], father_name="حسن"),
        person("karim", "کریم", "رضائی", "male", date(1974, 6, 6)),
        person("reza", "محمد‌رضا", "محمدی", "male", date(1992, 8, 7), father=c["hasan"], mother=c["maryam"], father_name="حسن"),
        person("wife_ali", "لیلا", "حسینی", "female", date(1980, 9, 8)),
        person("amir", "امیر", "محمدی", "male", date(2005, 10, 9), father=c["ali"], mother=c["wife_ali"], father_name="علی"),
        person("neda", "ندا", "رضایی", "female", date(2006, 11, 10), father=c["karim"], mother=c["sara"], father_name="کریم"),
        MarriageRecord(1, c["hasan"], c["zahra"], "permanent", at(1972, 1, 1), OFFICE, ended_at=at(1990, 1, 1), end_reason="death"),
        MarriageRecord(2, c["hasan"], c["maryam"], "permanent", at(1991, 1, 1), OFFICE),
        MarriageRecord(3, c["karim"], c["sara"], "permanent", at(2000, 1, 1), OFFICE),
        MarriageRecord(4, c["ali"], c["wife_ali"], "permanent", at(2003, 1, 1), OFFICE,
                       returns=((1, at(2010, 1, 1), at(2010, 2, 1)),)),
        MobileRecord("09121234567", c["ali"], "MCI", at(2020, 1, 1)),
    ]  # fmt: skip


def load(engine: Engine) -> service.ImportResult:
    return service.bulk_import(engine, records())  # type: ignore[arg-type]
