"""Revoking a wrongly registered death. A registrar files the revocation (the person seen
alive, the decision or evidence that shows the death was wrong); it takes effect only when a
different senior approves it (the two-person rule, queue.py). Then, in one transaction: the
person alive again, the marriages the death ended reopened, and, through the followers of
the ledger, the documents and the inheritance certificate the death caused revoked and
everyone who was told of them told again (a false death spreads: the US Death Master File's
lesson).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.identity.service import Caller
from sabt.kit.errors import BadInput, Conflict
from sabt.registration import cases
from sabt.registration.corrections import place_of
from sabt.registration.models import Case
from sabt.registry import ledger, queries
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage, Person

KIND = "death_revocation"
REASON_CHARS = (10, 500)


def file(
    session: Session, caller: Caller, code: str, reason: str, document_ref: str
) -> dict[str, Any]:
    """File a revocation of a registered death; the filer's is the first approval."""
    ledger.lock_head(session)
    person = queries.get_person(session, parse_code(code))
    caller.require_jurisdiction(place_of(person))
    if person.status != "deceased":
        raise Conflict(
            "not_deceased", "فوتی برای این شخص ثبت نشده", f"{code} has no registered death"
        )
    _check_none_pending(session, person.national_code)
    reason = _checked_reason(reason)
    case_id, now = cases.next_id(session), cases.now_text()
    body = {
        "status": "queued",
        "case_id": case_id,
        "national_code": person.national_code,
        "message_fa": "درخواست ابطال ثبت فوت ثبت شد؛ کارشناس ارشد دیگری باید تأیید کند",
        "message_en": "death revocation filed; another senior registrar must approve it",
    }
    revocation = {"reason": reason, "document_ref": document_ref.strip(),
                  "death_date": _iso(person.death_date)}  # fmt: skip
    row = {
        "id": case_id, "kind": KIND, "status": "queued", "source": caller.place.office,
        "external_id": f"R-{case_id}", "received_at": now, "event_at": now,
        "office": caller.place.office, "county": caller.place.county,
        "province": caller.place.province, "subject": person.national_code, "mother": None,
        "father": None, "flags": "",
        "data": cases.dumps({"revocation": revocation,
                             "endorsed_by": {"by": caller.actor, "at": now, "note": "filed"}}),
        "outcome": cases.dumps(body), "assigned_to": None, "updated_at": now,
    }  # fmt: skip
    registry.append(session, [cases.open_entry(f"{KIND}.filed", row, caller)])
    return body


def apply(session: Session, caller: Caller, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """The approved revocation takes effect: the person alive, the marriages their death
    ended reopened (refused when a surviving wife has married since: only a court can
    undo that), and the followers revoke what the death caused."""
    person = queries.get_person(session, case.subject or "")
    if person.status != "deceased":
        raise Conflict(
            "not_deceased", "فوتی برای این شخص ثبت نشده", f"{case.subject} has no registered death"
        )
    reopened = _marriages_ended_by_death(session, person)
    _check_spouses_free(session, person, reopened)
    revoked = {
        "national_code": person.national_code,
        "case": case.id,
        "reason": data["revocation"]["reason"],
        "death_date": _iso(person.death_date),
        "death_registered_at": _iso(person.death_registered_at),
        "marriages_reopened": [m.id for m in reopened],
    }
    change = ledger.NewEntry(
        "person.death_revoked", person.national_code, revoked, caller.actor, case.office
    )
    cases.registered(session, case, caller, data, change)
    return {
        "status": "registered",
        "case_id": case.id,
        "national_code": person.national_code,
        "marriages_reopened": revoked["marriages_reopened"],
        "message_fa": "ثبت فوت ابطال شد؛ شخص در ثبت زنده است و گواهی‌های ناشی از فوت باطل شد",
        "message_en": "the death registration is revoked: the person is alive in the register"
        " and the documents the death caused are revoked",
    }


def _marriages_ended_by_death(session: Session, person: Person) -> list[Marriage]:
    """The marriages this death ended: ended by death at the moment of it."""
    code = person.national_code
    return list(
        session.scalars(
            select(Marriage)
            .where(
                (Marriage.husband_code == code) | (Marriage.wife_code == code),
                Marriage.end_reason == "death",
                Marriage.ended_at == person.death_at,
            )
            .order_by(Marriage.id)
        )
    )


def _check_spouses_free(session: Session, person: Person, reopened: list[Marriage]) -> None:
    """A widow who has married since cannot be given back her first marriage by a
    registrar: two marriages of one woman are void (Civil Code Art. 1050)."""
    for marriage in reopened:
        if marriage.wife_code == person.national_code:
            continue
        later = session.scalar(
            select(Marriage.id).where(
                Marriage.wife_code == marriage.wife_code, Marriage.id > marriage.id
            )
        )
        if later is not None:
            raise Conflict(
                "spouse_remarried",
                "همسر بازمانده پس از فوت ازدواج کرده؛ ابطال فوت با حکم دادگاه ممکن است",
                f"the surviving wife of marriage {marriage.id} has married since: revoking"
                " this death needs a court's decision",
            )


def _check_none_pending(session: Session, code: str) -> None:
    pending = session.scalar(
        select(Case.id).where(Case.kind == KIND, Case.subject == code, Case.status == "queued")
    )
    if pending is not None:
        raise Conflict(
            "revocation_pending",
            "درخواست دیگری برای ابطال همین فوت در جریان است",
            f"case {pending} already asks to revoke this death",
        )


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    low, high = REASON_CHARS
    if not low <= len(reason) <= high:
        raise BadInput(
            "bad_reason",
            f"دلیل ابطال را در {low} تا {high} حرف بنویسید",
            f"the reason must be {low} to {high} characters",
        )
    return reason


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
