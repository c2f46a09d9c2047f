"""Input models of the registration endpoints (strict: no silent coercion)."""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    """The plain-JSON birth notification of contracts/birth-notification.md."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [BIRTH_EXAMPLE]})  # fmt: skip
    notification_id: str = Field(min_length=1, max_length=64)
    hospital: str = Field(min_length=1, max_length=16)
    born_at: AwareDatetime
    sex: str
    weight_g: int | None = None
    plurality: int = 1
    birth_order: int = 1
    stillborn: bool = False
    mother_national_code: str
    father_national_code: str | None = None
    proposed_first_name: str | None = Field(default=None, max_length=100)


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
    """The plain-JSON death notification of contracts/birth-notification.md."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [DEATH_EXAMPLE]})  # fmt: skip
    notification_id: str = Field(min_length=1, max_length=64)
    reporter: str = Field(min_length=1, max_length=16)
    national_code: str
    died_at: AwareDatetime
    place: DeathPlaceJSON
    cause_icd10: str | None = None


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
