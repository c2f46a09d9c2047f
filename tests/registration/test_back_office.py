"""The registrar's back office over HTTP: the queue of one's own jurisdiction, one registrar
at a time, approval and rejection, the two-person rule for late registrations, the history
of a case; bad input changes nothing."""

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.kit import clock
from sabt.registry.models import Person
from tests.identity import offices
from tests.registration.support import BIRTHS, C, declare, ledger_size, notice, staff

QUEUE = "/api/v1/queue"


def queued_birth(
    client: TestClient, engine: Engine, hospital: dict[str, str], **changes: Any
) -> int:
    """A birth the father declares that the queue gets (no marriage makes Karim the father)."""
    n = notice(**{"notification_id": "Q", "father_national_code": C["karim"], **changes})
    case_id: int = client.post(BIRTHS, json=n, headers=hospital).json()["case_id"]
    result = declare(client, engine, case_id, C["wife_ali"]).json()
    assert result["status"] == "queued", result
    return case_id


def late_birth(client: TestClient, engine: Engine, hospital: dict[str, str]) -> int:
    """A clean birth declared after the 15-day period."""
    n = notice(notification_id="L", born_at="2025-09-01T10:00:00+03:30")
    case_id: int = client.post(BIRTHS, json=n, headers=hospital).json()["case_id"]
    result = declare(client, engine, case_id, C["ali"]).json()
    assert result["flags"] == ["late"], result
    return case_id


DECISIONS: dict[str, dict[str, str]] = {
    "approve": {"note": "تأیید می‌شود"},
    "reject": {"reason": "رد می‌شود"},
}


def act(client: TestClient, headers: dict[str, str], case_id: int, action: str, **body: Any) -> Any:
    return client.post(f"{QUEUE}/{case_id}/{action}", json=body or None, headers=headers)


def decide(client: TestClient, headers: dict[str, str], case_id: int, action: str) -> Any:
    """Any action with a well-formed body, to test who may take it."""
    return act(client, headers, case_id, action, **DECISIONS.get(action, {}))


def test_the_queue_shows_only_the_callers_jurisdiction(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = queued_birth(client, engine, hospital)
    tehran = staff(client, engine, "registrar")
    isfahan = staff(client, engine, "registrar", offices.ISFAHAN_OFFICE)
    isfahan_supervisor = staff(client, engine, "provincial_supervisor", offices.ISFAHAN_OFFICE)
    admin = staff(client, engine, "national_admin", offices.ISFAHAN_OFFICE)
    seen = client.get(QUEUE, headers=tehran).json()
    assert seen["total"] == 1 and seen["items"][0]["case_id"] == case_id
    assert seen["items"][0]["flags"] == ["no_registered_marriage"]
    assert client.get(QUEUE, headers=admin).json()["total"] == 1
    for other in (isfahan, isfahan_supervisor):
        assert client.get(QUEUE, headers=other).json() == {"total": 0, "items": []}
        denied = client.get(f"{QUEUE}/{case_id}", headers=other)
        assert (denied.status_code, denied.json()["code"]) == (403, "outside_jurisdiction")
    size = ledger_size(engine)
    for action in ("assign", "approve", "reject"):
        response = decide(client, isfahan, case_id, action)
        assert response.status_code == 403, (action, response.text)
    assert ledger_size(engine) == size
    assert client.get(QUEUE, headers=hospital).status_code == 403  # not staff
    assert client.get(QUEUE).status_code == 401


def test_filters_by_flag_kind_age_and_holder(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = queued_birth(client, engine, hospital)
    registrar = staff(client, engine, "registrar")

    def total(**params: Any) -> int:
        response = client.get(QUEUE, params=params, headers=registrar)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    assert total(flag="no_registered_marriage") == 1 and total(flag="late") == 0
    assert total(kind="birth") == 1 and total(kind="death") == 0
    assert total(min_age_days=0) == 1 and total(min_age_days=3) == 0
    assert total(assigned="none") == 1 and total(assigned="me") == 0
    act(client, registrar, case_id, "assign")
    assert total(assigned="me") == 1 and total(assigned="none") == 0
    clock.set_clock(clock.FixedClock(datetime(2025, 9, 26, 8, 0, tzinfo=UTC)))
    registrar = staff(client, engine, "registrar")  # the first token has expired
    assert total(min_age_days=3) == 1
    bad = client.get(QUEUE, params={"flag": "nonsense"}, headers=registrar)
    assert bad.status_code == 422 and bad.json()["message_fa"]


def test_one_registrar_at_a_time_then_approval_registers_the_birth(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = queued_birth(client, engine, hospital)
    first, second = staff(client, engine, "registrar"), staff(client, engine, "registrar")
    assert act(client, first, case_id, "assign").json()["assigned_to"].startswith("staff:")
    size = ledger_size(engine)
    for action in ("assign", "approve", "reject", "release"):
        taken = decide(client, second, case_id, action)
        assert taken.status_code in (403, 409), (action, taken.text)
    assert ledger_size(engine) == size
    assert act(client, first, case_id, "release").status_code == 200
    assert act(client, second, case_id, "assign").status_code == 200
    approved = act(client, second, case_id, "approve", note="هر دو والد حاضر شدند")
    assert approved.status_code == 200, approved.text
    code = approved.json()["national_code"]
    with Session(engine) as s:
        child = s.get(Person, code)
    assert child is not None and child.father_code == C["karim"]
    assert client.get(QUEUE, headers=first).json()["total"] == 0
    history = client.get(f"{QUEUE}/{case_id}/history", headers=first).json()
    assert [h["kind"] for h in history] == [
        "birth.notified", "birth.queued", "case.assigned", "case.released", "case.assigned",
        "birth.registered",
    ]  # fmt: skip
    assert history[-1]["data"]["set"]["subject"] == code
    again = act(client, second, case_id, "approve", note="دوباره")
    assert (again.status_code, again.json()["code"]) == (409, "not_queued")


def test_a_late_birth_needs_two_different_people(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = late_birth(client, engine, hospital)
    registrar = staff(client, engine, "registrar")
    senior, other_senior = (
        staff(client, engine, "senior_registrar"),
        staff(client, engine, "senior_registrar"),
    )
    first = act(client, registrar, case_id, "approve", note="مدارک بیمارستان دیده شد")
    assert first.json()["status"] == "awaiting_second_approval", first.text
    size = ledger_size(engine)
    own = act(client, registrar, case_id, "approve", note="دوباره خودم")
    assert (own.status_code, own.json()["code"]) == (403, "missing_scope")
    assert ledger_size(engine) == size
    endorsed = client.get(f"{QUEUE}/{case_id}", headers=senior).json()
    assert endorsed["needs_two_persons"] and endorsed["endorsed_by"].startswith("staff:registrar")
    done = act(client, senior, case_id, "approve", note="تأیید دوم")
    assert done.json()["status"] == "registered", done.text
    # a senior who gave the first approval may not give the second
    n = notice(notification_id="L2", born_at="2025-09-02T10:00:00+03:30")
    n.update(mother_national_code=C["sara"], father_national_code=C["karim"])  # another mother
    second_case = client.post(BIRTHS, json=n, headers=hospital).json()["case_id"]
    assert declare(client, engine, second_case, C["sara"]).json()["flags"] == ["late"]
    assert act(client, senior, second_case, "approve", note="تأیید اول").status_code == 200
    same = act(client, senior, second_case, "approve", note="تأیید دوم خودم")
    assert (same.status_code, same.json()["code"]) == (403, "same_person")
    assert act(client, other_senior, second_case, "approve", note="تأیید دوم").status_code == 200


def test_a_name_under_review_is_decided_by_the_registrar(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = client.post(BIRTHS, json=notice(notification_id="R"), headers=hospital).json()[
        "case_id"
    ]
    assert declare(client, engine, case_id, C["ali"], first_name="شاه‌بانو").json()["flags"] == [
        "name_review"
    ]
    registrar = staff(client, engine, "registrar")
    bad = act(client, registrar, case_id, "approve", note="نام", first_name="   ")
    assert bad.status_code == 422
    approved = act(client, registrar, case_id, "approve", note="نام با والدین", first_name="بانو")
    with Session(engine) as s:
        child = s.get(Person, approved.json()["national_code"])
    assert child is not None and child.first_name == "بانو"


def test_what_only_the_source_can_fix_is_rejected_not_approved(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    n = notice(notification_id="I", sex="unknown")
    case_id = client.post(BIRTHS, json=n, headers=hospital).json()["case_id"]
    declare(client, engine, case_id, C["ali"])
    registrar = staff(client, engine, "registrar")
    size = ledger_size(engine)
    refused = act(client, registrar, case_id, "approve", note="تأیید")
    assert (refused.status_code, refused.json()["code"]) == (409, "cannot_approve")
    short = act(client, registrar, case_id, "reject", reason="")
    assert short.status_code == 422 and ledger_size(engine) == size
    rejected = act(client, registrar, case_id, "reject", reason="جنسیت نامعلوم؛ اعلام تازه لازم")
    assert rejected.json()["status"] == "rejected"
    assert client.get(QUEUE, headers=registrar).json()["total"] == 0
    case = client.get(f"{QUEUE}/{case_id}", headers=registrar).json()
    assert case["status"] == "rejected" and case["data"]["rejected_by"]["note"].startswith("جنسیت")


def test_bad_requests_are_clear_and_change_nothing(
    client: TestClient, engine: Engine, hospital: dict[str, str]
) -> None:
    case_id = queued_birth(client, engine, hospital)
    registrar = staff(client, engine, "registrar")
    size = ledger_size(engine)
    for response in (
        act(client, registrar, 999, "assign"),
        act(client, registrar, case_id, "approve"),
        act(client, registrar, case_id, "approve", note="ok", extra=1),
        act(client, registrar, case_id, "release"),
        client.get(f"{QUEUE}/0", headers=registrar),
        client.get(QUEUE, params={"limit": 0}, headers=registrar),
    ):
        assert 400 <= response.status_code < 500, response.text
        assert {"code", "message_fa", "message_en"} <= response.json().keys()
    assert ledger_size(engine) == size
