"""Dates at the edges: every endpoint that takes a date, in JSON (found by walking the
OpenAPI) and in FHIR, answers a 4xx or succeeds for the first and last instants Python knows,
for a death in 1920 and for people born in 1300-1303 SH; never a 500."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sabt.registration import rules
from tests.api import sweep
from tests.api.test_bounds import callers
from tests.identity import accounts, offices
from tests.registration.support import BIRTHS, DEATHS, fhir, notice, post_fhir
from tests.registration.test_deaths import death_fhir
from tests.registry import family

EXTREMES: dict[str, tuple[str, ...]] = {
    "instant": (
        "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
        "1920-05-01T10:00:00+03:30", "1923-08-01T10:00:00+03:30",
    ),
    "day": ("0001-01-01", "9999-12-31", "1920-05-01"),
    "jalali": ("1300/01/01", "1303/05/10", "1404-01-01", "0001/01/01", "9999/12/29", "1302-13-01"),
}  # fmt: skip


def test_every_date_of_every_json_body_at_the_edges(client: TestClient, engine: Engine) -> None:
    spec = client.get("/openapi.json").json()
    targets = [
        (op, field, form)
        for op in sweep.operations(spec)
        if op.body is not None
        for field, form in sweep.date_fields(spec, op)
    ]
    fields = {f"{op}.{field}" for op, field, _ in targets}
    assert {  # the walk finds the notifications' dates, described by their schemas
        "POST /api/v1/births/notifications.born_at",
        "POST /api/v1/deaths/notifications.died_at",
        "POST /api/v1/births/late-registrations.born_on",
        "POST /api/v1/marriages.married_at",
    } <= fields
    failures, tried = [], 0
    for who, headers in callers(client, engine).items():
        for op, field, form in targets:
            for value in EXTREMES[form]:
                body: dict[str, Any] = {**(op.body or {}), field: value}
                response = client.request(op.method, op.url({}), headers=headers, json=body)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{who}: {op} {field}={value}")
    print(f"date sweep: {len(targets)} fields, {tried} requests")
    assert failures == []


@pytest.mark.parametrize("value", EXTREMES["instant"])
def test_fhir_dates_at_the_edges(client: TestClient, engine: Engine, value: str) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    birth = post_fhir(client, hospital, fhir(notice(born_at=value)))
    bundle = death_fhir(family.CODES["hasan"], value, offices.HOSPITAL)
    dead = post_fhir(client, hospital, bundle, DEATHS)
    for response in (birth, dead):
        assert response.status_code < 500, response.text
    if value.startswith(("0001", "9999")):
        assert birth.json()["code"] == dead.json()["code"] == "date_out_of_range"


def test_a_date_out_of_range_is_refused_in_both_languages(
    client: TestClient, engine: Engine
) -> None:
    hospital = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    response = client.post(BIRTHS, headers=hospital, json=notice(born_at=EXTREMES["instant"][0]))
    assert response.status_code == 400
    assert "1800" in response.json()["message_en"]


@pytest.mark.parametrize("born_on", ["1300/01/01", "1303/05/10", "1302/07/01", "1404-01-01"])
def test_a_late_registration_of_someone_born_in_the_1300s_is_filed(
    client: TestClient, engine: Engine, born_on: str
) -> None:
    registrar = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    body = {
        "first_name": "رحیم", "last_name": "کریمی", "father_name": "کریم", "sex": "male",
        "born_on": born_on, "birth_county": family.TEHRAN, "religion": "muslim",
        "school": "shia", "legal_basis": "رأی دادگاه", "document_ref": f"LB-{born_on}",
    }  # fmt: skip
    response = client.post("/api/v1/births/late-registrations", headers=registrar, json=body)
    assert response.status_code == 201, response.text
    assert "late" in response.json()["flags"]


def test_deadlines_need_no_holiday_table_for_an_event_years_late() -> None:
    from datetime import date

    assert rules.is_late(date(1920, 5, 1), rules.DEATH_PERIOD_DAYS, date(2025, 9, 22))
    assert not rules.is_late(date(1920, 5, 1), rules.DEATH_PERIOD_DAYS, date(1920, 5, 3))
    # inside the margin, outside the lunar table: Fridays and solar holidays still count
    assert not rules.is_late(date(1920, 3, 10), 10, date(1920, 3, 21))  # Nowruz 1299


@pytest.mark.parametrize(
    ("typed", "day"), [("1302/07/01", "1923-09-24"), ("1302-07-01", "1923-09-24")]
)
def test_a_correction_to_a_birth_in_1302_is_applied(
    client: TestClient, engine: Engine, typed: str, day: str
) -> None:
    filer = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    approver = accounts.staff_headers(client, engine, "senior_registrar", family.OFFICE)
    body = {
        "national_code": family.CODES["hasan"], "field": "birth_date", "new_value": typed,
        "legal_basis": "رأی هیئت حل اختلاف", "document_ref": "HH-1302",
    }  # fmt: skip
    filed = client.post("/api/v1/corrections", headers=filer, json=body)
    assert filed.status_code == 201, filed.text
    case = filed.json()["case_id"]
    done = client.post(f"/api/v1/queue/{case}/approve", headers=approver, json={"note": "سند"})
    assert done.status_code == 200, done.text
    assert done.json()["new"] == day
