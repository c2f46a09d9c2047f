"""What the register cannot know, a registrar records on the estate: a pregnancy (the
certificate states it and reserves two sons' share: provisional), a missing heir (his share
reserved, Art. 879), the review of the register's gaps. The law's refusal (Art. 878) cannot
be issued; bad declarations change nothing."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents import render
from sabt.documents.models import Document
from sabt.kit import canonical
from tests.estates.support import on_day, register_death, run_worker
from tests.registration.support import C, ledger_size, staff

PREGNANCY = "پزشکی قانونی تهران ۱۴۰۴/۷۷۷"


def _facts(engine: Engine, code: str) -> dict[str, object]:
    with Session(engine) as s:
        found = s.scalars(select(Document).where(Document.subject == code,
                                                 Document.status == "valid")).one()  # fmt: skip
        return dict(canonical.loads(found.facts))


def test_a_pregnancy_makes_a_provisional_certificate_that_states_it(
    client: TestClient, engine: Engine, db_url: str, home: Path, hospital: dict[str, str],
    kin: None,
) -> None:  # fmt: skip
    register_death(client, hospital)
    registrar = staff(client, engine, "registrar")
    url = f"/api/v1/estates/{C['ali']}"
    before = ledger_size(engine)
    for bad in ({}, {"missing": [C["karim"]]}, {"pregnancy_reference": "x"}):
        answer = client.post(f"{url}/declarations", json=bad, headers=registrar)
        assert answer.status_code == 422 and answer.json()["message_fa"], answer.text
    assert ledger_size(engine) == before
    declared = client.post(f"{url}/declarations", json={"pregnancy_reference": PREGNANCY},
                           headers=registrar)  # fmt: skip
    assert declared.status_code == 200, declared.text
    assert [r["code"] for r in declared.json()["reasons"]] == ["provisional"]
    on_day(20.1)
    assert run_worker(db_url, engine, home).issued == 0  # the registrar, not the worker, issues
    registrar = staff(client, engine, "registrar")  # a new day's sign-in
    queue = client.get("/api/v1/estates/queue", headers=registrar).json()
    assert [e["deceased"] for e in queue["items"]] == [C["ali"]]
    issued = client.post(f"{url}/issue", json={}, headers=registrar)
    assert issued.status_code == 200 and issued.json()["status"] == "issued", issued.text
    facts = _facts(engine, C["ali"])
    assert facts["status"] == "provisional" and facts["pregnancy"] == {"reference": PREGNANCY}
    heirs = {h["reserve"] or h["national_code"]: h["share"] for h in facts["tables"][0]["heirs"]}  # type: ignore[index]
    # wife 1/8, father 1/6; the rest among two sons and the unborn child counted as two sons
    assert heirs["unborn"] == "17/48" and heirs[C["amir"]] == "17/96"
    page = render.html("inheritance", "IC-1", "2025-10-12", facts, "https://x/verify?t=a",
                       "https://x/verify?n=IC-1")  # fmt: skip
    assert "حمل وجود داشته" in page and PREGNANCY in page and "حمل (فرزند متوفی)" in page
    again = client.post(f"{url}/declarations", json={"will_reference": "دفتر ۱۲، ۵۶۷۸"},
                        headers=registrar)  # fmt: skip
    assert again.status_code == 409  # issued: only an objection changes it now


def test_a_missing_heir_is_reserved_and_gaps_need_a_review_note(
    client: TestClient, engine: Engine, db_url: str, home: Path, hospital: dict[str, str],
    kin: None,
) -> None:  # fmt: skip
    register_death(client, hospital, "hasan", "D-3")
    on_day(20.1)
    assert run_worker(db_url, engine, home).queued == 1
    registrar = staff(client, engine, "registrar")
    url = f"/api/v1/estates/{C['hasan']}"
    refused = client.post(f"{url}/issue", json={}, headers=registrar)
    assert refused.status_code == 422 and refused.json()["code"] == "review_needed"
    will = "وصیت‌نامهٔ رسمی دفتر ۱۲ تهران، ۵۶۷۸"
    assert client.post(f"{url}/declarations", json={"missing": [C["reza"]], "will_reference": will},
                       headers=registrar).status_code == 200  # fmt: skip
    note = "پدر و مادر حسن پیش از او فوت کرده‌اند (اسناد فوت ۱۲ و ۱۳)"
    issued = client.post(f"{url}/issue", json={"review": note}, headers=registrar)
    assert issued.status_code == 200, issued.text
    facts = _facts(engine, C["hasan"])
    assert facts["status"] == "provisional" and facts["review"] == {"note": note}
    assert facts["will"] == {"reference": will}  # stated, not applied
    reserved = [h for h in facts["tables"][0]["heirs"] if h["reserve"] == "missing"]  # type: ignore[index]
    assert [h["national_code"] for h in reserved] == [C["reza"]]


def test_an_unborn_child_who_would_change_the_heirs_blocks_the_certificate(
    client: TestClient, engine: Engine, hospital: dict[str, str], kin: None
) -> None:
    register_death(client, hospital, "reza", "D-4")  # no children: his parents inherit
    registrar = staff(client, engine, "registrar")
    url = f"/api/v1/estates/{C['reza']}"
    declared = client.post(f"{url}/declarations", json={"pregnancy_reference": PREGNANCY},
                           headers=registrar).json()  # fmt: skip
    assert [r.get("article") for r in declared["reasons"]] == ["878"]
    size = ledger_size(engine)
    blocked = client.post(f"{url}/issue", json={}, headers=registrar)
    assert blocked.status_code == 409 and "۸۷۸" in blocked.json()["message_fa"]
    assert ledger_size(engine) == size
