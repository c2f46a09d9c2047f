"""Marriages and divorces from notary offices: a marriage (permanent or temporary), a
divorce resting on a court certificate, a return (رجوع) in a revocable waiting period, the
waiver of a temporary marriage's remaining term, and the end of expired terms. Each is one
ledger entry on the marriage (`marriage:<id>`); the law is in marriage_law.py.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sabt.identity.service import Caller
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.registration import marriage_law as law
from sabt.registry import ledger
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage, MarriageReturn, Person

END_REASON = {
    "revocable": "divorce_revocable",
    "irrevocable": "divorce_irrevocable",
    "khula": "divorce_irrevocable",  # CC 1146: the wife's release for a consideration
    "mubarat": "divorce_irrevocable",  # CC 1147: mutual aversion
}
DIVORCES = ("divorce_revocable", "divorce_irrevocable")


@dataclass(frozen=True)
class NewMarriage:
    husband: str
    wife: str
    kind: str
    married_at: datetime  # aware
    term_end: date | None
    court_permission: str | None
    wife_permission: str | None
    reference: str | None


def subject(marriage_id: int) -> str:
    return f"marriage:{marriage_id}"


# --- marriage --------------------------------------------------------------------------


def register_marriage(session: Session, caller: Caller, m: NewMarriage) -> dict[str, Any]:
    """Register a marriage after every impediment the register can see (marriage_law)."""
    if m.married_at > clock.now():
        raise BadInput("future_date", "تاریخ در آینده است", "the date is in the future")
    ledger.lock_head(session)
    first = _resent(session, caller, m)
    if first is not None:
        return _registered(first, resent=True)
    husband = _party(session, m.husband, "male", "husband", m.married_at)
    wife = _party(session, m.wife, "female", "wife", m.married_at)
    _check_term(m)
    blocking = law.blocking(
        law.impediments(_situation(session, husband, wife, m)),
        court_ref=bool(m.court_permission),
        wife_ref=bool(m.wife_permission),
    )
    if blocking:
        raise Conflict(
            blocking[0].code,
            "؛ ".join(f"{i.message_fa} (مادهٔ {i.article})" for i in blocking),
            "; ".join(i.message_en for i in blocking),
        )
    marriage_id = (session.scalar(select(func.max(Marriage.id))) or 0) + 1
    data: dict[str, Any] = {
        "id": marriage_id, "husband": husband.national_code, "wife": wife.national_code,
        "kind": m.kind, "term_end": m.term_end.isoformat() if m.term_end else None,
        "registered_at": ledger.utc_text(m.married_at), "office": caller.place.office,
        "ended_at": None, "end_reason": None, "waiting_period_end": None, "returns": [],
        "court_permission": m.court_permission, "wife_permission": m.wife_permission,
        "reference": m.reference,
    }  # fmt: skip
    entry = ledger.NewEntry(
        "marriage.registered", subject(marriage_id), data, caller.actor, caller.place.office,
        m.married_at,
    )  # fmt: skip
    registry.append(session, [entry])
    return _registered(session.get_one(Marriage, marriage_id), resent=False)


def _registered(marriage: Marriage, resent: bool) -> dict[str, Any]:
    return {
        "status": "registered",
        "resent": resent,
        "marriage_id": marriage.id,
        "kind": marriage.kind,
        "term_end": marriage.term_end.isoformat() if marriage.term_end else None,
        "message_fa": f"ازدواج به شمارهٔ {marriage.id} ثبت شد",
        "message_en": f"marriage {marriage.id} registered",
    }


def _resent(session: Session, caller: Caller, m: NewMarriage) -> Marriage | None:
    """The marriage this office already registered under `m.reference`, when `m` is a resend
    of it; a different marriage under the same reference is refused."""
    if m.reference is None:
        return None
    first = session.scalar(
        select(Marriage).where(
            Marriage.office == caller.place.office, Marriage.reference == m.reference
        )
    )
    if first is None:
        return None
    same = (first.husband_code, first.wife_code, first.kind, first.registered_at) == (
        parse_code(m.husband),
        parse_code(m.wife),
        m.kind,
        _naive_utc(m.married_at),
    )
    if not same:
        raise Conflict(
            "reference_reused",
            f"شمارهٔ {m.reference} این دفتر پیش‌تر برای ازدواج دیگری به کار رفته است",
            f"this office's reference {m.reference} already names another marriage",
        )
    return first


def _party(session: Session, raw: str, sex: str, role: str, at: datetime) -> Person:
    code = parse_code(raw)
    person = session.get(Person, code)
    if person is None:
        raise BadInput("unknown_person", f"کد ملی در ثبت نیست: {code}", f"no {role} {code}")
    if person.sex != sex:
        raise BadInput(
            "wrong_sex", "زوج باید مرد و زوجه زن باشد", f"the {role} must be {sex}: {code}"
        )
    if person.status != "alive":
        raise Conflict("person_deceased", f"فوت {code} ثبت شده است", f"the {role} {code} is dead")
    if clock.civil_date(at) < person.birth_date:
        raise BadInput(
            "before_birth", "تاریخ پیش از تولد است", f"the date is before {role}'s birth"
        )
    return person


def _check_term(m: NewMarriage) -> None:
    if m.kind == "temporary" and (m.term_end is None or m.term_end <= m.married_at.date()):
        raise BadInput(
            "bad_term",
            "نکاح موقت مدتی پس از تاریخ عقد می‌خواهد",
            "a temporary marriage needs a term_end after its date (Civil Code 1075)",
        )
    if m.kind == "permanent" and m.term_end is not None:
        raise BadInput("bad_term", "نکاح دائم مدت ندارد", "a permanent marriage has no term_end")


def _situation(session: Session, husband: Person, wife: Person, m: NewMarriage) -> law.Situation:
    day = clock.civil_date(m.married_at)
    his = _marriages(session, Marriage.husband_code == husband.national_code)
    hers = _marriages(session, Marriage.wife_code == wife.national_code)
    # his wives: in force, or in a revocable waiting period (she is still his wife, CC 1109)
    current = [
        x
        for x in his
        if _in_force(x, day) or (x.end_reason == "divorce_revocable" and _binds(x, day))
    ]
    between = [x for x in his if x.wife_code == wife.national_code]
    returns = session.scalar(
        select(func.count())
        .select_from(MarriageReturn)
        .where(MarriageReturn.marriage_id.in_([x.id for x in between] or [-1]))
    )
    his_wives = frozenset(x.wife_code for x in his)
    her_husbands = frozenset(x.husband_code for x in hers)
    current_wives = frozenset(x.wife_code for x in current)
    family = _family(
        session, {husband.national_code, wife.national_code} | his_wives | her_husbands
    )
    return law.Situation(
        husband=law.Party(husband.national_code, "male", husband.birth_date, his_wives),
        wife=law.Party(wife.national_code, "female", wife.birth_date, her_husbands),
        kind=m.kind,
        day=day,
        family=family,
        husband_current_wives=current_wives,
        husband_permanent_wives=sum(1 for x in current if x.kind == "permanent"),
        wife_bound=any(
            _binds(x, day) and not _his_irrevocable(x, husband.national_code) for x in hers
        ),
        wife_bound_to_husband_revocably=any(
            x.end_reason == "divorce_revocable" and _binds(x, day) for x in between
        ),
        divorces_between=sum(1 for x in between if x.end_reason in DIVORCES) + (returns or 0),
    )


def _marriages(session: Session, where: Any) -> list[Marriage]:
    return list(session.scalars(select(Marriage).where(where).order_by(Marriage.id)))


def _in_force(m: Marriage, day: date) -> bool:
    return m.ended_at is None and (m.term_end is None or m.term_end >= day)


def _binds(m: Marriage, day: date) -> bool:
    """In force on `day`, or in a waiting period after it (an expired term not yet closed
    counts from its end)."""
    if m.ended_at is None:
        if m.term_end is not None and m.term_end < day:
            return day <= law.temporary_waiting_end(m.term_end)
        return True
    return m.waiting_period_end is not None and day <= m.waiting_period_end


def _his_irrevocable(m: Marriage, husband: str) -> bool:
    """Her waiting period after an irrevocable divorce from this same man does not bar
    their new marriage (the waiting period protects his own lineage)."""
    return m.husband_code == husband and m.end_reason == "divorce_irrevocable"


def _family(session: Session, codes: set[str]) -> law.Family:
    """Parent links of `codes` and all their ancestors, one generation per query."""
    parents: dict[str, frozenset[str]] = {}
    todo = set(codes)
    while todo:
        rows = session.execute(
            select(Person.national_code, Person.father_code, Person.mother_code).where(
                Person.national_code.in_(todo)
            )
        ).all()
        for code, father, mother in rows:
            parents[code] = frozenset(p for p in (father, mother) if p)
        todo = {p for code, *_ in rows for p in parents[code]} - parents.keys()
    return law.Family(parents)


# --- the end of a marriage, and a return -----------------------------------------------


def _marriage(session: Session, marriage_id: int) -> Marriage:
    marriage = session.get(Marriage, marriage_id)
    if marriage is None:
        raise BadInput("unknown_marriage", "این ازدواج در ثبت نیست", f"no marriage {marriage_id}")
    return marriage


def _naive_utc(at: datetime) -> datetime:
    """An aware instant as the tables store it."""
    return at.astimezone(UTC).replace(tzinfo=None)


def _check_time(at: datetime, marriage: Marriage) -> None:
    if at > clock.now():
        raise BadInput("future_date", "تاریخ در آینده است", "the date is in the future")
    if _naive_utc(at) < marriage.registered_at:
        raise BadInput(
            "before_marriage", "تاریخ پیش از ازدواج است", "the date is before the marriage"
        )


def register_divorce(
    session: Session,
    caller: Caller,
    marriage_id: int,
    husband: str,
    wife: str,
    kind: str,
    divorced_at: datetime,
    court_certificate: str,
    no_waiting_period: str | None,
) -> dict[str, Any]:
    """A divorce of a permanent marriage in force, between the same two people, resting on
    a court certificate; the waiting period end is recorded (none when CC 1155 applies)."""
    ledger.lock_head(session)
    marriage = _marriage(session, marriage_id)
    codes = (parse_code(husband), parse_code(wife))
    if codes != (marriage.husband_code, marriage.wife_code):
        raise BadInput(
            "marriage_mismatch",
            "این ازدواج میان این دو نفر نیست",
            f"marriage {marriage_id} is not between {codes[0]} and {codes[1]}",
        )
    if marriage.kind != "permanent":
        raise Conflict(
            "temporary_marriage",
            "نکاح موقت طلاق ندارد: با پایان یا بذل مدت تمام می‌شود",
            "a temporary marriage ends when its term expires or is waived, not by divorce",
        )
    if (marriage.ended_at, marriage.end_reason) == (_naive_utc(divorced_at), END_REASON[kind]):
        return _divorced(marriage, resent=True)  # the notary's resend of this divorce
    _check_open(marriage)
    _check_time(divorced_at, marriage)
    day = clock.civil_date(divorced_at)
    waiting = None if no_waiting_period else law.divorce_waiting_end(day)
    data = {
        "id": marriage.id, "ended_at": ledger.utc_text(divorced_at),
        "end_reason": END_REASON[kind], "divorce_kind": kind,
        "waiting_period_end": waiting.isoformat() if waiting else None,
        "court_certificate": court_certificate, "no_waiting_period": no_waiting_period,
    }  # fmt: skip
    _append(session, caller, "marriage.ended", marriage.id, data, divorced_at)
    session.refresh(marriage)
    return _divorced(marriage, resent=False)


def _divorced(marriage: Marriage, resent: bool) -> dict[str, Any]:
    waiting = marriage.waiting_period_end
    return {
        "status": "registered",
        "resent": resent,
        "marriage_id": marriage.id,
        "end_reason": marriage.end_reason,
        "waiting_period_end": waiting.isoformat() if waiting else None,
        "message_fa": "طلاق ثبت شد" + (f"؛ پایان عده {waiting}" if waiting else ""),
        "message_en": "divorce registered"
        + (f"; waiting period ends {waiting}" if waiting else ""),
    }


def _check_open(marriage: Marriage) -> None:
    if marriage.ended_at is not None:
        raise Conflict(
            "marriage_ended",
            "این ازدواج پیش‌تر پایان یافته است",
            f"marriage {marriage.id} ended already ({marriage.end_reason})",
        )


def _append(
    session: Session, caller: Caller, kind: str, marriage_id: int, data: Any, at: datetime
) -> None:
    entry = ledger.NewEntry(kind, subject(marriage_id), data, caller.actor, caller.place.office, at)
    registry.append(session, [entry])


def register_return(
    session: Session, caller: Caller, marriage_id: int, returned_at: datetime
) -> dict[str, Any]:
    """A return (رجوع, CC 1148) within a revocable divorce's waiting period: the marriage
    goes on, the divorce stays in its history."""
    ledger.lock_head(session)
    marriage = _marriage(session, marriage_id)
    if marriage.end_reason != "divorce_revocable" or marriage.ended_at is None:
        raise Conflict(
            "no_revocable_divorce",
            "رجوع فقط در عدهٔ طلاق رجعی ممکن است",
            "a return is possible only after a revocable divorce",
        )
    _check_time(returned_at, marriage)
    day = clock.civil_date(returned_at)
    ended = marriage.ended_at
    if _naive_utc(returned_at) < ended or (
        marriage.waiting_period_end is None or day > marriage.waiting_period_end
    ):
        raise Conflict(
            "outside_waiting_period",
            "رجوع باید در عدهٔ طلاق باشد",
            "a return must fall within the divorce's waiting period",
        )
    return_id = (session.scalar(select(func.max(MarriageReturn.id))) or 0) + 1
    data = {
        "id": marriage.id, "return_id": return_id,
        "divorced_at": ledger.utc_text(ended.replace(tzinfo=UTC)),
        "returned_at": ledger.utc_text(returned_at),
    }  # fmt: skip
    _append(session, caller, "marriage.returned", marriage.id, data, returned_at)
    return {
        "status": "registered",
        "marriage_id": marriage.id,
        "message_fa": "رجوع ثبت شد؛ زوجیت ادامه دارد",
        "message_en": "return registered: the marriage goes on",
    }


def waive_term(
    session: Session, caller: Caller, marriage_id: int, waived_at: datetime
) -> dict[str, Any]:
    """The husband waives the rest of a temporary marriage's term (بذل مدت, CC 1139)."""
    ledger.lock_head(session)
    marriage = _marriage(session, marriage_id)
    if marriage.kind != "temporary":
        raise Conflict(
            "not_temporary", "فقط نکاح موقت بذل مدت دارد", "only a temporary marriage has a term"
        )
    _check_open(marriage)
    _check_time(waived_at, marriage)
    day = clock.civil_date(waived_at)
    assert marriage.term_end is not None
    if day > marriage.term_end:
        raise Conflict("term_over", "مدت پیش‌تر تمام شده است", "the term is already over")
    return _end_term(session, caller, marriage, "term_waived", waived_at, day)


def _end_term(
    session: Session, caller: Caller, marriage: Marriage, reason: str, at: datetime, day: date
) -> dict[str, Any]:
    waiting = law.temporary_waiting_end(day)
    data = {"id": marriage.id, "ended_at": ledger.utc_text(at), "end_reason": reason,
            "waiting_period_end": waiting.isoformat()}  # fmt: skip
    _append(session, caller, "marriage.ended", marriage.id, data, at)
    return {
        "status": "registered",
        "marriage_id": marriage.id,
        "end_reason": reason,
        "waiting_period_end": waiting.isoformat(),
        "message_fa": f"نکاح موقت پایان یافت؛ پایان عده {waiting}",
        "message_en": f"temporary marriage ended; waiting period ends {waiting}",
    }


def close_expired_terms(session: Session, caller: Caller) -> list[int]:
    """End every temporary marriage whose term is over (a daily job): at the end of its
    last day, Tehran time."""
    ledger.lock_head(session)
    today = clock.today_tehran()
    expired = _marriages(
        session,
        (Marriage.kind == "temporary") & Marriage.ended_at.is_(None) & (Marriage.term_end < today),
    )
    for m in expired:
        assert m.term_end is not None
        end = datetime.combine(m.term_end + timedelta(days=1), time(), clock.TEHRAN)
        _end_term(session, caller, m, "term_expired", end, m.term_end)
    return [m.id for m in expired]
