"""Births end to end over HTTP: a hospital's notification (JSON or FHIR R4B), a parent's
online declaration, automatic registration or the queue with flags; bad input changes
nothing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.kit import clock
from sabt.persian import national_code
from sabt.registration import rules
from sabt.registry import service as registry
from sabt.registry.models import LedgerEntry, Person
from sabt.registry.schemas import PersonRecord
from tests.identity import accounts, offices
from tests.registration.support import (
    BIRTHS,
    assert_replay_rebuilds,
    declare,
    fhir,
    ledger_size,
    notice,
    post_fhir,
)
from tests.registry import family

C = family.CODES
URL = BIRTHS


# --- the clean path ----------------------------------------------------------------


def test_a_clean_birth_is_registered_once_a_parent_declares(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    first = client.post(URL, json=notice(), headers=hospital)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["flags"], body["national_code"]) == ("notified", [], None)
    size = ledger_size(engine)
    again = client.post(URL, json=notice(), headers=hospital)
    assert again.status_code == 200 and again.json() == body and ledger_size(engine) == size
    declared = declare(client, engine, body["case_id"], C["ali"])
    assert declared.status_code == 200, declared.text
    result = declared.json()
    assert result["status"] == "registered" and result["message_fa"] and result["message_en"]
    code = result["national_code"]
    with Session(engine) as s:
        child = s.get(Person, code)
        kinds = list(s.scalars(select(LedgerEntry.kind).where(LedgerEntry.seq > size)))
    assert child is not None and code.startswith("001")  # the Tehran office's prefix
    assert (child.first_name, child.last_name, child.father_name) == ("آوا", "محمدی", "علی")
    assert (child.father_code, child.mother_code, child.sex) == (C["ali"], C["wife_ali"], "female")
    assert child.birth_date == date(2025, 9, 20) and child.registering_office == family.OFFICE
    assert (child.booklet_series, child.booklet_serial) == (f"E{code[:3]}", code[3:9])
    assert kinds == ["code.allocated", "person.registered", "birth.registered"]
    assert declare(client, engine, body["case_id"], C["wife_ali"]).status_code == 409


def test_the_fhir_bundle_is_the_same_notification(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    response = post_fhir(
        client, hospital, fhir(notice(notification_id="F-1", sex="male", proposed_first_name="علی"))
    )
    assert response.status_code == 201, response.text
    result = declare(client, engine, response.json()["case_id"], C["wife_ali"]).json()
    with Session(engine) as s:
        child = s.get(Person, result["national_code"])
    assert child is not None and (child.first_name, child.sex) == ("علی", "male")


def test_without_a_father_the_child_takes_the_mothers_surname(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    n = notice(mother_national_code=C["neda"], father_national_code=None)
    case_id = client.post(URL, json=n, headers=hospital).json()["case_id"]
    code = declare(client, engine, case_id, C["neda"], first_name="سارا").json()["national_code"]
    with Session(engine) as s:
        child = s.get(Person, code)
    assert child is not None and (child.last_name, child.father_name, child.father_code) == (
        "رضایی",
        None,
        None,
    )


def test_twins_are_linked_not_duplicates(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    one = client.post(
        URL, json=notice(notification_id="T-1", plurality=2, birth_order=1), headers=hospital
    )
    two = client.post(
        URL,
        json=notice(
            notification_id="T-2",
            plurality=2,
            birth_order=2,
            born_at="2025-09-20T10:41:00+03:30",
            proposed_first_name="آیدا",
        ),
        headers=hospital,
    )
    assert one.json()["flags"] == [] and two.json()["flags"] == []
    third = client.post(
        URL, json=notice(notification_id="T-3", plurality=2, birth_order=2), headers=hospital
    )
    assert third.json()["flags"] == ["potential_duplicate"]


# --- flags -------------------------------------------------------------------------


def test_each_flag_sends_the_birth_to_the_queue(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    cases = {
        "no_registered_marriage": (
            notice(notification_id="M", father_national_code=C["karim"]),
            C["wife_ali"],
            {},
        ),
        "incomplete": (notice(notification_id="I", sex="unknown"), C["ali"], {}),
        "name_review": (notice(notification_id="R"), C["ali"], {"first_name": "شاه‌بانو"}),
    }
    for flag, (n, parent, body) in cases.items():
        case_id = client.post(URL, json=n, headers=hospital).json()["case_id"]
        response = declare(client, engine, case_id, parent, **body)
        result = response.json()
        assert result["status"] == "queued" and flag in result["flags"], (flag, result)
        assert result["to_clear"][flag]["fa"] and result["national_code"] is None
    duplicate = client.post(
        URL,
        json=notice(notification_id="D2", born_at="2025-06-01T10:00:00+03:30"),
        headers=hospital,
    )
    assert duplicate.json()["flags"] == ["potential_duplicate"]


def test_a_late_declaration_is_queued(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = client.post(
        URL, json=notice(born_at="2025-09-05T10:00:00+03:30"), headers=hospital
    ).json()["case_id"]
    clock.set_clock(clock.FixedClock(datetime(2025, 9, 21, 8, 0, tzinfo=UTC)))  # 1404/06/30
    result = declare(client, engine, case_id, C["ali"]).json()
    assert result["status"] == "queued" and result["flags"] == ["late"]


@pytest.mark.parametrize(
    ("born", "declared", "late"),
    [
        # 1403/12/16 + 15 days ends on Nowruz (1 Farvardin, a Friday); 1-4 Farvardin are
        # holidays, so the period runs to Tuesday 5 Farvardin 1404 (2025-03-25).
        (date(2025, 3, 6), date(2025, 3, 25), False),
        (date(2025, 3, 6), date(2025, 3, 26), True),
        # 1404/06/14 + 15 = Saturday 1404/06/29, a working day.
        (date(2025, 9, 5), date(2025, 9, 20), False),
        (date(2025, 9, 5), date(2025, 9, 21), True),
    ],
)
def test_the_birth_period_counts_holidays_in_jalali(born: date, declared: date, late: bool) -> None:
    assert rules.is_late(born, rules.BIRTH_PERIOD_DAYS, declared) is late


def test_a_stillbirth_is_recorded_without_a_national_code(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    body = client.post(
        URL, json=notice(notification_id="S", stillborn=True), headers=hospital
    ).json()
    assert body["status"] == "registered" and body["stillbirth"] and body["national_code"] is None
    assert declare(client, engine, body["case_id"], C["ali"]).status_code == 409


# --- who may call ------------------------------------------------------------------


def test_only_the_hospital_itself_a_parent_and_the_right_scopes(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    other = accounts.client_headers(client, engine, "hospital", offices.ISFAHAN_HOSPITAL)
    notary = accounts.client_headers(client, engine, "marriage_notary", offices.MARRIAGE_NOTARY)
    staff = accounts.staff_headers(client, engine, "registrar", family.OFFICE)
    size = ledger_size(engine)
    assert client.post(URL, json=notice(), headers=other).json()["code"] == "other_office"
    assert client.post(URL, json=notice(), headers=notary).status_code == 403
    assert client.post(URL, json=notice()).status_code == 401
    assert ledger_size(engine) == size
    case_id = client.post(URL, json=notice(), headers=hospital).json()["case_id"]
    assert declare(client, engine, case_id, C["karim"]).json()["code"] == "not_a_parent"
    url = f"/api/v1/births/{case_id}/declaration"
    assert client.post(url, json={}, headers=staff).status_code == 403
    assert declare(client, engine, 999, C["sara"]).status_code == 404


# --- bad input changes nothing -----------------------------------------------------


BAD_JSON: dict[str, tuple[Any, int, str]] = {
    "malformed": (b"{oops", 400, "invalid_notification"),
    "sex not in the value set": (notice(sex="boy"), 400, "bad_sex"),
    "a number for a date": (notice(born_at=0), 400, "invalid_notification"),
    "naive time": (notice(born_at="2025-09-20T10:35:00"), 400, "invalid_notification"),
    "unknown key": ({**notice(), "extra": 1}, 400, "invalid_notification"),
    "birth order above plurality": (notice(birth_order=3, plurality=2), 400, "bad_plurality"),
    "impossible weight": (notice(weight_g=50), 400, "bad_weight"),
    "invalid mother code": (
        notice(mother_national_code="1234567890"),
        422,
        "invalid_national_code",
    ),
    "unknown mother": (notice(mother_national_code=family.code(900)), 422, "unknown_person"),
    "mother is a man": (notice(mother_national_code=C["karim"]), 422, "mother_not_female"),
    "mother too old": (
        notice(mother_national_code=C["maryam"], father_national_code=C["hasan"]),
        422,
        "implausible_mother_age",
    ),
    "mother died before": (
        notice(mother_national_code=C["zahra"], father_national_code=None),
        422,
        "mother_deceased",
    ),
    "future birth": (notice(born_at="2025-09-23T10:00:00+03:30"), 422, "future_date"),
    "before the mother was born": (
        notice(born_at="1979-01-01T10:00:00+03:30"),
        422,
        "before_mother_birth",
    ),
}


@pytest.mark.parametrize("case", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_bad_json_is_a_clear_error_and_writes_nothing(
    client: TestClient, engine: Engine, hospital: dict[str, str], case: tuple[Any, int, str]
) -> None:
    payload, status, code = case
    size = ledger_size(engine)
    if isinstance(payload, bytes):
        response = client.post(
            URL, content=payload, headers={**hospital, "Content-Type": "application/json"}
        )
    else:
        response = client.post(URL, json=payload, headers=hospital)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message_fa"] and body["message_en"]
    assert ledger_size(engine) == size


def _fhir_defect(change: str) -> dict[str, Any]:
    bundle = fhir(notice())
    if change == "gender":
        bundle["entry"][0]["resource"]["gender"] = "boy"
    elif change == "no mother":
        del bundle["entry"][1]
    elif change == "role code":
        bundle["entry"][1]["resource"]["relationship"][0]["coding"][0]["code"] = "AUNT"
    elif change == "loinc":
        bundle["entry"][4]["resource"]["code"]["coding"][0]["code"] = "1234-5"
    elif change == "no birth time":
        del bundle["entry"][0]["resource"]["_birthDate"]
    elif change == "not a bundle":
        bundle = {"resourceType": "Patient"}
    return bundle


@pytest.mark.parametrize(
    "change", ["gender", "no mother", "role code", "loinc", "no birth time", "not a bundle"]
)
def test_bad_fhir_is_a_clear_error_and_writes_nothing(
    client: TestClient, engine: Engine, hospital: dict[str, str], change: str
) -> None:
    size = ledger_size(engine)
    response = post_fhir(client, hospital, _fhir_defect(change))
    assert response.status_code == 400, response.text
    assert response.json()["message_en"] and ledger_size(engine) == size


# --- the ledger holds every step ----------------------------------------------------


def test_replay_rebuilds_the_register_and_the_cases(
    client: TestClient, engine: Engine, hospital: dict[str, str], second_url: str
) -> None:
    case_id = client.post(URL, json=notice(), headers=hospital).json()["case_id"]
    declare(client, engine, case_id, C["ali"])
    client.post(
        URL, json=notice(notification_id="Q", father_national_code=C["karim"]), headers=hospital
    )
    assert_replay_rebuilds(engine, second_url)


def test_a_mother_from_another_province_gives_birth_in_tehran(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    mother = national_code.allocate(offices.ISFAHAN_PREFIX, 5)
    registry.bulk_import(
        engine,
        [
            PersonRecord(
                mother,
                "مینا",
                "اصفهانی",
                None,
                "female",
                date(1995, 1, 1),
                offices.ISFAHAN,
                offices.ISFAHAN,
            )
        ],
    )
    n = notice(mother_national_code=mother, father_national_code=None)
    case_id = client.post(URL, json=n, headers=hospital).json()["case_id"]
    result = declare(client, engine, case_id, mother).json()
    assert result["status"] == "registered" and result["national_code"].startswith("001")
    with Session(engine) as s:
        child = s.get(Person, result["national_code"])
    assert child is not None and child.residence_county == offices.ISFAHAN
    assert child.birth_county == family.TEHRAN


def test_concurrent_notifications_are_serialised_not_deadlocked(
    client: TestClient, engine: Engine
) -> None:
    """Writers wait for the ledger lock in worker threads: one waiting on the event loop
    would stop the request that holds the lock from ever committing."""
    hospitals = [accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)] * 6
    mothers = [C["wife_ali"], C["sara"], C["neda"]] * 2
    with ThreadPoolExecutor(6) as pool:
        futures = [
            pool.submit(
                client.post, BIRTHS,
                json=notice(notification_id=f"C-{i}", mother_national_code=m,
                            father_national_code=None),
                headers=h,
            )
            for i, (m, h) in enumerate(zip(mothers, hospitals, strict=True))
        ]  # fmt: skip
        codes = [f.result(timeout=60).status_code for f in futures]
    assert codes == [201] * 6
    with Session(engine) as s:
        kinds = s.scalars(select(LedgerEntry.kind).where(LedgerEntry.kind == "birth.notified"))
        assert len(list(kinds)) == 6
