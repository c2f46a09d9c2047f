"""Input and output models of the authorisation core's endpoints."""

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
