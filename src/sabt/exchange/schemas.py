"""What agencies and administrators send to the exchange's API."""

from pydantic import BaseModel, ConfigDict, Field

NAME = Field(default=None, max_length=100)
PURPOSE = Field(min_length=3, max_length=300, description="why: shown to the citizen")
MAX_LIFE_CODES = 10_000


class PersonCheckIn(BaseModel):
    """Is this the register's person? The national code (or a VID) and at least one detail; names in
    any Persian or Arabic spelling, the birth date Jalali (any digits) or ISO."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"national_code": "0499370899", "first_name": "علی", "last_name": "محمدی",
         "birth_date": "1370/05/12", "purpose": "افتتاح حساب"},
    ]})  # fmt: skip
    national_code: str | None = Field(default=None, max_length=20)
    vid: str | None = Field(default=None, max_length=24, description="a virtual ID instead")
    first_name: str | None = NAME
    last_name: str | None = NAME
    father_name: str | None = NAME
    birth_date: str | None = Field(default=None, max_length=10)
    booklet_serial: str | None = Field(default=None, max_length=10)
    purpose: str = PURPOSE


class AgencyIn(BaseModel):
    """A new agency: its keys (a public JWKS), what it may call and receive, and why."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"code": "bank-melli", "name_fa": "بانک ملی ایران",
         "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…", "kid": "1"}]},
         "services": ["verify", "life-status"], "attributes": [],
         "legal_basis": "قانون مبارزه با پولشویی، مادهٔ ۷", "per_second": 200,
         "per_day": 1000000},
    ]})  # fmt: skip
    code: str = Field(max_length=40)
    name_fa: str = Field(max_length=200)
    jwks: dict[str, object]
    services: list[str] = Field(max_length=10)
    attributes: list[str] = Field(default_factory=list, max_length=20)
    legal_basis: str = Field(max_length=1000)
    per_second: int = Field(default=50, ge=1, le=100_000)
    per_day: int = Field(default=100_000, ge=1, le=1_000_000_000)
    relying_party: str | None = Field(
        default=None, max_length=40,
        description="its HODA relying party's client_id: a citizen's token issued to it is"
        " the citizen's consent to this agency's eKYC",
    )  # fmt: skip


class LifeStatusIn(BaseModel):
    """Alive or deceased: one national code, or up to 10,000."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"national_codes": ["0499370899", "0012345679"], "purpose": "پرداخت مستمری"},
    ]})  # fmt: skip
    national_code: str | None = Field(default=None, max_length=20)
    national_codes: list[str] | None = Field(default=None, min_length=1, max_length=MAX_LIFE_CODES)
    purpose: str = PURPOSE


class EkycIn(BaseModel):
    """The attributes the agency is granted, for a person who consented through HODA (the
    access token the citizen gave the agency) or, for an agency granted eKYC by law, under
    its legal basis with a case reference."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"hoda_token": "…", "purpose": "افتتاح حساب"},
        {"national_code": "0499370899", "case_reference": "پرونده ۱۴۰۵/۱۲۳", "purpose": "دادرسی"},
    ]})  # fmt: skip
    national_code: str | None = Field(default=None, max_length=20)
    vid: str | None = Field(default=None, max_length=24)
    hoda_token: str | None = Field(default=None, max_length=200)
    case_reference: str | None = Field(default=None, max_length=100)
    purpose: str = PURPOSE
