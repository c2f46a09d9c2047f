"""Corrections of a person's record: a registrar files one (field, new value, legal basis,
supporting document); a different person with the senior role approves or rejects it in the
back office (queue.py). The approval appends a `person.corrected` entry that supersedes the
old value; the old value stays in the ledger, so every past state can be rebuilt.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.identity.roles import Place
from sabt.identity.service import Caller
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.persian import places
from sabt.registration import attachments, cases
from sabt.registration.models import Attachment, Case
from sabt.registry import ledger, queries, validation
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Office, Person


def _name(value: str, _: Person) -> tuple[str, str | None]:
    stored, key = validation.check_name(value, "name")
    assert stored is not None
    return stored, key


def _birth_date(value: str, person: Person) -> tuple[str, str | None]:
    """A Jalali (1403/05/12) or ISO date, not in the future."""
    day = cases.parse_day(value)
    if day > clock.today_tehran():
        raise BadInput("future_date", "تاریخ در آینده است", "the date is in the future")
    if person.death_date is not None and day > person.death_date:
        raise BadInput("after_death", "تاریخ پس از فوت است", "the birth date is after the death")
    return day.isoformat(), None


def _county(value: str, _: Person) -> tuple[str, str | None]:
    return validation.check_county(value, "birth county"), None


def _one_of(*allowed: str) -> Callable[[str, Person], tuple[str, str | None]]:
    def check(value: str, _: Person) -> tuple[str, str | None]:
        if value not in allowed:
            raise BadInput(
                "bad_value", f"مقدار نامعتبر: {value}", f"the value must be one of {allowed}"
            )
        return value, None

    return check


# The fields a correction may change, each with the check of its new value. Sex and death are
# not corrections: they go through the courts' own workflows. A parent link is corrected only
# on a decision (the dispute board's on an inheritance objection, or a court's) filed by staff
# (PARENT_FIELDS), never on a citizen's own request.
FIELDS: dict[str, Callable[[str, Person], tuple[str, str | None]]] = {
    "first_name": _name,
    "last_name": _name,
    "father_name": _name,
    "birth_date": _birth_date,
    "birth_county": _county,
    "religion": _one_of("muslim", "other"),
    "school": _one_of("shia", "sunni", "none"),
}


def file(
    session: Session,
    caller: Caller,
    code: str,
    field: str,
    new_value: str,
    legal_basis: str,
    document_ref: str,
) -> dict[str, Any]:
    """File a correction; it waits in the queue for a second, senior person."""
    ledger.lock_head(session)
    person = session.get(Person, parse_code(code))
    if person is None:
        raise BadInput("unknown_person", f"کد ملی در ثبت نیست: {code}", f"no person {code}")
    caller.require_jurisdiction(place_of(person))
    new, key = _checked_value(session, person, field, new_value, staff=True)
    old = _value(person, field)
    _check_none_pending(session, person.national_code, field)
    case_id = cases.next_id(session)
    now = cases.now_text()
    correction = {"field": field, "old": old, "new": new, "key": key,
                  "legal_basis": legal_basis, "document_ref": document_ref}  # fmt: skip
    body = {
        "status": "queued",
        "case_id": case_id,
        "national_code": person.national_code,
        "message_fa": "درخواست اصلاح ثبت شد؛ کارشناس ارشد دیگری باید تأیید کند",
        "message_en": "correction filed; another senior registrar must approve it",
    }
    row = {
        "id": case_id, "kind": "correction", "status": "queued", "source": caller.place.office,
        "external_id": f"C-{case_id}", "received_at": now, "event_at": now,
        "office": caller.place.office, "county": caller.place.county,
        "province": caller.place.province, "subject": person.national_code, "mother": None,
        "father": None, "flags": "",
        "data": cases.dumps({"correction": correction,
                             "endorsed_by": {"by": caller.actor, "at": now, "note": "filed"}}),
        "outcome": cases.dumps(body), "assigned_to": None, "updated_at": now,
    }  # fmt: skip
    registry.append(session, [cases.open_entry("correction.filed", row, caller)])
    return body


def request(
    session: Session, code: str, field: str, new_value: str, reason: str, attachment: bytes
) -> dict[str, Any]:
    """A citizen asks for a correction of their own record (through SAHIM), with a reason
    and a supporting PDF or JPEG. It enters the registrar queue of their office like a
    filed correction, but nobody has endorsed it yet: two registrars decide it."""
    ledger.lock_head(session)
    person = queries.get_person(session, parse_code(code))
    new, key = _checked_value(session, person, field, new_value)
    reason = reason.strip()
    if not 10 <= len(reason) <= 500:
        raise BadInput(
            "bad_reason",
            "دلیل درخواست را در ۱۰ تا ۵۰۰ حرف بنویسید",
            "the reason must be 10 to 500 characters",
        )
    checked = attachments.check(attachment)
    _check_none_pending(session, person.national_code, field)
    office = _office_of(session, person)
    case_id, now, actor = (
        cases.next_id(session),
        cases.now_text(),
        f"citizen:{person.national_code}",
    )
    body = {
        "status": "queued", "case_id": case_id, "national_code": person.national_code,
        "message_fa": "درخواست اصلاح شما ثبت شد و به کارتابل ثبت احوال رفت",
        "message_en": "your correction request is filed and waits for a registrar",
    }  # fmt: skip
    data = {
        "correction": {"field": field, "old": _value(person, field), "new": new, "key": key,
                       "legal_basis": f"درخواست شهروند: {reason}",
                       "document_ref": f"attachment:{checked.digest}"},
        "attachment": {"sha256": checked.digest, "content_type": checked.content_type,
                       "size": checked.size},
        "requested_by": {"by": actor, "at": now, "note": reason},
    }  # fmt: skip
    row = {
        "id": case_id, "kind": "correction", "status": "queued", "source": office.code,
        "external_id": f"C-{case_id}", "received_at": now, "event_at": now,
        "office": office.code, "county": office.county, "province": office.province,
        "subject": person.national_code, "mother": None, "father": None, "flags": "",
        "data": cases.dumps(data), "outcome": cases.dumps(body), "assigned_to": None,
        "updated_at": now,
    }  # fmt: skip
    attachments.keep(session, checked, attachment)
    entry = ledger.NewEntry("correction.filed", f"correction:{case_id}", {"case": row}, actor,
                            office.code)  # fmt: skip
    registry.append(session, [entry])
    return body


PARENT_FIELDS = {"father_code": "male", "mother_code": "female"}
NO_PARENT = "none"  # the new value that removes a wrong parent link


def _checked_value(
    session: Session, person: Person, field: str, new_value: str, staff: bool = False
) -> tuple[str | None, str | None]:
    allowed = [*FIELDS, *(PARENT_FIELDS if staff else ())]
    if field not in allowed:
        raise BadInput(
            "bad_field",
            f"این بخش را نمی‌توان اصلاح کرد: {field}",
            f"field must be one of {', '.join(allowed)}",
        )
    new: str | None
    if field in PARENT_FIELDS:
        new, key = _parent(session, person, field, new_value.strip()), None
    else:
        new, key = FIELDS[field](new_value, person)
    if new == _value(person, field):
        raise BadInput(
            "no_change", "مقدار تازه همان مقدار کنونی است", "the new value is the old one"
        )
    return new, key


def _parent(session: Session, person: Person, field: str, value: str) -> str | None:
    """A parent link's new value: a registered person of the right sex born before the
    child, or `none` to remove a wrong link."""
    if value == NO_PARENT:
        return None
    parent = session.get(Person, parse_code(value))
    sex = PARENT_FIELDS[field]
    if parent is None or parent.sex != sex or parent.birth_date >= person.birth_date:
        word = "پدر" if sex == "male" else "مادر"
        raise BadInput(
            "bad_parent",
            f"{value} نمی‌تواند {word} این شخص باشد: باید در ثبت باشد، جنسیتش بخواند و پیش از "
            "او زاده شده باشد",
            f"{value} cannot be this person's {field.removesuffix('_code')}: a registered "
            f"{sex} born before them",
        )
    return parent.national_code


def _office_of(session: Session, person: Person) -> Office:
    """The registry office that decides a citizen's request: the one that registered them,
    else a civil registration office of the county they live in."""
    office = session.get(Office, person.registering_office or "")
    if office is None:
        office = session.scalars(
            select(Office).where(Office.kind == "civil_registration",
                                 Office.county == person.residence_county).order_by(Office.code)
        ).first()  # fmt: skip
    if office is None:
        raise Conflict(
            "no_office",
            "ادارهٔ ثبت احوالی برای رسیدگی به درخواست شما پیدا نشد؛ به دفتر ثبت احوال مراجعه کنید",
            "no civil registration office can take this request: visit an office",
        )
    return office


def attachment_of(session: Session, digest: str) -> Attachment:
    found = session.get(Attachment, digest)
    if found is None:
        raise NotFound("no_attachment", "پیوست پیدا نشد", f"no attachment {digest}")
    return found


def statuses(session: Session, case_ids: list[int]) -> dict[int, str]:
    """The current status of each case, read from the table (not the session's copies)."""
    rows = session.execute(select(Case.id, Case.status).where(Case.id.in_(case_ids)))
    return {case_id: status for case_id, status in rows}


def requests_of(session: Session, code: str) -> list[Case]:
    """Every correction of the person's record, asked for by them or filed by a registrar,
    newest first."""
    return list(session.scalars(
        select(Case).where(Case.kind == "correction", Case.subject == code)
        .order_by(Case.received_at.desc(), Case.id.desc())
    ))  # fmt: skip


def place_of(person: Person) -> Place:
    """Where a person's record is kept: their registering office and the county they live
    in (registrars of either may correct it)."""
    county = places.counties().get(person.residence_county)
    province = county.province_iso if county else None
    return Place(person.registering_office, person.residence_county, province)


def _value(person: Person, field: str) -> str | None:
    value = getattr(person, field)
    return value.isoformat() if isinstance(value, date) else value


def _check_none_pending(session: Session, code: str, field: str) -> None:
    pending = session.scalars(
        select(Case).where(Case.kind == "correction", Case.subject == code, Case.status == "queued")
    )
    if any(cases.data_of(c)["correction"]["field"] == field for c in pending):
        raise Conflict(
            "correction_pending",
            "اصلاح دیگری برای همین بخش در جریان است",
            f"another correction of {field} is waiting for a decision",
        )


def apply(session: Session, caller: Caller, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """The approved correction takes effect: the new value supersedes the old one."""
    correction = data["correction"]
    person = session.get(Person, case.subject)
    assert person is not None
    if _value(person, correction["field"]) != correction["old"]:
        raise Conflict(
            "changed_since_filed",
            "این بخش پس از ثبت درخواست تغییر کرده؛ درخواست را رد و دوباره ثبت کنید",
            "the field changed since the correction was filed: reject it and file again",
        )
    change = {"national_code": person.national_code, **correction, "case": case.id}
    corrected = ledger.NewEntry(
        "person.corrected", person.national_code, change, caller.actor, case.office
    )
    cases.registered(session, case, caller, data, corrected)
    return {
        "status": "registered",
        "case_id": case.id,
        "national_code": person.national_code,
        "field": correction["field"],
        "old": correction["old"],
        "new": correction["new"],
        "message_fa": "اصلاح در ثبت اعمال شد؛ مقدار پیشین در سابقه می‌ماند",
        "message_en": "correction applied; the old value stays in the history",
    }
