"""What SAHIM's pages show, as plain rows of Persian text (pure: no I/O, no framework).
Dates are Jalali in Persian digits; places by their Persian names."""

from dataclasses import dataclass

from sabt.persian import places
from sabt.persian.digits import to_persian
from sabt.persian.jalali import format_fa
from sabt.registry.models import Person

SEX_FA = {"male": "مرد", "female": "زن"}


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    ltr: bool = False  # codes and serials read left to right inside the RTL page


def place_fa(county_code: str | None) -> str:
    """'شهرستان، استان' of a county code, or '—' when the register has none."""
    county = places.counties().get(county_code or "")
    if county is None:
        return "—"
    province = places.provinces().get(county.province_iso)
    return f"{county.name_fa}، {province.name_fa}" if province else county.name_fa


def booklet_fa(person: Person) -> str:
    parts = [p for p in (person.booklet_series, person.booklet_serial) if p]
    return to_persian("-".join(parts)) if parts else "—"


def identity_rows(person: Person, parents: list[Person]) -> list[Row]:
    """The booklet's page of identity, as the register holds it today."""
    mother = next((p for p in parents if p.national_code == person.mother_code), None)
    rows = [
        Row("کد ملی", to_persian(person.national_code), ltr=True),
        Row("نام", person.first_name),
        Row("نام خانوادگی", person.last_name),
        Row("نام پدر", person.father_name or "—"),
        Row("نام مادر", f"{mother.first_name} {mother.last_name}" if mother else "—"),
        Row("جنسیت", SEX_FA.get(person.sex, "—")),
        Row("تاریخ تولد", format_fa(person.birth_date)),
        Row("محل تولد", place_fa(person.birth_county)),
        Row("سری و سریال شناسنامه", booklet_fa(person), ltr=True),
        Row("محل سکونت", place_fa(person.residence_county)),
    ]
    if person.status == "deceased" and person.death_date:
        rows.append(Row("تاریخ فوت", format_fa(person.death_date)))
    return rows
