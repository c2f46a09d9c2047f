"""Births: a hospital's notification, a parent's declaration, the automatic registration
of a clean birth; and the registration itself, which the back office reuses when a
registrar approves a queued birth.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.identity.service import Caller, Forbidden
from sabt.kit import canonical, clock
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.registration import cases, rules
from sabt.registration.cases import Outcome
from sabt.registration.models import Case
from sabt.registration.notification_input import BirthNotice
from sabt.registry import ledger, validation
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage, Office, OfficePrefix, Person
from sabt.registry.schemas import PersonRecord


def _unknown_person(code: str, who: str) -> BadInput:
    return BadInput(
        "unknown_person", f"کد ملی {who} در ثبت نیست: {code}", f"no {who} {code} in the register"
    )


# --- notification --------------------------------------------------------------------


def notify_birth(session: Session, caller: Caller, notice: BirthNotice) -> Outcome:
    """Record a hospital's birth notification (idempotent on hospital + notification id)."""
    cases.check_own_office(caller, notice.hospital)
    ledger.lock_head(session)  # serialises writers before the resend check and the new id
    if (first := _existing(session, "birth", notice)) is not None:
        return Outcome(200, cases.outcome_of(first))
    mother, father = _parents(session, notice)
    flags = _notification_flags(session, notice, mother, father)
    hospital = session.get(Office, notice.hospital)
    assert hospital is not None  # the caller's own office
    registry_office = _registry_office(session, hospital)
    case_id = cases.next_id(session)
    status = "stillbirth" if notice.stillborn else "notified"
    body = _notified_body(case_id, status, flags)
    now = cases.now_text()
    row = {
        "id": case_id,
        "kind": "birth",
        "status": status,
        "source": hospital.code,
        "external_id": notice.notification_id,
        "received_at": now,
        "event_at": ledger.utc_text(notice.born_at),
        "office": registry_office,
        "county": hospital.county,
        "province": hospital.province,
        "subject": None,
        "mother": mother.national_code,
        "father": father.national_code if father else None,
        "flags": " ".join(flags),
        "data": cases.dumps({"notification": notice.as_json()}),
        "outcome": cases.dumps(body),
        "assigned_to": None,
        "updated_at": now,
    }
    registry.append(session, [cases.open_entry("birth.notified", row, caller, notice.born_at)])
    return Outcome(201, body)


def _existing(session: Session, kind: str, notice: BirthNotice) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.source == notice.hospital,
            Case.kind == kind,
            Case.external_id == notice.notification_id,
        )
    )


def _person(session: Session, raw: str, who: str) -> Person:
    code = parse_code(raw)
    person = session.get(Person, code)
    if person is None:
        raise _unknown_person(code, who)
    return person


def _parents(session: Session, notice: BirthNotice) -> tuple[Person, Person | None]:
    born = clock.civil_date(notice.born_at)
    if notice.born_at > clock.now():
        raise BadInput("future_date", "زمان تولد در آینده است", "the birth time is in the future")
    mother = _person(session, notice.mother, "mother")
    if mother.sex != "female":
        raise BadInput(
            "mother_not_female", "مادر باید زن باشد", f"{mother.national_code} is not a woman"
        )
    if born < mother.birth_date:
        raise BadInput(
            "before_mother_birth",
            "تولد پیش از تولد مادر است",
            "the birth is before the mother's own birth",
        )
    if mother.death_date is not None and mother.death_date < born:
        raise BadInput(
            "mother_deceased",
            "مادر پیش از این تولد فوت کرده است",
            "the mother died before this birth",
        )
    if not rules.mother_age_plausible(mother.birth_date, born):
        raise BadInput(
            "implausible_mother_age",
            "سن مادر برای زایمان ناممکن است",
            "the mother's age at this birth is implausible",
        )
    father = _person(session, notice.father, "father") if notice.father else None
    if father is not None and father.sex != "male":
        raise BadInput(
            "father_not_male", "پدر باید مرد باشد", f"{father.national_code} is not a man"
        )
    if father is not None and born < father.birth_date:
        raise BadInput(
            "before_father_birth",
            "تولد پیش از تولد پدر است",
            "the birth is before the father's own birth",
        )
    return mother, father


def _notification_flags(
    session: Session, notice: BirthNotice, mother: Person, father: Person | None
) -> list[str]:
    flags: list[str] = []
    if notice.stillborn:
        return flags
    if notice.sex not in ("male", "female"):
        flags.append("incomplete")
    if father is not None and not rules.paternity_presumed(
        clock.civil_date(notice.born_at), _marriages(session, mother, father)
    ):
        flags.append("no_registered_marriage")
    if _may_duplicate(session, notice, mother):
        flags.append("potential_duplicate")
    return flags


def _marriages(session: Session, mother: Person, father: Person) -> list[rules.MarriageSpan]:
    rows = session.execute(
        select(Marriage.registered_at, Marriage.ended_at).where(
            Marriage.husband_code == father.national_code,
            Marriage.wife_code == mother.national_code,
        )
    )
    return [rules.MarriageSpan(start.date(), end.date() if end else None) for start, end in rows]


def _may_duplicate(session: Session, notice: BirthNotice, mother: Person) -> bool:
    """Another birth by this mother within ~6 months (a notification, or a child already in
    the register) that is not a sibling of this one's plurality."""
    window = timedelta(days=rules.BIRTH_SPACING_DAYS)
    born = notice.born_at.astimezone(UTC).replace(tzinfo=None)
    others = session.scalars(
        select(Case).where(
            Case.kind == "birth",
            Case.mother == mother.national_code,
            Case.status != "rejected",
            Case.event_at > born - window,
            Case.event_at < born + window,
        )
    ).all()
    siblings = [o for o in others if _same_plurality(o, notice, born)]
    if len(siblings) < len(others) or len(siblings) >= notice.plurality:
        return True
    day = clock.civil_date(notice.born_at)
    children = set(
        session.scalars(
            select(Person.national_code).where(
                Person.mother_code == mother.national_code,
                Person.birth_date > day - window,
                Person.birth_date < day + window,
            )
        )
    )
    return bool(children - {o.subject for o in siblings})


def _same_plurality(other: Case, notice: BirthNotice, born: datetime) -> bool:
    """Twins and triplets: same plurality, another birth order, born within a day."""
    seen = canonical.loads(other.data).get("notification")
    return (
        seen is not None  # a registrar's late filing is no hospital's plurality
        and rules.same_birth(other.event_at, born)
        and seen["plurality"] == notice.plurality > 1
        and seen["birth_order"] != notice.birth_order
    )


def _registry_office(session: Session, hospital: Office) -> str:
    """The civil registration office of the hospital's county that issues national codes."""
    office = session.scalar(
        select(Office.code)
        .join(OfficePrefix, OfficePrefix.office == Office.code)
        .where(Office.kind == "civil_registration", Office.county == hospital.county)
        .order_by(Office.code)
        .limit(1)
    )
    if office is None:
        raise Conflict(
            "no_registry_office",
            "برای شهرستان این بیمارستان ادارهٔ ثبت احوالی تعریف نشده",
            f"no civil registration office with prefixes in county {hospital.county}",
        )
    return office


def _notified_body(case_id: int, status: str, flags: list[str]) -> dict[str, Any]:
    if status == "stillbirth":
        return {
            "status": "registered",
            "stillbirth": True,
            "case_id": case_id,
            "national_code": None,
            "flags": [],
            "message_fa": "مرده‌زایی ثبت شد (ماده ۲۲)؛ کد ملی داده نمی‌شود",
            "message_en": "stillbirth recorded (Art. 22); no national code is given",
        }
    return {
        "status": "notified",
        "case_id": case_id,
        "national_code": None,
        "flags": flags,
        "declaration": f"/api/v1/births/{case_id}/declaration",
        "message_fa": "ولادت اعلام شد؛ یکی از والدین باید آن را برخط اعلام (تأیید) کند",
        "message_en": "birth notified; a parent now declares it online (Art. 16)",
    }


# --- declaration ---------------------------------------------------------------------


def declare_birth(
    session: Session, caller: Caller, case_id: int, first_name: str | None
) -> dict[str, Any]:
    """A parent's declaration: clean, on time and declared → registered at once; otherwise
    the registrar queue with the flags."""
    ledger.lock_head(session)
    case = session.get(Case, case_id)
    if case is None or case.kind != "birth":
        raise NotFound("no_case", "این اعلام ولادت پیدا نشد", f"no birth notification {case_id}")
    if caller.national_code not in (case.mother, case.father):
        raise Forbidden(
            "not_a_parent",
            "فقط پدر یا مادر نوزاد می‌تواند اعلام کند",
            "only the child's father or mother may declare (Art. 16)",
        )
    if case.status != "notified":
        raise Conflict(
            "not_awaiting_declaration",
            "این ولادت در انتظار اعلام نیست",
            f"this birth is {case.status}, not awaiting a declaration",
        )
    data = cases.data_of(case)
    notice = data["notification"]
    name = first_name or notice["proposed_first_name"]
    stored, _ = validation.check_name(name, "first name")
    assert stored is not None
    flags = case.flags.split()
    if rules.is_late(
        clock.civil_date(case.event_at.replace(tzinfo=UTC)),
        rules.BIRTH_PERIOD_DAYS,
        clock.today_tehran(),
    ):
        flags.append("late")
    if notice["sex"] in ("male", "female") and rules.name_needs_review(stored, notice["sex"]):
        flags.append("name_review")
    data["declaration"] = {"by": caller.national_code, "at": cases.now_text(), "first_name": name}
    if flags:
        return _queue(session, caller, case, data, flags)
    return register(session, caller, case, data)


def _queue(
    session: Session, caller: Caller, case: Case, data: dict[str, Any], flags: list[str]
) -> dict[str, Any]:
    cases.step(
        session, case, "queued", caller, status="queued", flags=" ".join(flags),
        data=cases.dumps(data),
    )  # fmt: skip
    return cases.queued_answer(case.id, flags, None)


def register(session: Session, caller: Caller, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """Register the declared birth of `case`: a national code from the birth county's
    office, the child's record, the case closed; one transaction, three ledger entries."""
    mother = session.get(Person, case.mother) if case.mother else None
    father = session.get(Person, case.father) if case.father else None
    assert case.office is not None
    prefix = _prefix_of(session, case.office)
    code = registry.allocate_national_code(
        session, prefix, actor=caller.actor, purpose=f"birth:{case.id}"
    )
    if "filing" in data:
        person = cases.late_birth_record(code, case, data, mother, father)
    else:
        assert mother is not None  # a hospital's notification always names her
        person = _child_record(code, case, data, mother, father)
    # parents may hold codes of any office the register knows, not only this prefix
    person_data = validation.person_data(person, registry.known_prefixes(session))
    change = ledger.NewEntry(
        "person.registered", code, person_data, caller.actor, case.office, person.birth_at
    )
    cases.registered(session, case, caller, data, change, subject=code)
    return {
        "status": "registered",
        "case_id": case.id,
        "national_code": code,
        "flags": [],
        "booklet": {"series": person.booklet_series, "serial": person.booklet_serial},
        "message_fa": f"ولادت ثبت شد؛ کد ملی نوزاد {code} و شناسنامهٔ الکترونیک صادر شد",
        "message_en": f"birth registered: national code {code}, electronic booklet issued",
    }


def _prefix_of(session: Session, office: str) -> str:
    prefix = session.scalar(
        select(OfficePrefix.prefix)
        .where(OfficePrefix.office == office)
        .order_by(OfficePrefix.prefix)
        .limit(1)
    )
    if prefix is None:
        raise Conflict(
            "no_prefix", "اداره پیشوند کد ملی ندارد", f"office {office} issues no national codes"
        )
    return prefix


def _child_record(
    code: str, case: Case, data: dict[str, Any], mother: Person, father: Person | None
) -> PersonRecord:
    notice = data["notification"]
    born_at = datetime.fromisoformat(notice["born_at"])
    # Art. 16: the surname is the father's, or the mother's when the father is not known.
    family = father or mother
    return PersonRecord(
        national_code=code,
        first_name=data["declaration"]["first_name"],
        last_name=family.last_name,
        father_name=father.first_name if father else None,
        sex=notice["sex"],
        birth_date=clock.civil_date(born_at),
        birth_county=case.county or mother.residence_county,
        residence_county=mother.residence_county,
        religion=family.religion,
        school=family.school,
        birth_at=born_at,
        birth_registered_at=clock.now(),
        registering_office=case.office,
        booklet_series=f"E{code[:3]}",
        booklet_serial=code[3:9],
        father=father.national_code if father else None,
        mother=mother.national_code,
    )
