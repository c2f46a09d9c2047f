"""Marriages and divorces from notary offices over HTTP, on the hand-made family register:
impediments refused with their article, divorce and its waiting period, a return, a
temporary marriage's waiver and expiry; bad input changes nothing."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sabt.cli.main import app
from sabt.persian import national_code
from sabt.registry import service as registry
from sabt.registry.models import Marriage, MarriageReturn
from sabt.registry.schemas import PersonRecord
from tests.identity import accounts, offices
from tests.registration.support import C, ledger_size
from tests.registry import family

MARRIAGES = "/api/v1/marriages"
DIVORCES = "/api/v1/divorces"


@pytest.fixture
def notary(client: TestClient, engine: Engine) -> dict[str, str]:
    return accounts.client_headers(client, engine, "marriage_notary", offices.MARRIAGE_NOTARY)


@pytest.fixture
def divorce_notary(client: TestClient, engine: Engine) -> dict[str, str]:
    return accounts.client_headers(client, engine, "divorce_notary", offices.DIVORCE_NOTARY)


def newcomers(engine: Engine, *people: tuple[int, str, str, date, str | None]) -> list[str]:
    """More people in the register: (serial, sex, first name, birth date, father)."""
    codes = [national_code.allocate("001", 100 + serial) for serial, *_ in people]
    records = [
        PersonRecord(
            code,
            first,
            "تازه",
            None,
            sex,
            born,
            family.TEHRAN,
            family.TEHRAN,
            father=father,
            mother=C["wife_ali"] if father == C["ali"] else None,
        )
        for code, (_, sex, first, born, father) in zip(codes, people, strict=True)
    ]
    registry.bulk_import(engine, records)
    return codes


def marriage(h: str, w: str, **changes: Any) -> dict[str, Any]:
    body = {"husband_national_code": h, "wife_national_code": w, "kind": "permanent",
            "married_at": "2025-09-20T10:00:00+03:30"}  # fmt: skip
    return {**body, **changes}


def divorce(marriage_id: int, h: str, w: str, **changes: Any) -> dict[str, Any]:
    body = {"marriage_id": marriage_id, "husband_national_code": h, "wife_national_code": w,
            "kind": "revocable", "divorced_at": "2025-09-21T10:00:00+03:30",
            "court_certificate": "CC-1404-1"}  # fmt: skip
    return {**body, **changes}


def refused(response: Any, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (409, code), response.text
    assert response.json()["message_fa"] and response.json()["message_en"]


def test_cousins_may_marry_and_the_marriage_is_in_the_register(
    client: TestClient, engine: Engine, notary: dict[str, str]
) -> None:
    response = client.post(MARRIAGES, json=marriage(C["amir"], C["neda"]), headers=notary)
    assert response.status_code == 201, response.text
    with Session(engine) as s:
        m = s.get(Marriage, response.json()["marriage_id"])
    assert m is not None and (m.husband_code, m.wife_code, m.office) == (
        C["amir"], C["neda"], offices.MARRIAGE_NOTARY,
    )  # fmt: skip


def test_a_notarys_resend_answers_the_first_marriage_and_a_reused_reference_is_refused(
    client: TestClient, engine: Engine, notary: dict[str, str]
) -> None:
    body = marriage(C["amir"], C["neda"], reference="MN-1404-77")
    first = client.post(MARRIAGES, json=body, headers=notary)
    assert first.status_code == 201 and first.json()["resent"] is False, first.text
    size = ledger_size(engine)
    again = client.post(MARRIAGES, json=body, headers=notary)
    assert again.status_code == 200 and again.json() == {**first.json(), "resent": True}
    other = marriage(C["amir"], C["neda"], reference="MN-1404-77", kind="temporary",
                     term_end="2026-01-01")  # fmt: skip
    refused(client.post(MARRIAGES, json=other, headers=notary), "reference_reused")
    assert ledger_size(engine) == size
    with Session(engine) as s:
        m = s.get(Marriage, first.json()["marriage_id"])
    assert m is not None and m.reference == "MN-1404-77"


def test_kinship_and_affinity_are_refused_with_their_article(
    client: TestClient, engine: Engine, notary: dict[str, str]
) -> None:
    size = ledger_size(engine)
    refused(client.post(MARRIAGES, json=marriage(C["reza"], C["neda"]), headers=notary),
            "prohibited_kinship")  # her mother's half-brother  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["hasan"], C["neda"]), headers=notary),
            "prohibited_kinship")  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["ali"], C["maryam"]), headers=notary),
            "prohibited_affinity")  # his father's wife  # fmt: skip
    assert ledger_size(engine) == size


def test_a_wifes_sister_and_niece(
    client: TestClient, engine: Engine, notary: dict[str, str]
) -> None:
    sister, niece = newcomers(
        engine, (1, "female", "مینا", date(2000, 1, 1), C["hasan"]),
        (2, "female", "سحر", date(2004, 1, 1), C["ali"]),
    )  # fmt: skip
    court = {"court_permission": "DAD-1"}
    refused(client.post(MARRIAGES, json=marriage(C["karim"], sister, **court), headers=notary),
            "wife_sister")  # Sara's half-sister  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["karim"], niece, **court), headers=notary),
            "wife_niece")  # Sara's brother's daughter  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["karim"], niece), headers=notary),
            "wife_niece")  # fmt: skip
    both = marriage(C["karim"], niece, wife_permission="SARA-OK", **court)
    assert client.post(MARRIAGES, json=both, headers=notary).status_code == 201


def test_age_a_further_wife_and_the_limit_of_four(
    client: TestClient, engine: Engine, notary: dict[str, str]
) -> None:
    girl, *women = newcomers(
        engine, (3, "female", "تارا", date(2013, 1, 1), None),
        *((10 + i, "female", "زن", date(1990, 1, 1), None) for i in range(5)),
    )  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["reza"], girl), headers=notary), "under_age")
    court = {"court_permission": "DAD-2"}
    assert client.post(MARRIAGES, json=marriage(C["reza"], girl, **court),
                       headers=notary).status_code == 201  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["reza"], women[0]), headers=notary),
            "already_married")  # fmt: skip
    for woman in women[:3]:
        response = client.post(MARRIAGES, json=marriage(C["reza"], woman, **court), headers=notary)
        assert response.status_code == 201, response.text
    refused(client.post(MARRIAGES, json=marriage(C["reza"], women[3], **court), headers=notary),
            "four_wives")  # fmt: skip
    temporary = marriage(C["reza"], women[3], kind="temporary", term_end="2026-03-20", **court)
    assert client.post(MARRIAGES, json=temporary, headers=notary).status_code == 201


def test_divorce_waiting_period_and_return(
    client: TestClient,
    engine: Engine,
    notary: dict[str, str],
    divorce_notary: dict[str, str],
) -> None:
    size = ledger_size(engine)
    mismatch = client.post(DIVORCES, json=divorce(4, C["karim"], C["wife_ali"]),
                           headers=divorce_notary)  # fmt: skip
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "marriage_mismatch")
    no_certificate = divorce(4, C["ali"], C["wife_ali"], court_certificate="")
    assert client.post(DIVORCES, json=no_certificate, headers=divorce_notary).status_code == 422
    assert client.post(DIVORCES, json=divorce(4, C["ali"], C["wife_ali"]),
                       headers=notary).status_code == 403  # fmt: skip
    assert ledger_size(engine) == size
    done = client.post(DIVORCES, json=divorce(4, C["ali"], C["wife_ali"]), headers=divorce_notary)
    assert done.status_code == 201, done.text
    assert done.json()["waiting_period_end"] == "2025-12-21"  # three months
    size = ledger_size(engine)
    again = client.post(DIVORCES, json=divorce(4, C["ali"], C["wife_ali"]), headers=divorce_notary)
    assert again.status_code == 200 and again.json() == {**done.json(), "resent": True}
    later = divorce(4, C["ali"], C["wife_ali"], divorced_at="2025-09-21T11:00:00+03:30")
    refused(client.post(DIVORCES, json=later, headers=divorce_notary), "marriage_ended")
    assert ledger_size(engine) == size
    refused(client.post(MARRIAGES, json=marriage(C["karim"], C["wife_ali"],
                                                 court_permission="DAD-3"), headers=notary),
            "woman_not_free")  # fmt: skip
    refused(client.post(MARRIAGES, json=marriage(C["ali"], C["wife_ali"]), headers=notary),
            "use_return")  # fmt: skip
    back = client.post(f"{MARRIAGES}/4/return", json={"returned_at": "2025-09-22T09:00:00+03:30"},
                       headers=divorce_notary)  # fmt: skip
    assert back.status_code == 201, back.text
    with Session(engine) as s:
        m = s.get(Marriage, 4)
        returns = s.scalar(select(func.count()).select_from(MarriageReturn))
    assert m is not None and (m.ended_at, m.end_reason, m.waiting_period_end) == (None, None, None)
    assert returns == 2  # the imported one and this one
    refused(client.post(f"{MARRIAGES}/4/return", json={"returned_at": "2025-09-22T09:30:00+03:30"},
                        headers=divorce_notary), "no_revocable_divorce")  # fmt: skip


def test_after_a_khula_only_the_same_man_may_remarry_her_in_the_waiting_period(
    client: TestClient, engine: Engine, notary: dict[str, str], divorce_notary: dict[str, str]
) -> None:
    khula = divorce(3, C["karim"], C["sara"], kind="khula")
    assert client.post(DIVORCES, json=khula, headers=divorce_notary).status_code == 201
    refused(client.post(MARRIAGES, json=marriage(C["ali"], C["sara"]), headers=notary),
            "prohibited_kinship")  # her brother, and she is in a waiting period  # fmt: skip
    stranger = newcomers(engine, (20, "male", "بهرام", date(1970, 1, 1), None))[0]
    refused(client.post(MARRIAGES, json=marriage(stranger, C["sara"]), headers=notary),
            "woman_not_free")  # fmt: skip
    assert client.post(MARRIAGES, json=marriage(C["karim"], C["sara"],
                       married_at="2025-09-22T10:00:00+03:30"), headers=notary).status_code == 201  # fmt: skip


def test_a_temporary_marriage_ends_by_waiver_or_by_its_term(
    client: TestClient,
    engine: Engine,
    notary: dict[str, str],
    divorce_notary: dict[str, str],
    db_url: str,
) -> None:
    temporary = marriage(C["amir"], C["neda"], kind="temporary", term_end="2026-01-01")
    marriage_id = client.post(MARRIAGES, json=temporary, headers=notary).json()["marriage_id"]
    refused(client.post(DIVORCES, json=divorce(marriage_id, C["amir"], C["neda"]),
                        headers=divorce_notary), "temporary_marriage")  # fmt: skip
    waived = client.post(f"{MARRIAGES}/{marriage_id}/waiver",
                         json={"waived_at": "2025-09-22T09:00:00+03:30"}, headers=divorce_notary)  # fmt: skip
    assert waived.status_code == 201, waived.text
    assert waived.json()["waiting_period_end"] == "2025-11-06"  # 45 days
    refused(client.post(f"{MARRIAGES}/{marriage_id}/waiver",
                        json={"waived_at": "2025-09-22T09:10:00+03:30"}, headers=divorce_notary),
            "marriage_ended")  # fmt: skip
    # a term that ran out: closed by the daily job
    stranger = newcomers(engine, (21, "male", "بهرام", date(1970, 1, 1), None))[0]
    woman = newcomers(engine, (22, "female", "رعنا", date(1990, 1, 1), None))[0]
    expired = marriage(stranger, woman, kind="temporary", married_at="2025-01-01T10:00:00+03:30",
                       term_end="2025-06-01")  # fmt: skip
    expired_id = client.post(MARRIAGES, json=expired, headers=notary).json()["marriage_id"]
    admin = accounts.add_staff(engine, "registrar", family.OFFICE).username
    result = CliRunner().invoke(app, ["marriages", "close-expired", "--as", admin, "--db", db_url])
    assert result.exit_code == 0, result.output
    assert str(expired_id) in result.stdout
    with Session(engine) as s:
        m = s.get(Marriage, expired_id)
    assert m is not None and m.end_reason == "term_expired"
    assert m.waiting_period_end == date(2025, 7, 16)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (marriage(C["neda"], C["amir"]), 422, "wrong_sex"),
        (marriage(C["amir"], national_code.allocate("001", 999)), 422, "unknown_person"),
        (marriage(C["amir"], "0012345678"), 422, "invalid_national_code"),
        (marriage(C["amir"], C["neda"], married_at="2026-01-01T10:00:00+03:30"), 422,
         "future_date"),
        (marriage(C["amir"], C["neda"], kind="temporary"), 422, "bad_term"),
        (marriage(C["amir"], C["neda"], term_end="2026-01-01"), 422, "bad_term"),
        (marriage(C["amir"], C["neda"], kind="mutah"), 422, "invalid_request"),
        (marriage(C["amir"], C["zahra"]), 409, "person_deceased"),
    ],
)  # fmt: skip
def test_bad_marriages_are_clear_and_write_nothing(
    client: TestClient,
    engine: Engine,
    notary: dict[str, str],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    size = ledger_size(engine)
    response = client.post(MARRIAGES, json=body, headers=notary)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert ledger_size(engine) == size
