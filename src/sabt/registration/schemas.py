"""Input models of the registration endpoints (strict: no silent coercion)."""

from typing import Any

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
