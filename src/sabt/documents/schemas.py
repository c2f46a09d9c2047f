"""Input models of the documents endpoints (strict)."""

from pydantic import BaseModel, ConfigDict, Field

from sabt.kit.params import INT_MAX


class VerifyIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"token": "eyJhbGciOiJFUzI1NiIsImtpZCI6ImRvYy0uLi4ifQ.e30.sig"}]})  # fmt: skip
    token: str = Field(min_length=10, max_length=4000, description="the QR's compact JWS or URL")


class RevokeIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"reason": "صدور نادرست به تشخیص کارشناس"}]})  # fmt: skip
    reason: str = Field(min_length=3, max_length=500)
    replaced_by: str | None = Field(default=None, max_length=24)


class DocumentIssueIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "examples": [{"kind": "birth", "national_code": "0499370899"}]})  # fmt: skip
    kind: str
    national_code: str
    marriage_id: int | None = Field(default=None, ge=1, le=INT_MAX)
