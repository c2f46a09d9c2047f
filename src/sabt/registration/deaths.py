"""Deaths: a notification from a hospital, forensic medicine or a consulate (a death
abroad). Clean and on time → registered at once: the person deceased, their marriages ended
by death, the widow's waiting period recorded; otherwise the registrar queue with flags.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.identity.service import Caller, Forbidden
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.persian import places
from sabt.registration import cases, rules
from sabt.registration.cases import Outcome
from sabt.registration.models import Case
from sabt.registration.notification_input import DeathNotice
from sabt.registry import ledger
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage, Office, OfficePrefix, Person


def notify_death(session: Session, caller: Caller, notice: DeathNotice) -> Outcome:
    """Record a death notification (idempotent on reporter + notification id)."""
    cases.check_own_office(caller, notice.reporter)
    code = parse_code(notice.national_code)
    if notice.died_at > clock.now():
        raise BadInput("future_date", "زمان فوت در آینده است", "the death time is in the future")
    ledger.lock_head(session)
    if (first := find(session, notice)) is not None:
        return Outcome(200, cases.outcome_of(first))
    reporter = session.get(Office, notice.reporter)
    assert reporter is not None  # the caller's own office
    office, county, province = _responsible(session, reporter, notice, code)
    person = session.get(Person, code)
    flags = _flags(notice, person, reporter)
    now, case_id = cases.now_text(), cases.next_id(session)
    row = {
        "id": case_id, "kind": "death", "status": "notified",
        "source": reporter.code, "external_id": notice.notification_id, "received_at": now,
        "event_at": ledger.utc_text(notice.died_at), "office": office, "county": county,
        "province": province, "subject": code, "mother": None, "father": None,
        "flags": " ".join(flags), "data": cases.dumps({"notification": notice.as_json()}),
        "outcome": "{}", "assigned_to": None, "updated_at": now,
    }  # fmt: skip
    registry.append(session, [cases.open_entry("death.notified", row, caller, notice.died_at)])
    case = cases.load(session, case_id)
    if flags:
        return Outcome(201, _queue(session, caller, case, flags))
    return Outcome(201, register(session, caller, case, cases.data_of(case), first_answer=True))


def find(session: Session, notice: DeathNotice) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.source == notice.reporter,
            Case.kind == "death",
            Case.external_id == notice.notification_id,
        )
    )


def _responsible(
    session: Session, reporter: Office, notice: DeathNotice, code: str
) -> tuple[str, str | None, str | None]:
    """The office whose queue the death belongs to, with its county and province: the
    consulate for a death abroad, else the civil registration office of the death's county."""
    place = notice.place
    if reporter.kind == "consulate" or place.kind == "abroad":
        if reporter.kind != "consulate" or place.kind != "abroad":
            raise BadInput(
                "abroad_by_consulate",
                "فوت در خارج از کشور را فقط کنسولگری اعلام می‌کند",
                "a death abroad is reported by a consulate, and a consulate reports only those",
            )
        return reporter.code, None, None
    county = _death_county(session, reporter, notice, code)
    office = session.scalar(
        select(Office)
        .join(OfficePrefix, OfficePrefix.office == Office.code)
        .where(Office.kind == "civil_registration", Office.county == county)
        .order_by(Office.code)
        .limit(1)
    )
    if office is None:
        raise Conflict(
            "no_registry_office",
            "برای این شهرستان ادارهٔ ثبت احوالی تعریف نشده",
            f"no civil registration office with prefixes in county {county}",
        )
    return office.code, office.county, office.province


def _death_county(session: Session, reporter: Office, notice: DeathNotice, code: str) -> str:
    place = notice.place
    if place.kind == "hospital":
        if reporter.kind == "hospital" and place.office != reporter.code:
            raise Forbidden(
                "other_office",
                "بیمارستان فقط فوت در همان بیمارستان را اعلام می‌کند",
                "a hospital reports deaths in its own wards only",
            )
        hospital = session.get(Office, place.office)
        if hospital is None or hospital.kind != "hospital" or hospital.county is None:
            raise BadInput(
                "unknown_office", "بیمارستان ناشناخته است", f"no hospital {place.office}"
            )
        return hospital.county
    if place.county is not None:
        if place.county not in places.counties():
            raise BadInput("unknown_county", "شهرستان ناشناخته", f"unknown county {place.county!r}")
        return place.county
    person = session.get(Person, code)  # a death at home with no county: where they lived
    county = person.residence_county if person is not None else reporter.county
    assert county is not None
    return county


def _flags(notice: DeathNotice, person: Person | None, reporter: Office) -> list[str]:
    if person is None:
        return ["unknown_person"]
    flags = []
    if not competent(reporter, notice):
        flags.append("reporter_not_competent")
    died = clock.civil_date(notice.died_at)
    if person.status == "deceased":
        flags.append("already_deceased")
    if died < person.birth_date:
        flags.append("date_before_birth")
    if rules.is_late(died, rules.DEATH_PERIOD_DAYS, clock.today_tehran()):
        flags.append("late")
    return flags


def competent(reporter: Office, notice: DeathNotice) -> bool:
    """Whether the reporter is the one the law names for this death, so that it may take
    effect at once: a hospital for a death in its own wards (Civil Registration Act Art. 24);
    forensic medicine, which certifies deaths outside hospitals, in its county; a consulate
    for a death abroad. A hospital's report of a death at home or elsewhere waits for two
    registrars: one leaked hospital credential must not declare anyone in the country dead."""
    if reporter.kind == "hospital":
        return notice.place.kind == "hospital"
    return True


def _queue(session: Session, caller: Caller, case: Case, flags: list[str]) -> dict[str, Any]:
    body = cases.queued_answer(case.id, flags, case.subject)
    cases.step(session, case, "queued", caller, status="queued", outcome=cases.dumps(body))
    return body


def register(
    session: Session, caller: Caller, case: Case, data: dict[str, Any], first_answer: bool = False
) -> dict[str, Any]:
    """Register the death of `case`: the person deceased and their marriages ended by death,
    one transaction; the back office calls this too when it approves a queued death.
    `first_answer`: this is the notification's own answer, kept for resends."""
    notice = data["notification"]
    died_at = datetime.fromisoformat(notice["died_at"])
    died = clock.civil_date(died_at)
    person = session.get(Person, case.subject)
    if person is None or person.status != "alive":
        raise Conflict(
            "already_deceased",
            "این شخص در ثبت زنده نیست",
            f"{case.subject} is not a living person of the register",
        )
    ended = [
        {"id": m.id, "waiting_period_end": _waiting_end(person, died)}
        for m in _open_marriages(session, person.national_code)
    ]
    death = {
        "national_code": person.national_code,
        "death_date": died.isoformat(),
        "death_at": ledger.utc_text(died_at),
        "death_place": case.county,
        "death_registered_at": cases.now_text(),
        "place": notice["place"],
        "cause_icd10": notice["cause_icd10"],
        "marriages_ended": ended,
    }
    body = {
        "status": "registered",
        "case_id": case.id,
        "national_code": person.national_code,
        "flags": [],
        "marriages_ended": [m["id"] for m in ended],
        "inheritance_certificate_due": True,
        "message_fa": "فوت ثبت شد؛ ورود با هویت این شخص بسته شد و گواهی انحصار وراثت لازم است",
        "message_en": "death registered: the person can no longer authenticate; an inheritance"
        " certificate is due",
    }
    answer = {"outcome": cases.dumps(body)} if first_answer else {}
    change = ledger.NewEntry(
        "person.died", person.national_code, death, caller.actor, case.office, died_at
    )
    cases.registered(session, case, caller, data, change, **answer)
    return body


def _open_marriages(session: Session, code: str) -> list[Marriage]:
    return list(
        session.scalars(
            select(Marriage)
            .where(
                (Marriage.husband_code == code) | (Marriage.wife_code == code),
                Marriage.ended_at.is_(None),
            )
            .order_by(Marriage.id)
        )
    )


def _waiting_end(person: Person, died: date) -> str | None:
    """A widow keeps a waiting period (Civil Code 1154); a widower does not."""
    return rules.widow_waiting_end(died).isoformat() if person.sex == "male" else None
