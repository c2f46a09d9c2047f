"""HODA against an independent, certified relying party: panva's openid-client (from the
npm registry, run with the machine's node). It discovers the provider, sends the citizen
to the login pages (our scripted browser goes through them), redeems the code with PKCE,
checks the ID token's signature against the JWKS and its claims (issuer, audience, nonce,
times), and fetches userinfo."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.identity.oidc_support import Browser, add_agency, live_server, step
from tests.identity.test_hoda import ALI_MOBILE, PASSWORD, enrol
from tests.registration.conftest import client
from tests.registration.support import C

__all__ = ["client"]
RELYING_PARTY = Path(__file__).parent / "oidc_client"
CALLBACK = "http://127.0.0.1:9/after-hoda"


def test_openid_client_completes_the_code_flow(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    if not (RELYING_PARTY / "node_modules" / "openid-client").is_dir():
        pytest.fail(f"openid-client is not installed: run `npm ci --prefix {RELYING_PARTY}`")
    enrol(client, tmp_path)
    client_id, secret = add_agency(engine, "bank-tejarat", CALLBACK, name="بانک تجارت")
    with live_server(db_url, tmp_path) as base:
        env = {**os.environ, "ISSUER": base, "CLIENT_ID": client_id, "CLIENT_SECRET": str(secret),
               "REDIRECT_URI": CALLBACK, "SCOPE": "openid profile phone"}  # fmt: skip
        rp = subprocess.Popen(
            ["node", str(RELYING_PARTY / "relying_party.mjs")], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert rp.stdout is not None and rp.stdin is not None
        first = rp.stdout.readline()
        assert first, rp.stderr.read() if rp.stderr else ""
        url = json.loads(first)["authorization_url"]
        back = Browser(base, tmp_path).sign_in(url, C["ali"], PASSWORD, ALI_MOBILE)
        assert step(back) == "redirect", back.text
        out, errors = rp.communicate(back.headers["location"] + "\n", timeout=60)
    assert rp.returncode == 0, errors
    result = json.loads(out.strip().splitlines()[-1])
    claims, userinfo = result["claims"], result["userinfo"]
    assert claims["iss"] == base and claims["aud"] == client_id
    assert claims["acr"] == "urn:sabt:acr:password+otp" and claims["auth_time"]
    assert result["header"]["alg"] == "RS256" and result["header"]["kid"]
    assert userinfo["sub"] == claims["sub"] and userinfo["phone_number"] == "+989121234567"
    assert userinfo["birthdate"] == "1975-01-04" and "national_code" not in userinfo
