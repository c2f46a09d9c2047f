"""Corrections over HTTP: a registrar files, a different senior approves; the new value
supersedes the old, which stays in the history; bad input changes nothing."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.registry.models import Person
from tests.identity import offices
from tests.registration.support import C, ledger_size, staff

CORRECTIONS = "/api/v1/corrections"
QUEUE = "/api/v1/queue"


def correction(**changes: Any) -> dict[str, Any]:
    body = {
        "national_code": C["wife_ali"], "field": "first_name", "new_value": "لیلی",
        "legal_basis": "رأی هیئت حل اختلاف ثبت احوال شمارهٔ ۱۲۳", "document_ref": "HH-1404-123",
    }  # fmt: skip
    return {**body, **changes}


def test_a_correction_takes_two_people_and_keeps_the_old_value(
    client: TestClient, engine: Engine
) -> None:
    filer = staff(client, engine, "senior_registrar")
    registrar = staff(client, engine, "registrar")
    approver = staff(client, engine, "senior_registrar")
    filed = client.post(CORRECTIONS, json=correction(), headers=filer)
    assert filed.status_code == 201, filed.text
    case_id = filed.json()["case_id"]
    url = f"{QUEUE}/{case_id}/approve"
    size = ledger_size(engine)
    same = client.post(url, json={"note": "خودم تأیید می‌کنم"}, headers=filer)
    assert (same.status_code, same.json()["code"]) == (403, "same_person")
    junior = client.post(url, json={"note": "تأیید"}, headers=registrar)
    assert (junior.status_code, junior.json()["code"]) == (403, "missing_scope")
    assert ledger_size(engine) == size
    done = client.post(url, json={"note": "رأی هیئت دیده شد"}, headers=approver)
    assert done.status_code == 200, done.text
    assert (done.json()["old"], done.json()["new"]) == ("لیلا", "لیلی")
    with Session(engine) as s:
        person = s.get(Person, C["wife_ali"])
    assert person is not None and (person.first_name, person.first_name_key) == ("لیلی", "لیلی")
    history = client.get(
        f"/api/v1/persons/{C['wife_ali']}/history",
        params={"purpose": "بررسی اصلاح"},
        headers=registrar,
    ).json()
    corrected = [h for h in history if h["kind"] == "person.corrected"]
    assert len(corrected) == 1 and corrected[0]["data"]["old"] == "لیلا"
    assert history[0]["kind"] == "person.imported"  # the original record is still there


def test_a_birth_date_correction_accepts_jalali(client: TestClient, engine: Engine) -> None:
    filer, approver = staff(client, engine, "registrar"), staff(client, engine, "senior_registrar")
    body = correction(field="birth_date", new_value="1359/06/18")
    case_id = client.post(CORRECTIONS, json=body, headers=filer).json()["case_id"]
    client.post(f"{QUEUE}/{case_id}/approve", json={"note": "سند ولادت"}, headers=approver)
    with Session(engine) as s:
        person = s.get(Person, C["wife_ali"])
    assert person is not None and person.birth_date == date(1980, 9, 9)


def test_a_senior_may_reject_and_a_registrar_may_not(client: TestClient, engine: Engine) -> None:
    filer, senior = staff(client, engine, "registrar"), staff(client, engine, "senior_registrar")
    case_id = client.post(CORRECTIONS, json=correction(), headers=filer).json()["case_id"]
    url = f"{QUEUE}/{case_id}/reject"
    assert client.post(url, json={"reason": "سند ناکافی"}, headers=filer).status_code == 403
    assert client.post(url, json={"reason": "سند ناکافی"}, headers=senior).status_code == 200
    with Session(engine) as s:
        person = s.get(Person, C["wife_ali"])
    assert person is not None and person.first_name == "لیلا"


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"field": "sex", "new_value": "male"}, 422, "bad_field"),
        ({"new_value": "لیلا"}, 422, "no_change"),
        ({"field": "birth_date", "new_value": "1359/13/01"}, 422, "bad_date"),
        ({"field": "birth_date", "new_value": "1410/01/01"}, 422, "future_date"),
        ({"field": "religion", "new_value": "pagan"}, 422, "bad_value"),
        ({"field": "birth_county", "new_value": "9999"}, 422, "unknown_county"),
        ({"national_code": "0012345678"}, 422, "invalid_national_code"),
        ({"legal_basis": ""}, 422, "invalid_request"),
    ],
)
def test_bad_corrections_are_clear_and_write_nothing(
    client: TestClient, engine: Engine, changes: dict[str, Any], status: int, code: str
) -> None:
    filer = staff(client, engine, "registrar")
    size = ledger_size(engine)
    response = client.post(CORRECTIONS, json=correction(**changes), headers=filer)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert ledger_size(engine) == size


def test_one_pending_correction_per_field_and_only_in_ones_jurisdiction(
    client: TestClient, engine: Engine
) -> None:
    filer = staff(client, engine, "registrar")
    assert client.post(CORRECTIONS, json=correction(), headers=filer).status_code == 201
    twice = client.post(CORRECTIONS, json=correction(new_value="لیلى"), headers=filer)
    assert (twice.status_code, twice.json()["code"]) == (409, "correction_pending")
    isfahan = staff(client, engine, "registrar", offices.ISFAHAN_OFFICE)
    other = client.post(CORRECTIONS, json=correction(field="last_name"), headers=isfahan)
    assert (other.status_code, other.json()["code"]) == (403, "outside_jurisdiction")
    hospital_staff = client.post(CORRECTIONS, json=correction(field="last_name"))
    assert hospital_staff.status_code == 401
