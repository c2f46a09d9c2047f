"""An agency registered by a national administrator logs in with its own keys only
(`private_key_jwt`: Authlib's client signs the assertion; a replayed, expired, foreign-key or
other agency's assertion is refused) and verifies people yes or no: names in any Persian
spelling, the birth date Jalali or ISO; an unknown code, a hotlisted identity and a wrong
detail answer alike; `alive` only for an agency granted life status; each answer about a
registered person leaves its row, with the reason, in the citizen's access log."""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.identity import hoda
from sabt.identity.models import AccessLog
from sabt.persian import national_code
from tests.exchange.support import ALI, TOKEN, VERIFY, add_agency, assertion, login, token_answer
from tests.identity import accounts
from tests.registration.support import C, staff


def test_an_agency_logs_in_with_its_keys_only(client: TestClient, engine: Engine) -> None:
    client_id, key = add_agency(client, engine, "bank-a", ["verify"])
    other_id, other_key = add_agency(client, engine, "bank-b", ["verify"])
    signed = assertion(client_id, key)
    assert token_answer(client, client_id, signed).status_code == 200
    refused = [
        token_answer(client, client_id, signed),  # the same jti again
        token_answer(client, client_id, assertion(client_id, other_key)),  # not its key
        token_answer(client, other_id, assertion(client_id, key)),  # another agency's id
        token_answer(client, client_id, _expired(client_id, key)),
        client.post("/oauth/token", data={"grant_type": "client_credentials"},
                    auth=(client_id, "a-guessed-secret")),  # no shared secret
    ]  # fmt: skip
    for answer in refused:
        assert answer.status_code in (400, 401), (refused.index(answer), answer.text)
        assert answer.json()["error"] == "invalid_client" and answer.json()["message_fa"]


def _expired(client_id: str, key: ECKey) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN, "jti": uuid.uuid4().hex,
              "iat": now - 900, "exp": now - 600}  # fmt: skip
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({}, True),
        ({"first_name": "عَلی", "birth_date": "1975-01-04"}, True),  # diacritics, ISO date
        ({"birth_date": "۱۳۵۳/۱۰/۱۴", "booklet_serial": "۱۲۳۴۵۶"}, True),  # Persian digits
        ({"father_name": "حسن"}, True),
        ({"first_name": "علیرضا"}, False),
        ({"birth_date": "1353/10/15"}, False),
        ({"booklet_serial": "654321"}, False),
        ({"father_name": "حسین"}, False),
    ],
)
def test_yes_or_no(client: TestClient, engine: Engine, changes: dict[str, str],
                   match: bool) -> None:  # fmt: skip
    headers = login(client, *add_agency(client, engine, "bank-a", ["verify"]))
    answer = client.post(VERIFY, json={**ALI, **changes}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["match"] is match and set(answer.json()) == {"match", "transaction_id"}
    with Session(engine) as s:
        [row] = s.scalars(select(AccessLog).where(AccessLog.subject == C["ali"]))
    assert (row.action, row.purpose) == ("exchange.verify", "افتتاح حساب")
    assert (row.outcome == "match") is match


def test_unknown_hotlisted_and_wrong_answer_alike(client: TestClient, engine: Engine) -> None:
    headers = login(client, *add_agency(client, engine, "bank-a", ["verify", "life-status"]))
    stranger = national_code.allocate("001", 987)  # a well-formed code nobody holds
    with Session(engine) as s, s.begin():
        hoda.hotlist_add(s, C["amir"], "سرقت هویت گزارش شده", "test")
    amir = {**ALI, "national_code": C["amir"], "first_name": "امیر", "last_name": "محمدی"}
    answers = [
        client.post(VERIFY, json={**ALI, "national_code": stranger}, headers=headers),
        client.post(VERIFY, json=amir, headers=headers),
        client.post(VERIFY, json={**ALI, "first_name": "رضا"}, headers=headers),
    ]
    bodies = [a.json() for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert [(b["match"], b["alive"], len(b["transaction_id"])) for b in bodies] == [
        (False, False, 32)
    ] * 3
    with Session(engine) as s:
        outcomes = dict(s.execute(select(AccessLog.subject, AccessLog.outcome)).all())
    assert outcomes == {C["amir"]: "hotlisted", C["ali"]: "name_mismatch"}  # none for the stranger
    alive = client.post(VERIFY, json=ALI, headers=headers).json()
    dead = client.post(VERIFY, json={"national_code": C["zahra"], "first_name": "زهرا",
                                     "purpose": "بیمه"}, headers=headers).json()  # fmt: skip
    assert (alive["match"], alive["alive"]) == (True, True)
    assert (dead["match"], dead["alive"]) == (True, False)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**ALI, "national_code": "1234567890"}, "invalid_national_code"),  # a wrong check digit
        ({**ALI, "national_code": "12345"}, "invalid_national_code"),
        ({"national_code": C["ali"], "purpose": "افتتاح حساب"}, "no_details"),
        ({**ALI, "birth_date": "1353/13/40"}, "bad_birth_date"),
        ({**ALI, "purpose": ""}, "invalid_request"),
        ({**ALI, "ssn": "1"}, "invalid_request"),
    ],
)
def test_bad_requests_are_clear_and_log_nothing(
    client: TestClient, engine: Engine, body: dict[str, str], code: str
) -> None:
    headers = login(client, *add_agency(client, engine, "bank-a", ["verify"]))
    answer = client.post(VERIFY, json=body, headers=headers)
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    assert answer.json()["message_fa"] and answer.json()["message_en"]
    with Session(engine) as s:
        assert s.scalars(select(AccessLog)).first() is None


def test_only_agencies_granted_verify_may_call_it(client: TestClient, engine: Engine) -> None:
    headers = login(client, *add_agency(client, engine, "pension", ["life-status"]))
    refused = client.post(VERIFY, json=ALI, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "service_not_granted")
    hospital = accounts.client_headers(client, engine, "hospital", "HOSP-TEHRAN-1")
    assert client.post(VERIFY, json=ALI, headers=hospital).status_code == 403
    assert client.post(VERIFY, json=ALI).status_code == 401
    with Session(engine) as s:
        assert s.scalars(select(AccessLog)).first() is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"services": ["teleport"]}, "unknown_service"),
        ({"services": []}, "no_services"),
        ({"attributes": ["blood_type"]}, "unknown_attribute"),
        ({"legal_basis": ""}, "no_legal_basis"),
        ({"code": "Bank Melli!"}, "bad_agency_code"),
        ({"jwks": {"keys": []}}, "bad_jwks"),
    ],
)
def test_agencies_are_added_by_administrators_with_clear_refusals(
    client: TestClient, engine: Engine, changes: dict[str, Any], code: str
) -> None:
    key = ECKey.generate_key("P-256", private=True)
    body = {"code": "bank-c", "name_fa": "بانک", "services": ["verify"],
            "jwks": {"keys": [key.as_dict(private=False)]},
            "legal_basis": "قانون مبارزه با پولشویی", **changes}  # fmt: skip
    admin = staff(client, engine, "national_admin")
    answer = client.post("/api/v1/exchange/agencies", json=body, headers=admin)
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    registrar = staff(client, engine, "registrar")
    denied = client.post("/api/v1/exchange/agencies", json={**body, **{"code": "bank-d"}},
                         headers=registrar)  # fmt: skip
    assert denied.status_code == 403


def test_the_command_line_adds_an_agency_that_then_logs_in(
    client: TestClient, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    key = ECKey.generate_key("P-256", private=True)
    keys = tmp_path / "bank.jwks.json"
    keys.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    common = ["exchange", "agencies", "add", "--name", "بانک سپه", "--code", "bank-sepah",
              "--jwks", str(keys), "--legal-basis", "قانون پولی و بانکی", "--db", db_url]  # fmt: skip
    done = CliRunner().invoke(app, [*common, "--services", "verify,life-status"])
    assert done.exit_code == 0, done.output
    client_id = done.stdout.split("client_id=")[1].strip()
    assert client.post(VERIFY, json=ALI, headers=login(client, client_id, key)).json()["match"]
    for bad in (["--services", "verify,teleport"], ["--services", "verify", "--per-day", "0"]):
        refused = CliRunner().invoke(app, [*common, "--code", "bank-x", *bad])
        assert refused.exit_code == 2 and "error" in refused.stderr, refused.output
