"""Records that enter the register through `service.bulk_import`, and API output models."""

from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from sabt.persian.jalali import format_fa
from sabt.registry.models import Person

OFFICE_KINDS = (
    "civil_registration", "hospital", "marriage_notary", "divorce_notary", "service_counter",
    "consulate", "forensic_medicine",
)  # fmt: skip
END_REASONS = (
    "divorce_revocable", "divorce_irrevocable", "death", "term_expired", "term_waived",
    "annulment",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class OfficeRecord:
    code: str
    kind: str
    name_fa: str
    county: str | None
    province: str | None
    prefixes: tuple[tuple[str, bool], ...] = ()  # (prefix, synthetic)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    national_code: str
    first_name: str
    last_name: str
    father_name: str | None
    sex: str  # male / female
    birth_date: date  # Asia/Tehran civil date
    birth_county: str
    residence_county: str
    religion: str = "muslim"
    school: str = "shia"
    birth_at: datetime | None = None  # aware; None when only the day is known
    birth_registered_at: datetime | None = None
    registering_office: str | None = None
    booklet_series: str | None = None
    booklet_serial: str | None = None
    death_date: date | None = None
    death_at: datetime | None = None
    death_place: str | None = None
    death_registered_at: datetime | None = None
    father: str | None = None
    mother: str | None = None


@dataclass(frozen=True, slots=True)
class MarriageRecord:
    id: int
    husband: str
    wife: str
    kind: str  # permanent / temporary
    registered_at: datetime
    office: str | None = None
    term_end: date | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    waiting_period_end: date | None = None
    # Revocable divorces undone by a return: (id, divorced_at, returned_at).
    returns: tuple[tuple[int, datetime, datetime], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class MobileRecord:
    mobile: str
    national_code: str
    operator: str
    reported_at: datetime


ImportRecord = OfficeRecord | PersonRecord | MarriageRecord | MobileRecord


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    national_code: str
    first_name: str
    last_name: str
    father_name: str | None
    sex: str
    birth_date: date
    birth_date_jalali: str
    birth_county: str
    residence_county: str
    religion: str
    school: str
    status: str
    death_date: date | None
    death_date_jalali: str | None
    father_national_code: str | None
    mother_national_code: str | None

    @classmethod
    def of(cls, person: "Person") -> "PersonOut":
        return cls(
            national_code=person.national_code, first_name=person.first_name,
            last_name=person.last_name, father_name=person.father_name, sex=person.sex,
            birth_date=person.birth_date, birth_date_jalali=format_fa(person.birth_date),
            birth_county=person.birth_county, residence_county=person.residence_county,
            religion=person.religion, school=person.school, status=person.status,
            death_date=person.death_date,
            death_date_jalali=format_fa(person.death_date) if person.death_date else None,
            father_national_code=person.father_code, mother_national_code=person.mother_code,
        )  # fmt: skip
