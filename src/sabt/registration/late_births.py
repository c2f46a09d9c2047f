"""Late birth registrations filed by a registrar: a birth that no hospital notified in time
(a home birth, a child or an adult who was never registered). The filer's evidence (a court
judgment, witnesses' statements, a birth certificate from abroad) is checked by a second,
senior person in the back office (queue.py): these births are never registered by one person
alone. The approval registers them through births.register, like any queued birth.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sabt.identity.service import Caller
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.registration import cases, rules
from sabt.registration.cases import Outcome
from sabt.registration.models import Case
from sabt.registry import ledger, validation
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage, OfficePrefix, Person

RELIGIONS = ("muslim", "other")
SCHOOLS = ("shia", "sunni", "none")


@dataclass(frozen=True)
class Filing:
    first_name: str
    last_name: str | None  # the father's (or mother's) surname when not given (Art. 16)
    father_name: str | None  # the father's first name when he is in the register
    sex: str
    born_on: date
    birth_county: str
    mother: str | None  # national codes, when the parents are in the register
    father: str | None
    religion: str | None  # the parents' when not given; needed when no parent is known
    school: str | None  # (religion decides inheritance, Civil Code 881 bis)
    legal_basis: str
    document_ref: str  # the filing office's reference: a resend under it answers the first


def file(session: Session, caller: Caller, filing: Filing) -> Outcome:
    """File a late birth; it waits in the filer's own office queue for a senior."""
    ledger.lock_head(session)
    office = caller.place.office
    first = session.scalar(
        select(Case).where(
            Case.source == office, Case.kind == "birth", Case.external_id == filing.document_ref
        )
    )
    if first is not None:
        return Outcome(200, cases.outcome_of(first))
    _check_office_issues_codes(session, office)
    stored = _checked(session, filing)
    flags = _flags(session, stored)
    case_id = cases.next_id(session)
    body = cases.queued_answer(case_id, flags, None)
    now = cases.now_text()
    row = {
        "id": case_id, "kind": "birth", "status": "queued", "source": office,
        "external_id": filing.document_ref, "received_at": now,
        "event_at": ledger.utc_text(_noon(stored.born_on)), "office": office,
        "county": caller.place.county, "province": caller.place.province, "subject": None,
        "mother": stored.mother, "father": stored.father, "flags": " ".join(flags),
        "data": cases.dumps({
            "filing": {**asdict(stored), "born_on": stored.born_on.isoformat()},
            "endorsed_by": {"by": caller.actor, "at": now, "note": "filed"},
        }),
        "outcome": cases.dumps(body), "assigned_to": None, "updated_at": now,
    }  # fmt: skip
    registry.append(session, [cases.open_entry("birth.filed", row, caller)])
    return Outcome(201, body)


def _noon(day: date) -> datetime:
    """A filed birth is known by its day only; its case is dated at noon, Tehran time."""
    return datetime.combine(day, time(12), tzinfo=clock.TEHRAN)


def _check_office_issues_codes(session: Session, office: str | None) -> None:
    if session.scalar(select(OfficePrefix.prefix).where(OfficePrefix.office == office)) is None:
        raise Conflict(
            "no_prefix",
            "ادارهٔ شما کد ملی صادر نمی‌کند؛ ولادت را در ادارهٔ ثبت احوال ثبت کنید",
            f"office {office} issues no national codes: file the birth at a registry office",
        )


def _checked(session: Session, filing: Filing) -> Filing:
    """The filing with its names, codes and county in stored form; bad input raises."""
    if filing.sex not in ("male", "female"):
        raise BadInput("bad_sex", "جنسیت باید مرد یا زن باشد", "sex must be male or female")
    if filing.born_on > clock.today_tehran():
        raise BadInput("future_date", "تاریخ تولد در آینده است", "the birth date is in the future")
    county = validation.check_county(filing.birth_county, "birth county")
    mother = _parent(session, filing.mother, "female", "mother", filing.born_on)
    father = _parent(session, filing.father, "male", "father", filing.born_on)
    if mother is not None and not rules.mother_age_plausible(mother.birth_date, filing.born_on):
        raise BadInput(
            "implausible_mother_age",
            "سن مادر برای زایمان ناممکن است",
            "the mother's age at this birth is implausible",
        )
    first, _ = validation.check_name(filing.first_name, "first name")
    family = father or mother
    last, _ = validation.check_name(
        filing.last_name or (family.last_name if family else None), "last name"
    )
    father_name, _ = validation.check_name(
        father.first_name if father else filing.father_name, "father's name", required=False
    )
    assert first is not None and last is not None
    religion = _given_or_family(filing.religion, family.religion if family else None, RELIGIONS)
    school = _given_or_family(filing.school, family.school if family else None, SCHOOLS)
    return Filing(
        first, last, father_name, filing.sex, filing.born_on, county,
        mother.national_code if mother else None, father.national_code if father else None,
        religion, school, filing.legal_basis, filing.document_ref,
    )  # fmt: skip


def _given_or_family(given: str | None, family: str | None, allowed: tuple[str, ...]) -> str:
    value = given or family
    if value is None:
        raise BadInput(
            "missing_religion",
            "بدون والدِ ثبت‌شده، دین و مذهب را باید نوشت",
            f"with no parent in the register, say religion and school ({', '.join(allowed)})",
        )
    if value not in allowed:
        raise BadInput("bad_value", f"مقدار نامعتبر: {value}", f"must be one of {allowed}")
    return value


def _parent(session: Session, raw: str | None, sex: str, who: str, born_on: date) -> Person | None:
    if raw is None:
        return None
    code = parse_code(raw)
    person = session.get(Person, code)
    if person is None:
        raise BadInput(
            "unknown_person",
            f"کد ملی {who} در ثبت نیست: {code}",
            f"no {who} {code} in the register",
        )
    if person.sex != sex:
        raise BadInput(f"{who}_not_{sex}", f"جنسیت {who} نادرست است", f"{code} is not {sex}")
    if born_on < person.birth_date:
        raise BadInput(
            f"before_{who}_birth", "تولد پیش از تولد والد است", f"the birth is before the {who}'s"
        )
    return person


def _flags(session: Session, filing: Filing) -> list[str]:
    flags = ["no_notification"]
    if rules.is_late(filing.born_on, rules.BIRTH_PERIOD_DAYS, clock.today_tehran()):
        flags.append("late")
    if filing.mother and filing.father and not _paternity_presumed(session, filing):
        flags.append("no_registered_marriage")
    if _may_be_registered(session, filing):
        flags.append("potential_duplicate")
    assert filing.first_name is not None
    if rules.name_needs_review(filing.first_name, filing.sex):
        flags.append("name_review")
    return flags


def _paternity_presumed(session: Session, filing: Filing) -> bool:
    rows = session.execute(
        select(Marriage.registered_at, Marriage.ended_at).where(
            Marriage.husband_code == filing.father, Marriage.wife_code == filing.mother
        )
    )
    spans = [rules.MarriageSpan(start.date(), end.date() if end else None) for start, end in rows]
    return rules.paternity_presumed(filing.born_on, spans)


def _may_be_registered(session: Session, filing: Filing) -> bool:
    """Someone of this name born this day, of this surname or to this mother, is already in
    the register (the person may have a booklet already)."""
    same_family = [Person.last_name == filing.last_name]
    if filing.mother:
        same_family.append(Person.mother_code == filing.mother)
    hit = session.scalar(
        select(Person.national_code)
        .where(
            Person.birth_date == filing.born_on,
            Person.first_name == filing.first_name,
            or_(*same_family),
        )
        .limit(1)
    )
    return hit is not None
