"""Late birth registrations filed by a registrar over HTTP: an adult never registered and a
child no hospital notified; the filer and a different senior (two persons); a resend; bad
filings change nothing; the ledger replays to the same register."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.registry.models import Person
from tests.registration.support import C, assert_replay_rebuilds, ledger_size, staff
from tests.registry import family

LATE = "/api/v1/births/late-registrations"
QUEUE = "/api/v1/queue"


def filing(**changes: Any) -> dict[str, Any]:
    body = {
        "first_name": "رحیم", "last_name": "کریمی", "father_name": "کریم", "sex": "male",
        "born_on": "1360/04/12", "birth_county": family.TEHRAN, "religion": "muslim",
        "school": "shia", "legal_basis": "رأی دادگاه شمارهٔ ۱۴۰۴-۷۷ و گواهی دو شاهد",
        "document_ref": "LB-1404-1",
    }  # fmt: skip
    return {**body, **changes}


def test_an_adult_never_registered_takes_two_people_and_gets_a_national_code(
    client: TestClient, engine: Engine, second_url: str
) -> None:
    filer = staff(client, engine, "senior_registrar")
    approver = staff(client, engine, "senior_registrar")
    filed = client.post(LATE, json=filing(), headers=filer)
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert body["status"] == "queued" and body["flags"] == ["no_notification", "late"]
    assert body["to_clear"]["no_notification"]["fa"] and body["message_en"]
    size = ledger_size(engine)
    again = client.post(LATE, json=filing(), headers=filer)
    assert again.status_code == 200 and again.json() == body
    url = f"{QUEUE}/{body['case_id']}/approve"
    same = client.post(url, json={"note": "مدارک را خودم دیدم"}, headers=filer)
    assert (same.status_code, same.json()["code"]) == (403, "same_person")
    assert ledger_size(engine) == size
    done = client.post(url, json={"note": "رأی دادگاه و شهود بررسی شد"}, headers=approver)
    assert done.status_code == 200 and done.json()["status"] == "registered", done.text
    with Session(engine) as s:
        person = s.get(Person, done.json()["national_code"])
        assert person is not None
        got = (person.first_name, person.last_name, person.father_name, person.birth_date,
               person.mother_code, person.registering_office, person.religion)  # fmt: skip
    assert got == ("رحیم", "کریمی", "کریم", date(1981, 7, 3), None, family.OFFICE, "muslim")
    assert_replay_rebuilds(engine, second_url)


def test_a_child_no_hospital_notified_takes_the_fathers_surname(
    client: TestClient, engine: Engine
) -> None:
    filer, approver = staff(client, engine, "registrar"), staff(client, engine, "senior_registrar")
    child = filing(first_name="سینا", last_name=None, father_name=None, born_on="2024-01-10",
                   mother_national_code=C["wife_ali"], father_national_code=C["ali"],
                   religion=None, school=None)  # fmt: skip
    filed = client.post(LATE, json=child, headers=filer).json()
    assert filed["flags"] == ["no_notification", "late"], filed
    url = f"{QUEUE}/{filed['case_id']}/approve"
    junior = client.post(url, json={"note": "تأیید"}, headers=filer)
    assert (junior.status_code, junior.json()["code"]) == (403, "missing_scope")
    done = client.post(url, json={"note": "گواهی ولادت خانگی و شهود"}, headers=approver).json()
    with Session(engine) as s:
        person = s.get(Person, done["national_code"])
        assert person is not None
        got = (person.last_name, person.father_name, person.father_code, person.mother_code)
    assert got == ("محمدی", "علی", C["ali"], C["wife_ali"])  # stored normalised (ي → ی)


def test_someone_already_registered_and_parents_not_married_are_flagged(
    client: TestClient, engine: Engine
) -> None:
    filer = staff(client, engine, "registrar")
    twin_of_ali = filing(first_name="علي", last_name="محمدی", born_on="1975-01-04",
                         document_ref="LB-2")  # fmt: skip
    assert (
        "potential_duplicate" in client.post(LATE, json=twin_of_ali, headers=filer).json()["flags"]
    )
    unmarried = filing(born_on="2020-01-01", mother_national_code=C["maryam"],
                       father_national_code=C["karim"], document_ref="LB-3")  # fmt: skip
    flags = client.post(LATE, json=unmarried, headers=filer).json()["flags"]
    assert flags == ["no_notification", "late", "no_registered_marriage"]


def test_bad_filings_are_clear_and_write_nothing(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    filer = staff(client, engine, "registrar")
    size = ledger_size(engine)
    cases = [
        (filing(religion=None, school=None), 422, "missing_religion"),
        (filing(born_on="1410/01/01"), 422, "future_date"),
        (filing(born_on="1360/13/01"), 422, "bad_date"),
        (filing(birth_county="9999"), 422, "unknown_county"),
        (filing(mother_national_code=C["ali"]), 422, "mother_not_female"),
        (filing(father_national_code="0000000000"), 422, "invalid_national_code"),
        (filing(mother_national_code=C["amir"][:-1] + "0"), 422, None),
        (filing(born_on="1340/01/01", mother_national_code=C["wife_ali"]), 422,
         "before_mother_birth"),
    ]  # fmt: skip
    for body, status, code in cases:
        answer = client.post(LATE, json=body, headers=filer)
        assert answer.status_code == status, (body, answer.text)
        if code:
            assert answer.json()["code"] == code, answer.text
        assert answer.json()["message_fa"] and answer.json()["message_en"]
    not_staff = client.post(LATE, json=filing(), headers=hospital)
    assert (not_staff.status_code, not_staff.json()["code"]) == (403, "missing_scope")
    assert ledger_size(engine) == size
