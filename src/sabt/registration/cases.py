"""What every registration workflow shares: a case is opened by one ledger entry and each
later step (queued, assigned, approved, registered, rejected) is another, applied to the case
table by appliers.py in the same transaction as the register's own entries."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sabt.identity.roles import Place
from sabt.identity.service import Caller, Forbidden
from sabt.kit import canonical, clock, params
from sabt.kit.errors import BadInput, NotFound
from sabt.persian import jalali
from sabt.persian.digits import to_ascii
from sabt.registration import appliers, rules
from sabt.registration.models import Case
from sabt.registry import ledger
from sabt.registry import service as registry
from sabt.registry.models import Person
from sabt.registry.schemas import PersonRecord

appliers.register()


@dataclass(frozen=True)
class Outcome:
    status_code: int  # 201 first time, 200 for a resend
    body: dict[str, Any]


def now_text() -> str:
    return ledger.utc_text(clock.now())


def subject(case: Case) -> str:
    """The ledger subject of a case: every step of it is found by this."""
    return f"{case.kind}:{case.id}"


def next_id(session: Session) -> int:
    """The next case id; callers hold the ledger head lock, so ids never collide."""
    return (session.scalar(select(func.max(Case.id))) or 0) + 1


def load(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no_case", "این پرونده پیدا نشد", f"no case {case_id}")
    return case


def place(case: Case) -> Place:
    return Place(case.office, case.county, case.province)


def check_own_office(caller: Caller, office: str) -> None:
    """An organisation notifies only in its own name."""
    if office != caller.place.office:
        raise Forbidden(
            "other_office",
            "این اعلام از ادارهٔ شما نیست",
            f"you may notify only for your own office, not {office}",
        )


def queued_answer(case_id: int, flags: list[str], national_code: str | None) -> dict[str, Any]:
    """The answer for a case sent to the registrar queue: its flags and what clears each."""
    return {
        "status": "queued",
        "case_id": case_id,
        "national_code": national_code,
        "flags": flags,
        "to_clear": {f: {"fa": rules.FLAGS[f][0], "en": rules.FLAGS[f][1]} for f in flags},
        "message_fa": "اعلام به کارتابل کارشناس ثبت احوال رفت: "
        + "؛ ".join(rules.FLAGS[f][0] for f in flags),
        "message_en": "sent to a registrar: " + "; ".join(rules.FLAGS[f][1] for f in flags),
    }


def open_entry(
    kind: str, row: dict[str, Any], caller: Caller, occurred: Any = None
) -> ledger.NewEntry:
    """The entry that opens a case (`<kind>.notified` or `<kind>.filed`)."""
    return ledger.NewEntry(
        kind, f"{row['kind']}:{row['id']}", {"case": row}, caller.actor, row["source"], occurred
    )


def step_entry(case: Case, step: str, caller: Caller, **changes: Any) -> ledger.NewEntry:
    """The entry of one later step of a case: `<case kind>.<step>` or `case.<step>`."""
    changes["updated_at"] = now_text()
    kind = step if "." in step else f"{case.kind}.{step}"
    return ledger.NewEntry(
        kind, subject(case), {"case": case.id, "set": changes}, caller.actor, case.office
    )


def registered(
    session: Session, case: Case, caller: Caller, data: dict[str, Any],
    change: ledger.NewEntry, **changes: Any,
) -> None:  # fmt: skip
    """The end of every approved case: the register's change and the case's `registered`
    step (with its final data), one write."""
    step_changes = {"status": "registered", "data": dumps(data), "assigned_to": None, **changes}
    registry.append(session, [change, step_entry(case, "registered", caller, **step_changes)])


def step(session: Session, case: Case, name: str, caller: Caller, **changes: Any) -> None:
    """Record one step of `case` and apply it; `case` is reloaded to show it."""
    registry.append(session, [step_entry(case, name, caller, **changes)])
    session.refresh(case)  # the step was written below the ORM, by registry.state


def data_of(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = canonical.loads(case.data)
    return data


def outcome_of(case: Case) -> dict[str, Any]:
    """The first answer given for the case's notification (returned again on a resend)."""
    outcome: dict[str, Any] = canonical.loads(case.outcome)
    return outcome


def parse_day(value: str) -> date:
    """A day as staff type it: Jalali (1403/05/12 or 1403-05-12, Persian digits too) or ISO
    (2024-08-02). A year below 1700 is a Jalali year: no Gregorian date that early belongs
    in the register, and 1404-01-01 typed by a registrar means Nowruz 1404."""
    try:
        text = to_ascii(value.strip())
        jalali_year = "/" in text or (text[:4].isdigit() and int(text[:4]) < 1700)
        day = jalali.from_jalali(text) if jalali_year else date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(
            "bad_date", f"تاریخ نامعتبر است: {value}", f"not a Jalali or ISO date: {value!r}"
        ) from exc
    if not params.day_in_range(day):
        raise BadInput(
            "date_out_of_range",
            f"تاریخ باید میان ۱۸۰۰ و ۲۱۹۹ میلادی باشد: {value}",
            f"{value!r} must be {params.RANGE_EN}",
        )
    return day


def dumps(value: Any) -> str:
    return canonical.dumps(value).decode()


def late_birth_record(
    code: str, case: Case, data: dict[str, Any], mother: Person | None, father: Person | None
) -> PersonRecord:
    """The register's record of an approved late birth, from its filing (births approves
    it; late_births files it)."""
    filing = data["filing"]
    return PersonRecord(
        national_code=code,
        first_name=filing["first_name"],
        last_name=filing["last_name"],
        father_name=filing["father_name"],
        sex=filing["sex"],
        birth_date=date.fromisoformat(filing["born_on"]),
        birth_county=filing["birth_county"],
        residence_county=mother.residence_county if mother else filing["birth_county"],
        religion=filing["religion"],
        school=filing["school"],
        birth_at=None,
        birth_registered_at=clock.now(),
        registering_office=case.office,
        booklet_series=f"E{code[:3]}",
        booklet_serial=code[3:9],
        father=father.national_code if father else None,
        mother=mother.national_code if mother else None,
    )
