"""What staff send to the estates API."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DeclarationIn(BaseModel):
    """What the register cannot know, recorded on an estate by a registrar."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"pregnancy_reference": "پزشکی قانونی تهران ۱۴۰۴/۱۲۳۴"},
        {"missing": ["0499370899"]},
        {"will_reference": "وصیت‌نامهٔ رسمی دفتر ۱۲ تهران، شمارهٔ ۵۶۷۸"},
    ]})  # fmt: skip
    pregnancy_reference: str | None = Field(default=None, description="the forensic certificate")
    missing: list[str] | None = Field(
        default=None, max_length=20, description="national codes of missing heirs (Art. 879)"
    )
    will_reference: str | None = Field(default=None, description="a declared will's reference")


class EstateIssueIn(BaseModel):
    """A registrar issues a queued estate; with gaps, `review` says what their review found."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {}, {"review": "پدر متوفی در ۱۳۷۰ فوت کرده؛ خواهر و برادری ندارد"}]})  # fmt: skip
    review: str | None = Field(default=None, max_length=500)


class ChangeIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    national_code: str
    field: str
    new_value: str


class DecisionIn(BaseModel):
    """The board's decision on an objection: reject, or correct the register."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"decision": "reject", "note": "مدارک پیوست وراثت معترض را ثابت نمی‌کند"},
        {"decision": "correct", "note": "شناسنامهٔ معترض فرزندی متوفی را نشان می‌دهد",
         "corrections": [{"national_code": "0499370899", "field": "father_code",
                          "new_value": "0010000046"}]},
    ]})  # fmt: skip
    decision: Literal["reject", "correct"]
    note: str = Field(min_length=10, max_length=2000)
    corrections: list[ChangeIn] = Field(default_factory=list, max_length=10)
