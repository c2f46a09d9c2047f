"""The registrar's back office: the queue of the caller's jurisdiction, taking and releasing
a case (one registrar at a time), approving or rejecting it, and the full history of a case
or a person from the ledger.

Two-person rule: a late registration, a correction and the revocation of a death take
effect only when a second person with the senior role (`corrections:approve`) approves after
a first one endorsed it (for a correction or a revocation, the registrar who filed it), never
the same person twice.
"""

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from sabt.identity.roles import Jurisdiction
from sabt.identity.service import Caller, Forbidden
from sabt.kit import canonical, clock
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.registration import (
    attachments,
    births,
    cases,
    corrections,
    death_revocations,
    deaths,
    rules,
)
from sabt.registration.models import Attachment, Case
from sabt.registry import ledger, validation
from sabt.registry.models import LedgerEntry, Marriage

APPROVE_SENIOR = "corrections:approve"
# Flags a decision cannot clear: the notification itself is wrong, so it is rejected (and the
# source sends a corrected one).
ONLY_REJECT = frozenset({"incomplete", "unknown_person", "already_deceased", "date_before_birth"})
Executor = Callable[[Session, Caller, Case, dict[str, Any]], dict[str, Any]]
EXECUTE: dict[str, Executor] = {
    "birth": births.register,
    "death": deaths.register,
    "correction": corrections.apply,
    death_revocations.KIND: death_revocations.apply,
}
# Kinds that are requests to change the register (never notifications): two persons always,
# and only a senior rejects them.
REQUESTS = frozenset({"correction", death_revocations.KIND})


# --- reading ---------------------------------------------------------------------------


def _within(j: Jurisdiction) -> ColumnElement[bool]:
    return j.where(Case.office, Case.county, Case.province)


def list_queue(
    session: Session,
    caller: Caller,
    *,
    kind: str | None = None,
    flag: str | None = None,
    min_age_days: int | None = None,
    assigned: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Queued cases of the caller's jurisdiction, oldest first."""
    assert caller.jurisdiction is not None  # staff only (the scope says so)
    where = [Case.status == "queued", _within(caller.jurisdiction)]
    if kind is not None:
        where.append(Case.kind == kind)
    if flag is not None:
        # flags are space-separated words: pad both sides so one flag never matches another
        where.append((" " + Case.flags + " ").contains(f" {flag} "))
    if min_age_days is not None:
        received_before = clock.now() - timedelta(days=min_age_days)
        where.append(Case.received_at <= received_before.replace(tzinfo=None))
    if assigned == "me":
        where.append(Case.assigned_to == caller.actor)
    elif assigned == "none":
        where.append(Case.assigned_to.is_(None))
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    rows = session.scalars(
        select(Case).where(*where).order_by(Case.received_at, Case.id).limit(limit).offset(offset)
    )
    return {"total": total, "items": [summary(c) for c in rows]}


def summary(case: Case) -> dict[str, Any]:
    data = cases.data_of(case)
    age = clock.now().replace(tzinfo=None) - case.received_at
    return {
        "case_id": case.id,
        "kind": case.kind,
        "status": case.status,
        "flags": case.flags.split(),
        "received_at": ledger.utc_text(case.received_at.replace(tzinfo=UTC)),
        "age_days": age.days,
        "office": case.office,
        "county": case.county,
        "province": case.province,
        "subject": case.subject,
        "mother": case.mother,
        "father": case.father,
        "assigned_to": case.assigned_to,
        "endorsed_by": (data.get("endorsed_by") or {}).get("by"),
        "needs_two_persons": needs_two_persons(case),
        "data": data,
    }


def get_case(session: Session, caller: Caller, case_id: int) -> dict[str, Any]:
    return summary(_visible(session, caller, case_id))


def case_history(session: Session, caller: Caller, case_id: int) -> list[dict[str, Any]]:
    """Every ledger entry of a case, in order."""
    case = _visible(session, caller, case_id)
    return _entries(session, [cases.subject(case)])


def person_history(session: Session, code: str) -> list[dict[str, Any]]:
    """Every ledger entry about a person: their own and their marriages'."""
    marriage_ids = session.scalars(
        select(Marriage.id).where(or_(Marriage.husband_code == code, Marriage.wife_code == code))
    )
    # imported marriages are recorded under their bare id, later ones as marriage:<id>
    subjects = [code] + [s for m in marriage_ids for s in (str(m), f"marriage:{m}")]
    return _entries(session, subjects)


def _entries(session: Session, subjects: list[str]) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(LedgerEntry).where(LedgerEntry.subject.in_(subjects)).order_by(LedgerEntry.seq)
    )
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "subject": e.subject,
            "actor": e.actor,
            "office": e.office,
            "occurred_at": e.occurred_at,
            "recorded_at": e.recorded_at,
            "data": canonical.loads(e.payload)["data"],
        }
        for e in rows
    ]


def _visible(session: Session, caller: Caller, case_id: int) -> Case:
    case = cases.load(session, case_id)
    caller.require_jurisdiction(cases.place(case))
    return case


def attachment(session: Session, caller: Caller, case_id: int) -> Attachment:
    """The file attached to a case of the caller's jurisdiction, its bytes checked against
    the SHA-256 the case (and so the ledger) names."""
    data = cases.data_of(_visible(session, caller, case_id))
    digest = (data.get("attachment") or {}).get("sha256")
    found = session.get(Attachment, digest) if digest else None
    if found is None:
        raise NotFound(
            "no_attachment", "این پرونده پیوستی ندارد", f"case {case_id} has no attachment"
        )
    return attachments.verified(found, str(digest))


# --- acting ----------------------------------------------------------------------------


def _actionable(session: Session, caller: Caller, case_id: int) -> Case:
    """A queued case of the caller's jurisdiction that nobody else holds (under the lock)."""
    ledger.lock_head(session)
    case = _visible(session, caller, case_id)
    if case.status != "queued":
        raise Conflict(
            "not_queued", "این پرونده در کارتابل نیست", f"case {case.id} is {case.status}"
        )
    if case.assigned_to not in (None, caller.actor):
        raise Conflict(
            "assigned_to_other",
            f"این پرونده در دست کارشناس دیگری است ({case.assigned_to})",
            f"case {case.id} is held by {case.assigned_to}",
        )
    return case


def assign(session: Session, caller: Caller, case_id: int) -> dict[str, Any]:
    """Take a case: nobody else may act on it until it is released or decided."""
    case = _actionable(session, caller, case_id)
    if case.assigned_to != caller.actor:
        cases.step(session, case, "case.assigned", caller, assigned_to=caller.actor)
    return summary(case)


def release(session: Session, caller: Caller, case_id: int) -> dict[str, Any]:
    """Give a case back to the queue: its holder may, and a senior may release anyone's."""
    ledger.lock_head(session)
    case = _visible(session, caller, case_id)
    if case.status != "queued" or case.assigned_to is None:
        raise Conflict(
            "not_assigned", "این پرونده به کسی سپرده نشده", f"case {case.id} is not held"
        )
    if case.assigned_to != caller.actor:
        caller.require(APPROVE_SENIOR)
    cases.step(session, case, "case.released", caller, assigned_to=None)
    return summary(case)


def needs_two_persons(case: Case) -> bool:
    """Corrections, revocations of a death, late registrations, births no hospital notified
    and deaths reported by one not competent for them: never one person."""
    two = {"late", "no_notification", "reporter_not_competent"}
    return case.kind in REQUESTS or bool(two & set(case.flags.split()))


def approve(
    session: Session, caller: Caller, case_id: int, note: str, first_name: str | None = None
) -> dict[str, Any]:
    """Approve a queued case. A case needing two persons is first endorsed, then approved by
    a different senior; the approval registers it (birth, death) or applies it (correction)."""
    case = _actionable(session, caller, case_id)
    blocking = sorted(ONLY_REJECT & set(case.flags.split()))
    if blocking:
        raise Conflict(
            "cannot_approve",
            "این پرونده را نمی‌توان تأیید کرد، فقط رد: " + "، ".join(blocking),
            f"case {case.id} can only be rejected: {', '.join(blocking)}",
        )
    data = cases.data_of(case)
    decision = {"by": caller.actor, "at": cases.now_text(), "note": note}
    if first_name is not None:
        _rename(case, data, first_name)
    if needs_two_persons(case):
        endorsed = data.get("endorsed_by")
        if endorsed is None:
            data["endorsed_by"] = decision
            cases.step(
                session, case, "case.endorsed", caller, data=cases.dumps(data), assigned_to=None
            )
            return _awaiting_second(case)
        caller.require(APPROVE_SENIOR)
        if endorsed["by"] == caller.actor:
            raise Forbidden(
                "same_person",
                "تأیید دوم باید از کارشناس ارشد دیگری باشد",
                "the second approval must come from another senior, not the first person",
            )
    data["approved_by"] = decision
    return EXECUTE[case.kind](session, caller, case, data)


def _rename(case: Case, data: dict[str, Any], first_name: str) -> None:
    """A registrar's decision on a name under review (Art. 20): the name to register."""
    named = data.get("declaration") or data.get("filing")
    if case.kind != "birth" or named is None:
        raise BadInput(
            "no_name_here", "این پرونده نام ندارد", "first_name applies only to a declared birth"
        )
    stored, _ = validation.check_name(first_name, "first name")
    named["first_name"] = stored


def _awaiting_second(case: Case) -> dict[str, Any]:
    return {
        "status": "awaiting_second_approval",
        "case_id": case.id,
        "message_fa": "تأیید اول ثبت شد؛ کارشناس ارشد دیگری باید تأیید کند",
        "message_en": "first approval recorded; another senior registrar must approve",
    }


def reject(session: Session, caller: Caller, case_id: int, reason: str) -> dict[str, Any]:
    case = _actionable(session, caller, case_id)
    if case.kind in REQUESTS:
        caller.require(APPROVE_SENIOR)
    data = cases.data_of(case)
    data["rejected_by"] = {"by": caller.actor, "at": cases.now_text(), "note": reason}
    cases.step(
        session, case, "rejected", caller, status="rejected", data=cases.dumps(data),
        assigned_to=None,
    )  # fmt: skip
    return {
        "status": "rejected",
        "case_id": case.id,
        "reason": reason,
        "message_fa": f"پرونده رد شد: {reason}",
        "message_en": f"case rejected: {reason}",
    }


FLAG_NAMES = frozenset(rules.FLAGS)
