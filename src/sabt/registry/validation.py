"""Checks on records before they reach the register. Pure: each raises BadInput (Persian
and English message) or returns the canonical data for the ledger."""

from collections.abc import Collection
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sabt.kit.errors import BadInput
from sabt.persian import places
from sabt.persian.text import normalize, search_key
from sabt.registry.codes import check_code
from sabt.registry.ledger import NewEntry, utc_text
from sabt.registry.schemas import (
    END_REASONS,
    OFFICE_KINDS,
    ImportRecord,
    MarriageRecord,
    MobileRecord,
    OfficeRecord,
    PersonRecord,
)


def bad(code: str, fa: str, en: str) -> BadInput:
    return BadInput(code, fa, en)


def check_county(code: str | None, what: str) -> str:
    if code not in places.counties():
        raise bad("unknown_county", f"شهرستان ناشناخته: {code}", f"{what}: unknown county {code!r}")
    return code


@lru_cache(maxsize=65_536)
def name_forms(raw: str) -> tuple[str, str]:
    """(stored form, search key) of a name; cached, names repeat a lot."""
    return normalize(raw), search_key(raw)


def check_name(raw: str | None, what: str, required: bool = True) -> tuple[str | None, str | None]:
    if raw is None or not raw.strip():
        if required:
            raise bad("missing_name", f"نام خالی است ({what})", f"{what} is empty")
        return None, None
    stored, key = name_forms(raw)
    if not key or len(stored) > 100:
        raise bad("bad_name", f"نام نامعتبر است: {raw}", f"{what} is not a valid name: {raw!r}")
    return stored, key


def _aware(at: datetime | None, what: str) -> str | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise bad("naive_time", f"زمان بدون منطقهٔ زمانی: {what}", f"{what} has no time zone")
    return utc_text(at)


def office_data(record: OfficeRecord) -> dict[str, Any]:
    if record.kind not in OFFICE_KINDS:
        raise bad(
            "bad_office_kind",
            f"نوع دفتر نامعتبر: {record.kind}",
            f"unknown office kind {record.kind!r}",
        )
    if record.county is not None:
        check_county(record.county, f"office {record.code}")
    if not record.code or len(record.code) > 16:
        raise bad(
            "bad_office_code", f"کد دفتر نامعتبر: {record.code}", f"bad office code {record.code!r}"
        )
    for prefix, _ in record.prefixes:
        if prefix not in places.office_prefixes():
            raise bad(
                "unknown_prefix", f"پیشوند ناشناخته: {prefix}", f"unknown office prefix {prefix!r}"
            )
    return {
        "code": record.code,
        "kind": record.kind,
        "name_fa": normalize(record.name_fa),
        "county": record.county,
        "province": record.province,
        "prefixes": [{"prefix": p, "synthetic": s} for p, s in record.prefixes],
    }


def person_data(record: PersonRecord, prefixes: Collection[str]) -> dict[str, Any]:
    code = check_code(record.national_code, prefixes)
    first, first_key = check_name(record.first_name, "first name")
    last, last_key = check_name(record.last_name, "last name")
    father_name, father_key = check_name(record.father_name, "father's name", required=False)
    check_sex(record.sex)
    check_faith(record.religion, record.school)
    _check_dates(record)
    for parent in (record.father, record.mother):
        if parent is not None:
            check_code(parent, prefixes, "parent's national code")
    return {
        "national_code": code,
        "first_name": first,
        "first_name_raw": record.first_name,
        "first_name_key": first_key,
        "last_name": last,
        "last_name_raw": record.last_name,
        "last_name_key": last_key,
        "father_name": father_name,
        "father_name_raw": record.father_name,
        "father_name_key": father_key,
        "sex": record.sex,
        "birth_date": record.birth_date.isoformat(),
        "birth_at": _aware(record.birth_at, "birth time"),
        "birth_county": check_county(record.birth_county, "birth county"),
        "birth_registered_at": _aware(record.birth_registered_at, "birth registration time"),
        "registering_office": record.registering_office,
        "booklet_series": record.booklet_series,
        "booklet_serial": record.booklet_serial,
        "residence_county": check_county(record.residence_county, "residence county"),
        "religion": record.religion,
        "school": record.school,
        "status": "deceased" if record.death_date else "alive",
        "death_date": record.death_date.isoformat() if record.death_date else None,
        "death_at": _aware(record.death_at, "death time"),
        "death_place": record.death_place,
        "death_registered_at": _aware(record.death_registered_at, "death registration time"),
        "father": record.father,
        "mother": record.mother,
    }


def check_sex(sex: str | None) -> None:
    if sex not in ("male", "female"):
        raise bad("bad_sex", f"جنسیت نامعتبر: {sex}", f"sex must be male or female, not {sex!r}")


RELIGIONS, SCHOOLS = ("muslim", "other"), ("shia", "sunni", "none")


def check_faith(religion: str | None, school: str | None) -> None:
    if religion not in RELIGIONS or school not in SCHOOLS:
        raise bad(
            "bad_religion",
            "دین یا مذهب نامعتبر است",
            "religion must be muslim/other, school shia/sunni/none",
        )


def _check_dates(record: PersonRecord) -> None:
    if not isinstance(record.birth_date, date) or isinstance(record.birth_date, datetime):
        raise bad("bad_date", "تاریخ تولد نامعتبر است", "birth_date must be a date")
    if record.death_date is not None and record.death_date < record.birth_date:
        raise bad(
            "death_before_birth",
            "تاریخ فوت پیش از تاریخ تولد است",
            "death date is before birth date",
        )
    if record.death_date is None and (
        record.death_at or record.death_place or record.death_registered_at
    ):
        raise bad(
            "death_without_date", "اطلاعات فوت بدون تاریخ فوت", "death details without a death date"
        )


def marriage_data(record: MarriageRecord, prefixes: Collection[str]) -> dict[str, Any]:
    check_code(record.husband, prefixes, "husband's national code")
    check_code(record.wife, prefixes, "wife's national code")
    if record.kind not in ("permanent", "temporary"):
        raise bad(
            "bad_marriage_kind",
            "نوع ازدواج نامعتبر است",
            f"kind must be permanent or temporary, not {record.kind!r}",
        )
    if (record.kind == "temporary") != (record.term_end is not None):
        raise bad(
            "bad_term",
            "مدت فقط برای ازدواج موقت است",
            "a term is given exactly for temporary marriages",
        )
    if (record.ended_at is None) != (record.end_reason is None):
        raise bad(
            "bad_end",
            "پایان ازدواج باید با علت آن ثبت شود",
            "an end needs both a time and a reason",
        )
    if record.end_reason is not None and record.end_reason not in END_REASONS:
        raise bad(
            "bad_end_reason",
            f"علت پایان نامعتبر: {record.end_reason}",
            f"unknown end reason {record.end_reason!r}",
        )
    return {
        "id": record.id,
        "husband": record.husband,
        "wife": record.wife,
        "kind": record.kind,
        "term_end": record.term_end.isoformat() if record.term_end else None,
        "registered_at": _aware(record.registered_at, "marriage registration time"),
        "office": record.office,
        "ended_at": _aware(record.ended_at, "marriage end time"),
        "end_reason": record.end_reason,
        "waiting_period_end": record.waiting_period_end.isoformat()
        if record.waiting_period_end
        else None,
        "returns": [
            _return_data(i, divorced, returned) for i, divorced, returned in record.returns
        ],
    }


def mobile_data(record: MobileRecord, prefixes: Collection[str]) -> dict[str, Any]:
    mobile = record.mobile
    if not (len(mobile) == 11 and mobile.startswith("09") and mobile.isdigit()):
        raise bad(
            "bad_mobile",
            f"شمارهٔ همراه نامعتبر: {mobile}",
            f"mobile must be 11 digits starting 09, not {mobile!r}",
        )
    return {
        "mobile": mobile,
        "national_code": check_code(record.national_code, prefixes),
        "operator": record.operator,
        "reported_at": _aware(record.reported_at, "report time"),
    }


def _return_data(return_id: int, divorced_at: datetime, returned_at: datetime) -> dict[str, Any]:
    if returned_at <= divorced_at:
        raise bad(
            "return_before_divorce", "رجوع پیش از طلاق است", "a return must follow its divorce"
        )
    return {
        "id": return_id,
        "divorced_at": _aware(divorced_at, "divorce time"),
        "returned_at": _aware(returned_at, "return time"),
    }


def import_entry(record: ImportRecord, prefixes: Collection[str], actor: str) -> NewEntry:
    """The ledger entry importing `record`. An office adds its prefixes to `prefixes` (a
    set), so the persons after it may carry codes of that office."""
    match record:
        case PersonRecord():
            data = person_data(record, prefixes)
            return NewEntry("person.imported", data["national_code"], data, actor)
        case MarriageRecord():
            data = marriage_data(record, prefixes)
            return NewEntry("marriage.imported", str(record.id), data, actor)
        case MobileRecord():
            data = mobile_data(record, prefixes)
            return NewEntry("mobile.reported", data["national_code"], data, actor)
        case OfficeRecord():
            data = office_data(record)
            if not isinstance(prefixes, set):
                raise TypeError("offices are imported in order, before any chunk of records")
            prefixes.update(p for p, _ in record.prefixes)
            return NewEntry("office.registered", record.code, data, actor)
    raise bad("bad_record", "رکورد ناشناخته", f"cannot import {type(record).__name__}")
