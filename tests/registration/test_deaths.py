"""Deaths end to end over HTTP: from a hospital (JSON or FHIR R4B), forensic medicine or a
consulate; clean and on time → registered with the marriages ended; otherwise queued with a
flag; bad input changes nothing."""

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.persian import national_code
from sabt.registration import rules
from sabt.registration.models import Case
from sabt.registry.models import Marriage, Person
from tests.identity import accounts, offices
from tests.registration.support import (
    DEATHS,
    C,
    assert_replay_rebuilds,
    ledger_size,
    post_fhir,
    staff,
)
from tests.registry import family

QUEUE = "/api/v1/queue"


def death(**changes: Any) -> dict[str, Any]:
    body = {
        "notification_id": "D-1", "reporter": offices.HOSPITAL, "national_code": C["ali"],
        "died_at": "2025-09-21T04:10:00+03:30",
        "place": {"kind": "hospital", "office": offices.HOSPITAL}, "cause_icd10": "I21.9",
    }  # fmt: skip
    return {**body, **changes}


def death_fhir(code: str, died_at: str, reporter: str, cause: str = "I21.9") -> dict[str, Any]:
    return {
        "resourceType": "Bundle", "type": "collection",
        "identifier": {"system": f"urn:sabt:notification:{reporter}", "value": "DF-1"},
        "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "urn:sabt:national-code", "value": code}],
                "deceasedDateTime": died_at}},
            {"fullUrl": "urn:uuid:2", "resource": {
                "resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "IMP"},
                "subject": {"reference": "urn:uuid:1"},
                "serviceProvider": {"identifier": {"system": "urn:sabt:office",
                                                   "value": reporter}}}},
            {"fullUrl": "urn:uuid:3", "resource": {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "69453-9"}]},
                "subject": {"reference": "urn:uuid:1"},
                "valueCodeableConcept": {"coding": [
                    {"system": "http://hl7.org/fhir/sid/icd-10", "code": cause}]}}},
        ],
    }  # fmt: skip


def test_a_clean_death_is_registered_and_ends_the_marriage(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    ali_token = accounts.citizen_headers(client, engine, C["ali"])
    first = client.post(DEATHS, json=death(), headers=hospital)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "registered" and body["marriages_ended"] == [4]
    assert body["inheritance_certificate_due"] and body["message_fa"]
    size = ledger_size(engine)
    again = client.post(DEATHS, json=death(), headers=hospital)
    assert (again.status_code, again.json()) == (200, body) and ledger_size(engine) == size
    with Session(engine) as s:
        ali, marriage = s.get(Person, C["ali"]), s.get(Marriage, 4)
    assert ali is not None and marriage is not None
    assert (ali.status, ali.death_date, ali.death_place) == ("deceased", date(2025, 9, 21),
                                                             family.TEHRAN)  # fmt: skip
    assert ali.death_at == datetime(2025, 9, 21, 0, 40)  # UTC
    assert (marriage.end_reason, marriage.ended_at) == ("death", datetime(2025, 9, 21, 0, 40))
    assert marriage.waiting_period_end == date(2026, 1, 31)  # four months and ten days
    refused = client.post("/api/v1/births/1/declaration", json={}, headers=ali_token)
    assert (refused.status_code, refused.json()["code"]) == (403, "person_deceased")


def test_the_fhir_bundle_is_the_same_notification(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    bundle = death_fhir(C["karim"], "2025-09-21T04:10:00+03:30", offices.HOSPITAL, "J18.9")
    response = post_fhir(client, hospital, bundle, DEATHS)
    assert response.status_code == 201, response.text
    assert response.json()["marriages_ended"] == [3]
    with Session(engine) as s:
        sara_marriage = s.get(Marriage, 3)
    assert sara_marriage is not None and sara_marriage.end_reason == "death"
    bundle["entry"][2]["resource"]["valueCodeableConcept"]["coding"][0]["code"] = "heart"
    bundle["identifier"]["value"] = "DF-2"
    bad = post_fhir(client, hospital, bundle, DEATHS)
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_cause")


def test_each_flag_queues_the_death(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    stranger = national_code.allocate("001", 999)
    cases = {
        "unknown_person": death(notification_id="U", national_code=stranger),
        "already_deceased": death(notification_id="A", national_code=C["zahra"]),
        "date_before_birth": death(
            notification_id="B", national_code=C["amir"], died_at="2000-01-01T10:00:00+03:30"
        ),
        "late": death(notification_id="L", national_code=C["reza"],
                      died_at="2025-09-01T10:00:00+03:30"),
    }  # fmt: skip
    for flag, n in cases.items():
        response = client.post(DEATHS, json=n, headers=hospital)
        assert response.status_code == 201, response.text
        result = response.json()
        assert result["status"] == "queued" and flag in result["flags"], (flag, result)
        assert result["to_clear"][flag]["en"]
    registrar = staff(client, engine, "registrar")
    assert client.get(QUEUE, params={"kind": "death"}, headers=registrar).json()["total"] == 4
    with Session(engine) as s:
        reza = s.get(Person, C["reza"])
    assert reza is not None and reza.status == "alive"


def test_a_late_death_is_registered_by_two_people(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    n = death(national_code=C["maryam"], died_at="2025-09-01T10:00:00+03:30")
    case_id = client.post(DEATHS, json=n, headers=hospital).json()["case_id"]
    registrar, senior = (
        staff(client, engine, "registrar"),
        staff(client, engine, "senior_registrar"),
    )
    url = f"{QUEUE}/{case_id}/approve"
    assert client.post(url, json={"note": "گواهی پزشک"}, headers=registrar).json()["status"] == (
        "awaiting_second_approval"
    )
    done = client.post(url, json={"note": "تأیید دوم"}, headers=senior).json()
    assert done["status"] == "registered" and done["marriages_ended"] == [2]
    with Session(engine) as s:
        maryam, marriage = s.get(Person, C["maryam"]), s.get(Marriage, 2)
    assert maryam is not None and maryam.status == "deceased"
    assert marriage is not None and marriage.waiting_period_end is None  # a widower waits not


def test_a_death_abroad_comes_from_a_consulate_and_goes_to_its_queue(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    consulate = accounts.client_headers(client, engine, "consulate", offices.CONSULATE)
    abroad = {"kind": "abroad", "country": "DE"}
    refused = client.post(DEATHS, json=death(notification_id="X", place=abroad), headers=hospital)
    assert (refused.status_code, refused.json()["code"]) == (422, "abroad_by_consulate")
    n = death(reporter=offices.CONSULATE, national_code=C["hasan"], place=abroad,
              died_at="2025-08-01T10:00:00+02:00", cause_icd10=None)  # fmt: skip
    result = client.post(DEATHS, json=n, headers=consulate).json()
    assert result["status"] == "queued" and result["flags"] == ["late"]
    consul = staff(client, engine, "senior_registrar", offices.CONSULATE)
    tehran = staff(client, engine, "registrar")
    assert client.get(QUEUE, headers=consul).json()["total"] == 1
    assert client.get(QUEUE, headers=tehran).json()["total"] == 0


def test_forensic_medicine_reports_a_death_elsewhere_in_its_county(
    client: TestClient, engine: Engine
) -> None:
    forensic = accounts.client_headers(client, engine, "forensic_medicine", offices.FORENSIC)
    n = death(reporter=offices.FORENSIC, national_code=C["sara"],
              place={"kind": "other", "county": family.TEHRAN}, cause_icd10="V89.2")  # fmt: skip
    result = client.post(DEATHS, json=n, headers=forensic).json()
    assert result["status"] == "registered", result
    with Session(engine) as s:
        sara = s.get(Person, C["sara"])
    assert sara is not None and sara.death_place == family.TEHRAN


@pytest.mark.parametrize("place", [{"kind": "home"}, {"kind": "other", "county": family.TEHRAN}])
def test_a_hospital_reporting_a_death_outside_its_wards_waits_for_two_registrars(
    client: TestClient, engine: Engine, hospital: dict[str, str], place: dict[str, str]
) -> None:
    n = death(national_code=C["karim"], place=place)
    result = client.post(DEATHS, json=n, headers=hospital).json()
    assert result["status"] == "queued" and result["flags"] == ["reporter_not_competent"]
    with Session(engine) as s:
        karim = s.get(Person, C["karim"])
        assert karim is not None and karim.status == "alive"  # nothing took effect
        office = s.scalar(select(Case.office).where(Case.id == result["case_id"]))
    registrar = staff(client, engine, "registrar", str(office))
    senior = staff(client, engine, "senior_registrar", str(office))
    url = f"{QUEUE}/{result['case_id']}/approve"
    first = client.post(url, json={"note": "گواهی پزشک قانونی دیده شد"}, headers=registrar)
    assert first.json()["status"] == "awaiting_second_approval", first.text
    done = client.post(url, json={"note": "تأیید دوم"}, headers=senior)
    assert done.json()["status"] == "registered", done.text


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"died_at": "2025-12-01T10:00:00+03:30"}, 422, "future_date"),
        ({"died_at": "2025-09-21T04:10:00"}, 400, "invalid_notification"),
        ({"cause_icd10": "heart attack"}, 400, "bad_cause"),
        ({"national_code": "0012345678"}, 422, "invalid_national_code"),
        ({"place": {"kind": "abroad"}}, 400, "missing_country"),
        ({"place": {"kind": "other"}}, 400, "missing_county"),
        ({"place": {"kind": "moon"}}, 400, "invalid_notification"),
        ({"place": {"kind": "other", "county": "9999"}}, 422, "unknown_county"),
        ({"place": {"kind": "hospital", "office": offices.ISFAHAN_HOSPITAL}}, 403, "other_office"),
        ({"reporter": offices.ISFAHAN_HOSPITAL}, 403, "other_office"),
        ({"extra": 1}, 400, "invalid_notification"),
    ],
)
def test_bad_notifications_are_clear_and_write_nothing(
    client: TestClient,
    engine: Engine,
    hospital: dict[str, str],
    changes: dict[str, Any],
    status: int,
    code: str,
) -> None:
    size = ledger_size(engine)
    response = client.post(DEATHS, json=death(**changes), headers=hospital)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.json()["message_fa"] and ledger_size(engine) == size


def test_only_reporters_with_the_scope(client: TestClient, engine: Engine) -> None:
    notary = accounts.client_headers(client, engine, "marriage_notary", offices.MARRIAGE_NOTARY)
    assert client.post(DEATHS, json=death(), headers=notary).status_code == 403
    assert client.post(DEATHS, json=death()).status_code == 401


def test_replay_rebuilds_deaths_and_their_cases(
    client: TestClient, engine: Engine, hospital: dict[str, str], second_url: str
) -> None:
    client.post(DEATHS, json=death(), headers=hospital)
    client.post(DEATHS, json=death(notification_id="A", national_code=C["zahra"]), headers=hospital)
    assert_replay_rebuilds(engine, second_url)


def test_the_death_period_is_ten_days_in_jalali() -> None:
    # died Monday 1404/06/10; ten days end Thursday 1404/06/20 (2025-09-11)
    assert not rules.is_late(date(2025, 9, 1), rules.DEATH_PERIOD_DAYS, date(2025, 9, 11))
    assert rules.is_late(date(2025, 9, 1), rules.DEATH_PERIOD_DAYS, date(2025, 9, 12))
