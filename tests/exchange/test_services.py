"""Life status (one code or a list, each malformed code with its own error), eKYC (by the
citizen's HODA consent to this agency, or by law with a case reference; only granted
attributes; the citizen's lock) and virtual IDs (made and revoked by the citizen; an
agency never learns the national code unless granted it, and gets its own pseudonym)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.exchange import vids
from sabt.exchange.models import EkycLock
from sabt.identity.models import AccessLog
from sabt.kit import clock
from sabt.persian import national_code
from sabt.registry.models import Person
from tests.exchange.support import ALI, VERIFY, agency_headers
from tests.identity.test_oidc import Hoda, code_flow, op
from tests.registration.support import C

__all__ = ["op"]
LIFE = "/api/v1/exchange/life-status"
EKYC = "/api/v1/exchange/ekyc"
CASE = {"case_reference": "پرونده ۱۴۰۵/۷۷", "purpose": "رسیدگی قضایی"}


def outcomes(engine: Engine, action: str) -> list[tuple[str, str | None]]:
    with Session(engine) as s:
        rows = s.execute(select(AccessLog.subject, AccessLog.outcome)
                         .where(AccessLog.action == action).order_by(AccessLog.id))  # fmt: skip
        return [(a, b) for a, b in rows]


def test_life_status_of_one_code_or_a_list(client: TestClient, engine: Engine) -> None:
    headers = agency_headers(client, engine, "pension", ["life-status"])
    one = client.post(LIFE, json={"national_code": C["ali"], "purpose": "مستمری"}, headers=headers)
    assert one.status_code == 200, one.text
    assert one.json()["results"] == [{"national_code": C["ali"], "status": "alive"}]
    stranger = national_code.allocate("001", 987)
    many = [C["zahra"], "1234567890", stranger, C["ali"], C["ali"]]
    answer = client.post(LIFE, json={"national_codes": many, "purpose": "مستمری"}, headers=headers)
    results = answer.json()["results"]
    with Session(engine) as s:
        died = s.get_one(Person, C["zahra"]).death_date
    assert died is not None
    assert results[0] == {"national_code": C["zahra"], "status": "deceased",
                          "death_date": died.isoformat(),
                          "death_date_jalali": results[0]["death_date_jalali"]}  # fmt: skip
    assert results[1]["error"]["code"] == "invalid_national_code"
    assert results[1]["error"]["message_fa"] and results[1]["national_code"] == "1234567890"
    assert results[2] == {"national_code": stranger, "status": "unknown"}
    assert [r.get("status") for r in results[3:]] == ["alive", "alive"]
    # one access row per registered person per call, none for the stranger
    assert outcomes(engine, "exchange.life-status") == [
        (C["ali"], "alive"), (C["zahra"], "deceased"), (C["ali"], "alive")]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"national_code": "123", "purpose": "مستمری"}, 422, "invalid_national_code"),
        ({"purpose": "مستمری"}, 422, "one_or_list"),
        ({"national_codes": [], "purpose": "مستمری"}, 422, "invalid_request"),
        ({"national_codes": [C["ali"]] * 10_001, "purpose": "مستمری"}, 422, "invalid_request"),
    ],
)
def test_life_status_refuses_bad_requests_and_writes_nothing(
    client: TestClient, engine: Engine, body: dict[str, Any], status: int, code: str
) -> None:
    headers = agency_headers(client, engine, "pension", ["life-status"])
    answer = client.post(LIFE, json=body, headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert outcomes(engine, "exchange.life-status") == []
    bank = agency_headers(client, engine, "bank", ["verify"])
    refused = client.post(LIFE, json={"national_code": C["ali"], "purpose": "x" * 5}, headers=bank)
    assert (refused.status_code, refused.json()["code"]) == (403, "service_not_granted")


def test_ekyc_by_law_releases_only_granted_attributes(client: TestClient, engine: Engine) -> None:
    court = agency_headers(client, engine, "court", ["ekyc-by-law"],
                           attributes=["first_name", "birth_date", "life_status"])  # fmt: skip
    answer = client.post(EKYC, json={"national_code": C["ali"], **CASE}, headers=court)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["found"] is True and len(body["agency_token"]) == 43
    assert set(body["attributes"]) == {"first_name", "birth_date", "birth_date_jalali",
                                       "life_status"}  # fmt: skip
    assert body["attributes"]["birth_date_jalali"] == "1353/10/14"
    assert "national_code" not in body["attributes"] and "last_name" not in body["attributes"]
    with Session(engine) as s:
        [purpose] = s.scalars(select(AccessLog.purpose).where(AccessLog.action == "exchange.ekyc"))
    assert purpose == "رسیدگی قضایی (پرونده پرونده ۱۴۰۵/۷۷)"
    no_case = client.post(EKYC, json={"national_code": C["ali"], "purpose": "رسیدگی"},
                          headers=court)  # fmt: skip
    assert (no_case.status_code, no_case.json()["code"]) == (422, "no_case_reference")
    bank = agency_headers(client, engine, "bank", ["ekyc"], attributes=["first_name"])
    refused = client.post(EKYC, json={"national_code": C["ali"], **CASE}, headers=bank)
    assert (refused.status_code, refused.json()["code"]) == (403, "service_not_granted")
    without = client.post(EKYC, json={"national_code": C["ali"], "hoda_token": "forged-token",
                                      "purpose": "افتتاح حساب"}, headers=bank)  # fmt: skip
    assert (without.status_code, without.json()["code"]) == (403, "no_consent")
    assert len(outcomes(engine, "exchange.ekyc")) == 1


def test_a_citizens_lock_lets_no_attribute_leave(client: TestClient, engine: Engine) -> None:
    police = agency_headers(client, engine, "police", ["ekyc-by-law", "verify"],
                            attributes=["first_name"])  # fmt: skip
    tax = agency_headers(client, engine, "tax", ["ekyc-by-law"], attributes=["first_name"])
    with Session(engine) as s, s.begin():
        s.add(EkycLock(national_code=C["ali"], agency="police", locked_at=clock.now()))
    locked = client.post(EKYC, json={"national_code": C["ali"], **CASE}, headers=police).json()
    assert locked["locked"] is True and "attributes" not in locked
    assert client.post(EKYC, json={"national_code": C["ali"], **CASE},
                       headers=tax).json()["attributes"] == {"first_name": "علی"}  # fmt: skip
    assert client.post(VERIFY, json=ALI, headers=police).json()["match"] is True  # still answers
    with Session(engine) as s, s.begin():
        s.add(EkycLock(national_code=C["ali"], agency="*", locked_at=clock.now()))
    assert client.post(EKYC, json={"national_code": C["ali"], **CASE},
                       headers=tax).json()["locked"] is True  # fmt: skip
    assert [o for _, o in outcomes(engine, "exchange.ekyc")] == ["locked", "released:law", "locked"]


def test_virtual_ids_stand_for_the_citizen_until_revoked(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as s, s.begin():
        first = vids.make_vid(s, C["ali"])
        second = vids.make_vid(s, C["ali"])  # replaces the first
    assert len(second) == 16 and second != first and vids.parse_vid(second) == second
    bank = agency_headers(client, engine, "bank", ["verify", "ekyc-by-law"],
                          attributes=["first_name"])  # fmt: skip
    court = agency_headers(client, engine, "court", ["ekyc-by-law"], attributes=["national_code"])
    by_vid = {k: v for k, v in ALI.items() if k != "national_code"}
    assert client.post(VERIFY, json={**by_vid, "vid": second}, headers=bank).json()["match"]
    assert not client.post(VERIFY, json={**by_vid, "vid": first}, headers=bank).json()["match"]
    grouped = f"{second[:4]}-{second[4:8]} {second[8:12]} {second[12:]}"
    bank_view = client.post(EKYC, json={"vid": grouped, **CASE}, headers=bank).json()
    court_view = client.post(EKYC, json={"vid": second, **CASE}, headers=court).json()
    assert "national_code" not in bank_view["attributes"]  # not granted to the bank
    assert court_view["attributes"]["national_code"] == C["ali"]
    assert bank_view["agency_token"] != court_view["agency_token"]  # cannot be joined
    again = client.post(EKYC, json={"national_code": C["ali"], **CASE}, headers=bank).json()
    assert again["agency_token"] == bank_view["agency_token"]  # stable for one agency
    with Session(engine) as s, s.begin():
        assert vids.revoke(s, C["ali"])
    assert not client.post(VERIFY, json={**by_vid, "vid": second}, headers=bank).json()["match"]
    revoked = client.post(EKYC, json={"vid": second, **CASE}, headers=bank).json()
    assert set(revoked) == {"found", "transaction_id"} and revoked["found"] is False
    assert "revoked_vid" in [o for _, o in outcomes(engine, "exchange.verify")]
    assert "revoked_vid" in [o for _, o in outcomes(engine, "exchange.ekyc")]


@pytest.mark.parametrize("vid", ["1234", "1234567890123456", "0" * 16, "12345678901234ab"])
def test_a_malformed_vid_is_refused(client: TestClient, engine: Engine, vid: str) -> None:
    bank = agency_headers(client, engine, "bank", ["verify"])
    body = {"vid": vid, "first_name": "علی", "purpose": "افتتاح حساب"}
    answer = client.post(VERIFY, json=body, headers=bank)
    assert (answer.status_code, answer.json()["code"]) == (422, "bad_vid"), answer.text
    both = client.post(VERIFY, json={**body, "national_code": C["ali"]}, headers=bank)
    assert (both.status_code, both.json()["code"]) == (422, "one_identifier")


def test_ekyc_with_the_citizens_consent_through_hoda(
    op: Hoda, client: TestClient, engine: Engine
) -> None:
    rp, secret = op.agency("bank-melli", name="بانک ملی ایران")
    other_rp, other_secret = op.agency("bank-sepah", name="بانک سپه")
    bank = agency_headers(client, engine, "bank-melli", ["ekyc"], relying_party=rp,
                          attributes=["first_name", "last_name", "residence_county"])  # fmt: skip
    token, _ = code_flow(op, op.authlib(rp, secret))
    consent = {"hoda_token": token["access_token"], "purpose": "افتتاح حساب"}
    answer = client.post(EKYC, json=consent, headers=bank)
    assert answer.status_code == 200, answer.text
    attributes = answer.json()["attributes"]
    assert (attributes["first_name"], attributes["last_name"]) == ("علی", "محمدی")
    assert set(attributes["residence_county"]) == {"code", "name_fa"}
    other_token, _ = code_flow(op, op.authlib(other_rp, other_secret))
    refused = [
        client.post(EKYC, json={**consent, "hoda_token": other_token["access_token"]},
                    headers=bank),  # another agency's consent
        client.post(EKYC, json={**consent, "national_code": C["zahra"]}, headers=bank),
    ]  # fmt: skip
    assert [(r.status_code, r.json()["code"]) for r in refused] == [
        (403, "no_consent"), (403, "consent_other_person")]  # fmt: skip
    assert outcomes(engine, "exchange.ekyc") == [(C["ali"], "released:consent")]
