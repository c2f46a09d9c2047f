"""Input and output models of the authorisation core's endpoints."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class StaffLogin(BaseModel):
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={
            "examples": [{"username": "registrar-1", "password": "…", "totp": "123456"}]
        },
    )
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    totp: str = Field(min_length=6, max_length=8, description="code from the authenticator app")


class CitizenLogin(BaseModel):
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={"examples": [{"national_code": "0499370899", "password": "…"}]},
    )
    national_code: str = Field(min_length=10, max_length=10)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class EnrolIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "national_code": "0499370899", "birth_date": "1384/07/17", "booklet_serial": "123456",
        "mobile": "09121234567"}]})  # fmt: skip
    national_code: str = Field(min_length=10, max_length=10)
    birth_date: str = Field(min_length=8, max_length=10, description="Jalali, 1384/07/17")
    booklet_serial: str = Field(min_length=6, max_length=6)
    mobile: str = Field(min_length=11, max_length=11, description="a number in your name")


class EnrolConfirmIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "challenge": "…", "otp": "123456", "password": "a long passphrase"}]})  # fmt: skip
    challenge: str = Field(min_length=10, max_length=64)
    otp: str = Field(min_length=6, max_length=6)
    password: str = Field(min_length=1, max_length=200)


class HodaLoginIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "national_code": "0499370899", "password": "a long passphrase"}]})  # fmt: skip
    national_code: str = Field(min_length=1, max_length=10)
    password: str = Field(min_length=1, max_length=200)


class OtpIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "challenge": "…", "otp": "123456"}]})  # fmt: skip
    challenge: str = Field(min_length=10, max_length=64)
    otp: str = Field(min_length=6, max_length=6)


class RelyingPartyIn(BaseModel):
    """An agency that logs citizens in through HODA (an OpenID Connect relying party)."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "بانک ملی ایران",
                    "sector": "bank-melli",
                    "redirect_uris": ["https://bmi.example/callback"],
                }
            ]
        },
    )
    name: str = Field(min_length=2, max_length=200)
    sector: str = Field(min_length=2, max_length=80, description="clients of one agency share it")
    redirect_uris: list[str] = Field(min_length=1, max_length=20)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, max_length=20)
    jwks: dict[str, Any] | None = Field(None, description="public keys: private_key_jwt")
    public: bool = Field(False, description="no secret: PKCE only (apps on phones)")
    first_party: bool = Field(False, description="the registry's own portal")
    id_token_signed_response_alg: Literal["RS256", "ES256"] = "RS256"


class AccountStateIn(BaseModel):
    """An account to disable or enable again: a staff member's username, an organisation's
    client_id or a citizen's national code (in the body, never in the URL)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [{
        "kind": "staff", "id": "registrar-12", "reason": "پایان همکاری"}]})  # fmt: skip
    kind: Literal["staff", "client", "citizen"]
    id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=300, description="kept in the audit")
