"""A wrongly registered death, revoked under the two-person rule: Ali's death comes from a
hospital, his estate is settled and his heirs told; a registrar files the revocation and a
different senior approves it. Ali is alive again, his marriage to Leila is open again, his
inheritance certificate is revoked, and everyone who was told is told again. Later he dies
for real, and his estate is settled once more. A widow who has married since cannot get her
first marriage back from a registrar."""

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents.models import Document
from sabt.estates.models import Estate
from sabt.registry import service as registry
from sabt.registry.models import Marriage, Person
from sabt.registry.schemas import MarriageRecord
from tests.estates.support import MOBILES, on_day, outbox, register_death, run_worker
from tests.identity import accounts, offices
from tests.registration.support import DEATHS, C, assert_replay_rebuilds, ledger_size, staff
from tests.registration.test_deaths import death
from tests.registry import family

REVOCATIONS = "/api/v1/deaths/revocations"
QUEUE = "/api/v1/queue"
REASON = "آقای علی محمدی با شناسنامه در اداره حاضر شد و زنده است"


def _revocation(code: str = C["ali"], **changes: str) -> dict[str, str]:
    return {"national_code": code, "reason": REASON, "document_ref": "صورت‌جلسه ۱۴۰۴-۸۸",
            **changes}  # fmt: skip


def _certificates(engine: Engine, code: str) -> dict[str, str]:
    with Session(engine) as s:
        rows = s.execute(select(Document.number, Document.status).where(
            Document.kind == "inheritance", Document.subject == code))  # fmt: skip
        return dict(rows.all())


def test_a_revoked_death_restores_the_person_and_undoes_what_it_caused(
    client: TestClient, engine: Engine, db_url: str, hospital: dict[str, str], home: Path,
    kin: None, second_url: str,
) -> None:  # fmt: skip
    register_death(client, hospital, "ali")
    on_day(20.1)
    assert run_worker(db_url, engine, home).issued == 1
    [(number, _)] = _certificates(engine, C["ali"]).items()
    told = {m["to"] for m in outbox(home)}
    assert MOBILES["wife_ali"] in told

    filer = staff(client, engine, "senior_registrar")
    junior = staff(client, engine, "registrar")
    approver = staff(client, engine, "senior_registrar")
    filed = client.post(REVOCATIONS, json=_revocation(), headers=filer)
    assert filed.status_code == 201, filed.text
    again = client.post(REVOCATIONS, json=_revocation(), headers=junior)
    assert (again.status_code, again.json()["code"]) == (409, "revocation_pending")
    approve = f"{QUEUE}/{filed.json()['case_id']}/approve"
    size = ledger_size(engine)
    same = client.post(approve, json={"note": "تأیید"}, headers=filer)
    assert (same.status_code, same.json()["code"]) == (403, "same_person")
    refused = client.post(approve, json={"note": "تأیید"}, headers=junior)
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
    assert ledger_size(engine) == size

    done = client.post(approve, json={"note": "حضور شخص دیده شد"}, headers=approver)
    assert done.status_code == 200, done.text
    assert done.json()["marriages_reopened"] == [4]
    with Session(engine) as s:
        ali = s.get_one(Person, C["ali"])
        assert (ali.status, ali.death_date, ali.death_registered_at) == ("alive", None, None)
        marriage = s.get_one(Marriage, 4)
        assert (marriage.ended_at, marriage.end_reason, marriage.waiting_period_end) == (
            None, None, None)  # fmt: skip
        assert s.get_one(Estate, C["ali"]).status == "revoked"
    assert _certificates(engine, C["ali"]) == {number: "revoked"}
    sent_before = len(outbox(home))
    run_worker(db_url, engine, home)
    retold = {m["to"] for m in outbox(home)[sent_before:] if "ابطال" in m["text"]}
    assert retold == told  # everyone the estate's notices reached, and nobody else

    # nothing about him is due any more; when he really dies, the estate is settled again
    on_day(40)
    assert run_worker(db_url, engine, home).issued == 0
    again = accounts.client_headers(client, engine, "hospital", offices.HOSPITAL)
    died = death(notification_id="D-2", died_at="2025-10-31T04:10:00+03:30")
    assert client.post(DEATHS, json=died, headers=again).json()["status"] == "registered"
    on_day(61)
    assert run_worker(db_url, engine, home).issued == 1
    certificates = _certificates(engine, C["ali"])
    assert sorted(certificates.values()) == ["revoked", "valid"]
    assert_replay_rebuilds(engine, second_url)


def test_bad_revocations_change_nothing(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    registrar = staff(client, engine, "registrar")
    size = ledger_size(engine)
    alive = client.post(REVOCATIONS, json=_revocation(C["amir"]), headers=registrar)
    assert (alive.status_code, alive.json()["code"]) == (409, "not_deceased")
    short = client.post(REVOCATIONS, json=_revocation(reason="زنده"), headers=registrar)
    assert short.status_code == 422 and "دلیل" in short.json()["message_fa"]
    other = staff(client, engine, "registrar", offices.ISFAHAN_OFFICE)
    register_death(client, hospital, "ali")
    size = ledger_size(engine)
    far = client.post(REVOCATIONS, json=_revocation(), headers=other)
    assert far.status_code == 403, far.text
    nobody = client.post(REVOCATIONS, json=_revocation())
    assert nobody.status_code == 401
    assert ledger_size(engine) == size


def test_a_widow_who_married_since_keeps_her_new_marriage(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    register_death(client, hospital, "ali")
    registry.bulk_import(
        engine,
        [MarriageRecord(90, C["reza"], C["wife_ali"], "permanent",
                        datetime(2025, 9, 21, 12, tzinfo=UTC), family.OFFICE)],
    )  # fmt: skip
    filer = staff(client, engine, "senior_registrar")
    approver = staff(client, engine, "senior_registrar")
    case_id = client.post(REVOCATIONS, json=_revocation(), headers=filer).json()["case_id"]
    size = ledger_size(engine)
    refused = client.post(f"{QUEUE}/{case_id}/approve", json={"note": "تأیید"}, headers=approver)
    assert (refused.status_code, refused.json()["code"]) == (409, "spouse_remarried")
    assert ledger_size(engine) == size
    with Session(engine) as s:
        assert s.get_one(Person, C["ali"]).status == "deceased"
