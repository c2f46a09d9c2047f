"""Objections to an inheritance certificate and the dispute board's decisions.

An heir, a relative in the estate's case, or someone who says they are a missing heir (and
shows a document) objects in SAHIM within 10 days of the certificate (the certificate states
the last day): what is wrong, free text, PDF/JPEG documents. The province's dispute board
(هیأت حل اختلاف ثبت احوال) rejects it, or upholds it by correcting the register through the
two-person correction workflow: the correction's approval reissues the certificate
(service.reissue) and marks the objection upheld. A decision may be objected to once more
within 20 days, before the national administration, with the same mechanics. Every step is
a ledger entry; the objector is told of each decision by SMS.
"""

from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sabt.documents.models import Document
from sabt.estates import service, texts
from sabt.estates.models import Estate, Objection
from sabt.identity.roles import Place
from sabt.identity.service import Caller, Forbidden
from sabt.inheritance.case import RELATIONS
from sabt.kit import canonical, clock
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.persian import national_code
from sabt.persian.jalali import format_fa
from sabt.registration import attachments, corrections
from sabt.registration.models import Attachment
from sabt.registry import ledger
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Person

APPEAL_DAYS = 20  # a further objection to the board's decision (the bylaw of Art. 113(ث))
MAX_FILES = 5
OPEN = ("filed", "correcting")


def _not_party() -> Forbidden:
    return Forbidden(
        "not_party",
        "شما از وراث یا خویشاوندان این متوفی در ثبت نیستید. اگر خود را وارث از قلم افتاده "
        "می‌دانید، اعتراض «وارثی از قلم افتاده است» را با نسبت خود با متوفی و مدرک آن ثبت کنید.",
        "you are not party to this estate; someone who is a missing heir objects with "
        "'missing_heir', their relation to the deceased and a supporting document",
    )


def _next_id(session: Session) -> int:
    return (session.scalar(select(func.max(Objection.id))) or 0) + 1


# --- filing (a citizen, through SAHIM) ----------------------------------------------------


def file(
    session: Session, filer: Person, deceased: str, grounds: str, text: str, *,
    named: str | None = None, claimed_relation: str | None = None,
    appeal_of: int | None = None, files: list[bytes],
) -> Objection:  # fmt: skip
    """File an objection (or, with `appeal_of`, an objection to the board's decision);
    nothing is stored when it is refused."""
    ledger.lock_head(session)
    estate = _estate_of(session, deceased)
    _check_grounds(grounds)
    text = _checked_text(text)
    named_code = parse_code(named) if named else None
    claimed = _claimed(claimed_relation)
    appealed = _appealed(session, estate, appeal_of) if appeal_of is not None else None
    if appealed is None:
        _check_window(estate)
    _check_party(session, estate, filer, grounds, named_code, claimed, files, appealed)
    _check_none_open(session, estate.deceased, filer.national_code)
    checked = _checked_files(files)
    row = {
        "id": _next_id(session), "deceased": estate.deceased,
        "certificate": estate.certificate, "level": 2 if appealed else 1,
        "appeal_of": appeal_of, "filed_by": filer.national_code,
        "claimed_relation": claimed, "grounds": grounds, "named": named_code, "text": text,
        "attachments": service.dumps([{"sha256": c.digest, "content_type": c.content_type,
                                       "size": c.size} for c, _ in checked]),
        "filed_at": service.now_text(), "status": "filed", "decision": None,
        "appeal_until": None, "province": estate.province, "updated_at": service.now_text(),
    }  # fmt: skip
    for one, data in checked:
        attachments.keep(session, one, data)
    actor = f"citizen:{filer.national_code}"
    entry = ledger.NewEntry(
        "objection.filed", service.subject(estate.deceased), {"objection": row}, actor
    )
    registry.append(session, [entry])
    return session.get_one(Objection, row["id"])


def _estate_of(session: Session, deceased: str) -> Estate:
    try:
        code = parse_code(deceased)
    except BadInput:
        code = ""
    estate = session.get(Estate, code) if code else None
    if estate is None or estate.certificate is None:
        raise NotFound(
            "no_certificate",
            "برای این متوفی گواهی انحصار وراثتی صادر نشده است",
            "no inheritance certificate is issued for this person",
        )
    return estate


def _check_grounds(grounds: str) -> None:
    if grounds not in texts.GROUNDS:
        raise BadInput(
            "bad_grounds",
            "موضوع اعتراض را برگزینید: وارث از قلم افتاده، کسی که وارث نیست، یا سهم نادرست",
            f"grounds must be one of {', '.join(texts.GROUNDS)}",
        )


def _checked_text(text: str) -> str:
    text = text.strip()
    if not 10 <= len(text) <= 2000:
        raise BadInput(
            "bad_text", "شرح اعتراض را در ۱۰ تا ۲۰۰۰ حرف بنویسید",
            "the objection's text must be 10 to 2000 characters",
        )  # fmt: skip
    return text


def _claimed(relation: str | None) -> str | None:
    if not relation:
        return None
    if relation not in RELATIONS:
        raise BadInput("bad_relation", "نسبت با متوفی نامعتبر است",
                       f"claimed_relation must be one of {', '.join(RELATIONS)}")  # fmt: skip
    return relation


def _check_window(estate: Estate) -> None:
    until = estate.objection_until
    if estate.status != "issued" or until is None:
        raise Conflict("no_certificate", "گواهی معتبری برای اعتراض نیست",
                       "there is no valid certificate to object to")  # fmt: skip
    if clock.today_tehran() > until:
        raise Conflict(
            "window_closed",
            f"مهلت اعتراض به این گواهی در {format_fa(until)} به پایان رسیده است",
            f"the objection window closed on {until.isoformat()}",
        )


def _appealed(session: Session, estate: Estate, appeal_of: int) -> Objection:
    """The board's decision objected to: decided, of the first level, within 20 days."""
    first = session.get(Objection, appeal_of)
    if first is None or first.deceased != estate.deceased or first.level != 1:
        raise NotFound("no_objection", "رأیی با این شماره برای این متوفی نیست",
                       f"no first-level objection {appeal_of} of this estate")  # fmt: skip
    if first.status not in ("rejected", "upheld") or first.appeal_until is None:
        raise Conflict("not_decided", "هیأت هنوز دربارهٔ این اعتراض رأی نداده است",
                       "the board has not decided this objection yet")  # fmt: skip
    if clock.today_tehran() > first.appeal_until:
        raise Conflict(
            "window_closed",
            f"مهلت اعتراض به این رأی در {format_fa(first.appeal_until)} به پایان رسیده است",
            f"the window to object to this decision closed on {first.appeal_until.isoformat()}",
        )
    return first


def _check_party(
    session: Session, estate: Estate, filer: Person, grounds: str, named: str | None,
    claimed: str | None, files: list[bytes], appealed: Objection | None,
) -> None:  # fmt: skip
    """Party to the estate: named on its certificate, a relative in its case, the objector
    of the decision appealed, or one who says they are its missing heir (with a document)."""
    code = filer.national_code
    certificate = session.get(Document, estate.certificate)
    if certificate is not None and code in certificate.subjects.split():
        return
    if appealed is not None and appealed.filed_by == code:
        return
    relatives = {h["id"] for h in service.resolution_of(
        session, estate.deceased, service.declared_of(estate)).case["heirs"]}  # fmt: skip
    if code in relatives and code != estate.deceased:
        return
    says_missing = grounds == "missing_heir" and claimed is not None and named in (None, code)
    if says_missing and files:
        return
    raise _not_party()


def _check_none_open(session: Session, deceased: str, filer: str) -> None:
    pending = session.scalar(
        select(Objection.id).where(Objection.deceased == deceased, Objection.filed_by == filer,
                                   Objection.status.in_(OPEN))
    )  # fmt: skip
    if pending is not None:
        raise Conflict(
            "objection_open",
            f"اعتراض شمارهٔ {pending} شما دربارهٔ همین متوفی هنوز در جریان است",
            f"your objection {pending} about this estate is still open",
        )


def _checked_files(files: list[bytes]) -> list[tuple[attachments.Checked, bytes]]:
    if len(files) > MAX_FILES:
        raise BadInput("too_many_files", f"حداکثر {MAX_FILES} پیوست پذیرفته می‌شود",
                       f"at most {MAX_FILES} attachments")  # fmt: skip
    return [(attachments.check(data), data) for data in files]


def of_citizen(session: Session, code: str) -> list[Objection]:
    """The objections a citizen filed, newest first."""
    return list(session.scalars(
        select(Objection).where(Objection.filed_by == code).order_by(Objection.id.desc())
    ))  # fmt: skip


def of_estate(session: Session, deceased: str) -> list[Objection]:
    return list(session.scalars(
        select(Objection).where(Objection.deceased == deceased).order_by(Objection.id)
    ))  # fmt: skip


# --- the board -----------------------------------------------------------------------------


def _visible(session: Session, caller: Caller, objection_id: int) -> Objection:
    """An objection of the caller's level: the province's board sees the first level of its
    province, the national administration both levels."""
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFound("no_objection", "این اعتراض پیدا نشد", f"no objection {objection_id}")
    caller.require_jurisdiction(Place(None, None, objection.province))
    if objection.level == 2 and (caller.jurisdiction is None
                                 or caller.jurisdiction.level != "nation"):  # fmt: skip
        raise Forbidden(
            "national_level",
            "اعتراض به رأی هیأت را مرجع ملی بررسی می‌کند",
            "an objection to the board's decision is for the national administration",
        )
    return objection


def board_list(
    session: Session, caller: Caller, status: str = "filed", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    j = caller.jurisdiction
    assert j is not None  # staff only (the scope says so)
    where = [Objection.status == status, j.where(province=Objection.province)]
    if j.level != "nation":  # an objection to a board's decision is the nation's
        where.append(Objection.level == 1)
    total = session.scalar(select(func.count()).select_from(Objection).where(*where)) or 0
    rows = session.scalars(select(Objection).where(*where)
                           .order_by(Objection.filed_at, Objection.id)
                           .limit(limit).offset(offset))  # fmt: skip
    return {"total": total, "items": [as_json(o) for o in rows]}


def as_json(o: Objection) -> dict[str, Any]:
    return {
        "id": o.id, "deceased": o.deceased, "certificate": o.certificate, "level": o.level,
        "appeal_of": o.appeal_of, "filed_by": o.filed_by,
        "claimed_relation": o.claimed_relation, "grounds": o.grounds,
        "grounds_fa": texts.GROUNDS[o.grounds][0], "named": o.named, "text": o.text,
        "attachments": canonical.loads(o.attachments),
        "filed_at": ledger.utc_text(o.filed_at.replace(tzinfo=UTC)), "status": o.status,
        "status_fa": texts.OBJECTION_STATUS_FA[o.status],
        "decision": canonical.loads(o.decision) if o.decision else None,
        "appeal_until": o.appeal_until.isoformat() if o.appeal_until else None,
    }  # fmt: skip


def board_view(session: Session, caller: Caller, objection_id: int) -> dict[str, Any]:
    """The objection with what the board decides on: the estate, the register's data of the
    deceased and of everyone in the case, the engine's derivation, the certificate."""
    objection = _visible(session, caller, objection_id)
    estate = session.get_one(Estate, objection.deceased)
    resolution = service.resolution_of(session, estate.deceased, service.declared_of(estate))
    codes = [estate.deceased, *(h["id"] for h in resolution.case["heirs"]),
             *(c for c in (objection.filed_by, objection.named) if c)]  # fmt: skip
    certificate = session.get(Document, objection.certificate)
    return {
        "objection": as_json(objection),
        "estate": service.summary(estate),
        "register": [_register_row(p) for p in _people(session, codes)],
        "derivation": resolution.as_json(),
        "certificate": canonical.loads(certificate.facts) if certificate else None,
        "history": [as_json(o) for o in of_estate(session, estate.deceased)],
    }


def _people(session: Session, codes: list[str]) -> list[Person]:
    wanted = list(dict.fromkeys(c for c in codes if national_code.is_valid(c)))
    return list(session.scalars(select(Person).where(Person.national_code.in_(wanted))))


def _register_row(p: Person) -> dict[str, Any]:
    return {
        "national_code": p.national_code, "name": f"{p.first_name} {p.last_name}",
        "sex": p.sex, "birth_date": p.birth_date.isoformat(), "status": p.status,
        "death_date": p.death_date.isoformat() if p.death_date else None,
        "father": p.father_code, "mother": p.mother_code, "religion": p.religion,
        "school": p.school,
    }  # fmt: skip


def attachment(session: Session, caller: Caller, objection_id: int, digest: str) -> Attachment:
    """A document attached to an objection the caller may see, checked against its hash."""
    objection = _visible(session, caller, objection_id)
    named = {a["sha256"] for a in canonical.loads(objection.attachments)}
    found = session.get(Attachment, digest) if digest in named else None
    if found is None:
        raise NotFound("no_attachment", "این پیوست در این اعتراض نیست",
                       "no such attachment on this objection")  # fmt: skip
    return attachments.verified(found, digest)


def decide(
    session: Session, caller: Caller, objection_id: int, decision: str, note: str,
    changes: list[dict[str, str]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Reject, or correct the register (each change a correction filed by the board member,
    which a senior registrar approves: the approval reissues the certificate and upholds
    the objection)."""
    ledger.lock_head(session)
    caller.require("estates:decide")
    objection = _visible(session, caller, objection_id)
    if objection.status != "filed":
        raise Conflict("decided", "دربارهٔ این اعتراض پیش‌تر رأی داده شده است",
                       f"objection {objection_id} is {objection.status}")  # fmt: skip
    note = _checked_text(note)
    record: dict[str, Any] = {"decision": decision, "by": caller.actor,
                              "at": service.now_text(), "note": note}  # fmt: skip
    if decision == "reject":
        _close(session, caller.actor, objection, "rejected", record)
        return as_json(objection)
    if decision != "correct":
        raise BadInput("bad_decision", "رأی باید «رد» یا «اصلاح» باشد",
                       "decision must be reject or correct")  # fmt: skip
    if not changes:
        raise BadInput("no_changes", "اصلاح‌های ثبت را بنویسید",
                       "a correcting decision lists the register's corrections")  # fmt: skip
    record["corrections"] = [_file_correction(session, caller, objection, c) for c in changes]
    _step(session, caller.actor, objection, status="correcting", decision=service.dumps(record))
    return as_json(objection)


def _file_correction(
    session: Session, caller: Caller, objection: Objection, change: dict[str, str]
) -> int:
    try:
        code, field, value = change["national_code"], change["field"], change["new_value"]
    except (KeyError, TypeError):
        raise BadInput(
            "bad_change", "هر اصلاح کد ملی، بخش و مقدار تازه می‌خواهد",
            "each change needs national_code, field and new_value",
        ) from None  # fmt: skip
    filed = corrections.file(
        session, caller, code, field, value,
        f"رأی {texts.LEVEL_FA[objection.level]} بر اعتراض شمارهٔ {objection.id}",
        f"objection:{objection.id}",
    )  # fmt: skip
    case_id: int = filed["case_id"]
    return case_id


def _close(
    session: Session, actor: str, objection: Objection, status: str, record: dict[str, Any]
) -> None:
    """A final decision on an objection (rejected, or upheld once its corrections are done):
    the objector is told, and a first-level decision opens the window to object to it."""
    today = clock.today_tehran()
    until: date | None = today + timedelta(days=APPEAL_DAYS) if objection.level == 1 else None
    text = texts.decision_sms(objection.id, texts.OBJECTION_STATUS_FA[status], until,
                              f"{service.public_url()}/sahim/objections")  # fmt: skip
    _step(session, actor, objection, status=status, decision=service.dumps(record),
          appeal_until=until.isoformat() if until else None,
          notices=_objector_notice(session, objection, text))  # fmt: skip


def _objector_notice(session: Session, objection: Objection, text: str) -> list[dict[str, Any]]:
    mobile = service.mobile_of(session, objection.filed_by)
    if mobile is None:
        return []
    return service.notice_rows(session, objection.deceased, objection.filed_by, mobile, text)


def _step(session: Session, actor: str, objection: Objection, *,
          notices: list[dict[str, Any]] | None = None, **changes: Any) -> None:  # fmt: skip
    changes["updated_at"] = service.now_text()
    data = {"objection": objection.id, "set": changes, "notices": notices or []}
    registry.append(session, [ledger.NewEntry(
        "objection.decided", service.subject(objection.deceased), data, actor)])  # fmt: skip
    session.refresh(objection)


# --- a board's corrections done: the objection is upheld --------------------------------------


def follow_corrections(session: Session, entries: list[ledger.NewEntry]) -> None:
    """When the last correction a board decided is approved, its objection is upheld (the
    approval has reissued the certificate by then: documents follows the register first)."""
    for entry in entries:
        if entry.kind != "person.corrected" or "case" not in entry.data:
            continue
        for objection in session.scalars(select(Objection).where(Objection.status == "correcting")):
            record = canonical.loads(objection.decision or "{}")
            if entry.data["case"] not in record.get("corrections", []):
                continue
            statuses = corrections.statuses(session, record["corrections"])
            if all(status == "registered" for status in statuses.values()):
                # written below the ORM by this transaction's entries: read afresh
                estate = session.get_one(Estate, objection.deceased, populate_existing=True)
                record["reissued"] = estate.certificate
                _close(session, entry.actor, objection, "upheld", record)
