"""Agencies for the exchange's tests: registered by a national administrator, logged in
with their own keys (Authlib's client signs the assertion)."""

from typing import Any

from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey
from sqlalchemy import Engine

from sabt.kit.settings import Settings
from tests.registration.support import C, staff

# An assertion's audience is the token endpoint at the registry's public address (the
# tests' requests reach the app at https://testserver).
TOKEN = f"{Settings.public_url}/oauth/token"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
VERIFY = "/api/v1/exchange/verify"
ALI = {"national_code": C["ali"], "first_name": "علي", "last_name": "محمدی",
       "birth_date": "1353/10/14", "purpose": "افتتاح حساب"}  # fmt: skip


def add_agency(client: TestClient, engine: Engine, code: str, services: list[str],
               **extra: Any) -> tuple[str, ECKey]:  # fmt: skip
    key = ECKey.generate_key("P-256", parameters={"kid": f"{code}-1"}, private=True)
    body = {"code": code, "name_fa": f"بانک {code}", "services": services,
            "jwks": {"keys": [key.as_dict(private=False)]},
            "legal_basis": "قانون مبارزه با پولشویی، مادهٔ ۷", **extra}  # fmt: skip
    answer = client.post("/api/v1/exchange/agencies", json=body,
                         headers=staff(client, engine, "national_admin"))  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["client_id"], key


def assertion(client_id: str, key: ECKey) -> str:
    signed: str = PrivateKeyJWT(TOKEN, alg="ES256").sign(OAuth2Client(client_id, key), TOKEN)
    return signed


def token_answer(client: TestClient, client_id: str, signed: str) -> Any:
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_assertion_type": ASSERTION, "client_assertion": signed}  # fmt: skip
    return client.post("/oauth/token", data=form)


def login(client: TestClient, client_id: str, key: ECKey) -> dict[str, str]:
    answer = token_answer(client, client_id, assertion(client_id, key))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def agency_headers(client: TestClient, engine: Engine, code: str, services: list[str],
                   **extra: Any) -> dict[str, str]:  # fmt: skip
    return login(client, *add_agency(client, engine, code, services, **extra))
