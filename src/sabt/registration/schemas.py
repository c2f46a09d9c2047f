"""Input models of the registration endpoints (strict: no silent coercion)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sabt.kit.params import INT_MAX, Day, Instant

NAME_MAX = 100  # the longest name either encoding of a notification carries

BIRTH_EXAMPLE: dict[str, Any] = {
    "notification_id": "N-2026-000123",
    "hospital": "H-0101",
    "born_at": "2026-11-20T10:35:00+03:30",
    "sex": "female",
    "weight_g": 3250,
    "plurality": 2,
    "birth_order": 1,
    "stillborn": False,
    "mother_national_code": "0499370899",
    "father_national_code": "0076229645",
    "proposed_first_name": "آوا",
}


class BirthNotificationJSON(BaseModel):
    """The plain-JSON birth notification of docs/contracts/birth-notification.md."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [BIRTH_EXAMPLE]})  # fmt: skip
    notification_id: str = Field(min_length=1, max_length=64)
    hospital: str = Field(min_length=1, max_length=16)
    born_at: Instant
    sex: str
    # the range each must fall in is the service's check (bad_weight, bad_plurality)
    weight_g: int | None = Field(default=None, le=INT_MAX)
    plurality: int = Field(default=1, le=INT_MAX)
    birth_order: int = Field(default=1, le=INT_MAX)
    stillborn: bool = False
    mother_national_code: str
    father_national_code: str | None = None
    proposed_first_name: str | None = Field(default=None, max_length=NAME_MAX)


class Declaration(BaseModel):
    """A parent's online declaration of their newborn (Civil Registration Act Art. 16)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"first_name": "آوا"}, {}]})  # fmt: skip
    first_name: str | None = Field(
        default=None, max_length=100, description="the child's first name; else the proposed one"
    )


DEATH_EXAMPLE: dict[str, Any] = {
    "notification_id": "D-2026-000045",
    "reporter": "H-0101",
    "national_code": "0076229645",
    "died_at": "2026-11-21T04:10:00+03:30",
    "place": {"kind": "hospital", "office": "H-0101"},
    "cause_icd10": "I21.9",
}


class DeathPlaceJSON(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    kind: Literal["hospital", "home", "other", "abroad"]
    office: str | None = Field(default=None, max_length=16)
    county: str | None = Field(default=None, max_length=4)
    country: str | None = Field(default=None, max_length=2)


class DeathNotificationJSON(BaseModel):
    """The plain-JSON death notification of docs/contracts/birth-notification.md."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [DEATH_EXAMPLE]})  # fmt: skip
    notification_id: str = Field(min_length=1, max_length=64)
    reporter: str = Field(min_length=1, max_length=16)
    national_code: str
    died_at: Instant
    place: DeathPlaceJSON
    cause_icd10: str | None = None


class FhirIdentifier(BaseModel):
    system: str = Field(description="urn:sabt:notification:<your office code>")
    value: str = Field(min_length=1, max_length=64, description="the notification id")


class FhirResource(BaseModel):
    """A resource of the Bundle; its fields are FHIR R4B's (the contract lists those read)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Patient", "RelatedPerson", "Observation", "Encounter"]


class FhirEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    fullUrl: str | None = None
    resource: FhirResource


class FhirBundle(BaseModel):
    """A birth or death notification as a FHIR R4B Bundle of type `collection`
    (`Content-Type: application/fhir+json`; docs/contracts/birth-notification.md): a Patient
    (the child, or the deceased with `deceasedDateTime`), RelatedPersons MTH and FHT, an
    Observation (birth weight LOINC 8339-4, or cause of death 69453-9) and an Encounter
    naming the hospital. The service parses it with `fhir.resources`; this schema documents
    its outline for clients and fuzzers."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    identifier: FhirIdentifier
    entry: list[FhirEntry] = Field(min_length=1)


class Decision(BaseModel):
    """A registrar's approval of a queued case."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"note": "مدارک والدین بررسی شد"}]})  # fmt: skip
    note: str = Field(min_length=3, max_length=500, description="why; kept in the history")
    first_name: str | None = Field(
        default=None, max_length=100, description="for a name under review: the name to register"
    )


class Rejection(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"reason": "اعلام تکراری است"}]})  # fmt: skip
    reason: str = Field(min_length=3, max_length=500)


class CorrectionIn(BaseModel):
    """A correction a registrar files; a different senior approves it."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "national_code": "0499370899", "field": "first_name", "new_value": "لیلا",
        "legal_basis": "رأی هیئت حل اختلاف ثبت احوال شمارهٔ ۱۲۳",
        "document_ref": "HH-1403-123"}]})  # fmt: skip
    national_code: str
    field: str
    new_value: str = Field(min_length=1, max_length=100)
    legal_basis: str = Field(min_length=3, max_length=300)
    document_ref: str = Field(min_length=1, max_length=100)


class DeathRevocationIn(BaseModel):
    """A registrar files the revocation of a wrongly registered death; a different senior
    approves it in the queue."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "national_code": "0499370899",
        "reason": "شخص با شناسنامه و حضور در اداره زنده بودن خود را نشان داد",
        "document_ref": "صورت‌جلسهٔ ۱۴۰۵-۸۸"}]})  # fmt: skip
    national_code: str
    reason: str = Field(min_length=10, max_length=500)
    document_ref: str = Field(min_length=1, max_length=100)


class LateBirthIn(BaseModel):
    """A late birth registration filed by a registrar (no hospital notified the birth)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "first_name": "رحیم", "last_name": "کریمی", "father_name": "کریم", "sex": "male",
        "born_on": "1360/04/12", "birth_county": "0101", "religion": "muslim", "school": "shia",
        "legal_basis": "رأی دادگاه شمارهٔ ۱۴۰۵-۷۷ و گواهی دو شاهد",
        "document_ref": "LB-1405-000017"}]})  # fmt: skip
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str | None = Field(
        default=None, max_length=100, description="the father's (or mother's) when not given"
    )
    father_name: str | None = Field(
        default=None, max_length=100, description="when the father is not in the register"
    )
    sex: Literal["male", "female"]
    born_on: str = Field(description="the birth date, Jalali (1360/04/12) or ISO")
    birth_county: str = Field(min_length=4, max_length=4)
    mother_national_code: str | None = None
    father_national_code: str | None = None
    religion: Literal["muslim", "other"] | None = Field(
        default=None, description="the parents' when not given; required with no parent"
    )
    school: Literal["shia", "sunni", "none"] | None = None
    legal_basis: str = Field(min_length=3, max_length=300)
    document_ref: str = Field(
        min_length=1, max_length=64, description="your office's reference; a resend under it"
        " answers the first outcome",
    )  # fmt: skip


class MarriageIn(BaseModel):
    """A marriage a notary office registers."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "husband_national_code": "0076229645", "wife_national_code": "0499370899",
        "kind": "permanent", "married_at": "2026-11-20T10:00:00+03:30",
        "reference": "MN-1405-000123"}]})  # fmt: skip
    husband_national_code: str
    wife_national_code: str
    kind: Literal["permanent", "temporary"]
    # JSON carries times and dates as text: these fields accept it under the strict model
    married_at: Instant = Field(strict=False)
    term_end: Day | None = Field(default=None, strict=False, description="temporary marriages only")
    court_permission: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="a court's permission: under age (CC 1041), a further wife, a stepdaughter",
    )  # fmt: skip
    wife_permission: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="the wife's permission to marry her niece (CC 1049)",
    )  # fmt: skip
    reference: str | None = Field(default=None, max_length=64, description="the notary's number")


class DivorceIn(BaseModel):
    """A divorce a notary office registers, on a court certificate."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "marriage_id": 4, "husband_national_code": "0076229645",
        "wife_national_code": "0499370899", "kind": "khula",
        "divorced_at": "2026-11-20T10:00:00+03:30",
        "court_certificate": "CC-1405-55"}]})  # fmt: skip
    marriage_id: int = Field(ge=1, le=INT_MAX)
    husband_national_code: str
    wife_national_code: str
    kind: Literal["revocable", "irrevocable", "khula", "mubarat"]
    divorced_at: Instant = Field(strict=False)
    court_certificate: str = Field(min_length=1, max_length=100)
    no_waiting_period: Literal["unconsummated", "menopause"] | None = Field(
        default=None, description="Civil Code 1155: no waiting period in these cases"
    )


class ReturnIn(BaseModel):
    """A return (رجوع) within a revocable divorce's waiting period."""

    model_config = ConfigDict(strict=True, extra="forbid")
    returned_at: Instant = Field(strict=False)


class WaiverIn(BaseModel):
    """The waiver of the rest of a temporary marriage's term (بذل مدت)."""

    model_config = ConfigDict(strict=True, extra="forbid")
    waived_at: Instant = Field(strict=False)
