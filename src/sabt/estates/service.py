"""Estates' use cases: settle the estate of a death registered N days ago (issue its
certificate, or queue it for a registrar with the reasons), what a registrar declares on an
estate and the certificate they then issue, the reissue a correction of the register causes,
and the SMS notices owed to heirs.

Every step is one ledger entry written in the same transaction as the certificate it
concerns, under the ledger's lock; an estate row exists exactly when its death is settled,
so a worker killed at any moment never issues twice and never skips a death (the next run
picks up what the last one had not committed). SMS notices are rows of that same
transaction, sent afterwards and marked sent by an entry of their own: a worker killed
between sending and marking sends that one message again (at least once, never lost).
"""

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sabt.documents import facts as document_facts
from sabt.documents import service as documents
from sabt.documents.models import Document
from sabt.estates import appliers, texts
from sabt.estates.models import Estate, Notice
from sabt.identity.roles import Place
from sabt.identity.service import Caller
from sabt.inheritance import heirs
from sabt.inheritance.case import parse_case
from sabt.inheritance.heirs import Resolution
from sabt.inheritance.law import compute
from sabt.kit import canonical, clock, settings
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.persian import places
from sabt.persian.digits import to_persian
from sabt.persian.jalali import age_on
from sabt.registry import ledger, queries
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import MobileOwnership, Person

appliers.register()

WORKER = "worker:estates"
UNBORN = "unborn"  # the id of a declared pregnancy's child in the estate's case
# Civil Code Art. 1210 and the registry's practice: an heir under 18 is told through a parent.
MAJORITY_YEARS = 18


@dataclass(frozen=True)
class Outcome:
    """What settling or issuing did: `issued` (with the certificate) or `queued`."""

    deceased: str
    status: str
    certificate: str | None
    reasons: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"deceased": self.deceased, "status": self.status,
                "certificate": self.certificate, "reasons": self.reasons}  # fmt: skip


def subject(code: str) -> str:
    return f"estate:{code}"


def now_text() -> str:
    return ledger.utc_text(clock.now())


def declared_of(estate: Estate | None) -> dict[str, Any]:
    if estate is None:
        return {}
    value: dict[str, Any] = canonical.loads(estate.declared)
    return value


def reasons_of(estate: Estate) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = canonical.loads(estate.reasons)
    return value


# --- the division, with what a registrar declared ----------------------------------------


def resolution_of(session: Session, code: str, declared: dict[str, Any]) -> Resolution:
    """The register's heirs and shares, with what only a registrar can know: a pregnancy at
    the time of death (an unborn child of the deceased, Art. 878) and missing heirs (Art.
    879). The case says so, so the engine reserves their shares."""
    found = heirs.resolve(session, code)
    missing = set(declared.get("missing", []))
    if not declared.get("pregnancy") and not missing:
        return found
    case = copy.deepcopy(found.case)
    for heir in case["heirs"]:
        if heir["id"] in missing:
            heir["missing"] = True
    if declared.get("pregnancy"):
        case["heirs"].append({"id": UNBORN, "relation": "son", "sex": "male", "unborn": True})
    return Resolution(case, compute(parse_case(case)), found.gaps, found.names)


def reasons(resolution: Resolution, declared: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the estate cannot be issued unasked: the register's gaps not yet reviewed, a
    refusal of the law, and a provisional division (a registrar issues those)."""
    reviewed = set((declared.get("review") or {}).get("gaps", []))
    out = [
        {"code": g["code"], "person": g["person"], "message_fa": g["message_fa"],
         "message_en": g["message_en"]}
        for g in resolution.gaps if g["code"] not in reviewed
    ]  # fmt: skip
    refusal = resolution.result.refusal
    if refusal is not None:
        out.append(
            {
                "code": "refused",
                "person": None,
                "article": refusal.article,
                "message_fa": f"تقسیم اکنون ممکن نیست (مادهٔ {to_persian(refusal.article)}): "
                f"{refusal.fa}",
                "message_en": f"no division now (Art. {refusal.article}): {refusal.en}",
            }
        )
    elif resolution.result.status == "provisional":
        out.append({"code": "provisional", "person": None,
                    "message_fa": "تقسیم موقت است (حمل یا وارث غایب)؛ کارشناس صادر می‌کند",
                    "message_en": "the division is provisional (an unborn child or a missing "
                                  "heir): a registrar issues it"})  # fmt: skip
    return out


# --- the worker's step: one death ---------------------------------------------------------


def due(session: Session, days: int, since: date, limit: int) -> list[str]:
    """Deaths registered at least `days` ago (and on or after `since`) whose estate is not
    settled, oldest registration first."""
    cutoff = clock.now().replace(tzinfo=None) - timedelta(days=days)
    query = (
        select(Person.national_code)
        .outerjoin(  # an estate revoked with its death is settled again if they die
            Estate, (Estate.deceased == Person.national_code) & (Estate.status != "revoked")
        )
        .where(Person.death_registered_at.is_not(None), Estate.deceased.is_(None),
               Person.death_registered_at <= cutoff,
               Person.death_registered_at >= datetime.combine(since, time()))
        .order_by(Person.death_registered_at, Person.national_code)
        .limit(limit)
    )  # fmt: skip
    return list(session.scalars(query))


def settle(session: Session, code: str, public_url: str) -> Outcome | None:
    """Settle one death's estate in the caller's transaction: issue the certificate when the
    register alone gives a complete and final division, else queue it with the reasons.
    None when it is settled already (by another worker, or by a registrar's declaration)."""
    ledger.lock_head(session)
    earlier = session.get(Estate, code)
    if earlier is not None and earlier.status != "revoked":
        return None
    person = queries.get_person(session, code)
    resolution = resolution_of(session, code, {})
    why = reasons(resolution, {})
    now = now_text()
    row = _row(person, "queued" if why else "issued", why, {}, now)
    number, notices = None, []
    if not why:
        document = documents.record(
            session, document_facts.inheritance_certificate(person, resolution, {}), WORKER
        )
        number = document.number
        row.update(certificate=number, objection_until=_until(document).isoformat())
        notices = _notices(session, person, document, public_url, now)
    if earlier is None:
        append_entry(session, "estate.settled", code, {"estate": row, "notices": notices})
    else:  # the estate of a death that was revoked, and now registered again
        changes = {k: v for k, v in row.items() if k != "deceased"}
        data = {"deceased": code, "set": changes, "notices": notices}
        append_entry(session, "estate.reopened", code, data)
    return Outcome(code, row["status"], number, why)


def _row(
    person: Person, status: str, why: list[dict[str, Any]], declared: dict[str, Any], now: str
) -> dict[str, Any]:
    county = places.counties().get(person.residence_county)
    return {
        "deceased": person.national_code, "status": status, "reasons": dumps(why),
        "declared": dumps(declared), "certificate": None, "objection_until": None,
        "county": person.residence_county, "province": county.province_iso if county else None,
        "death_registered_at": ledger.utc_text(_aware(person.death_registered_at)),
        "opened_at": now, "updated_at": now,
    }  # fmt: skip


def _aware(at: datetime | None) -> datetime:
    assert at is not None  # a settled death is a registered one
    return at.replace(tzinfo=UTC)


def _until(document: Document) -> date:
    """The last day of the certificate's objection window, as the certificate states it."""
    stated: dict[str, Any] = canonical.loads(document.facts)
    return date.fromisoformat(stated["objection"]["until"])


def dumps(value: Any) -> str:
    return canonical.dumps(value).decode()


def append_entry(session: Session, kind: str, code: str, data: dict[str, Any],
                 actor: str = WORKER, office: str | None = None) -> None:  # fmt: skip
    registry.append(session, [ledger.NewEntry(kind, subject(code), data, actor, office)])


# --- SMS notices ----------------------------------------------------------------------------


def _notices(
    session: Session, deceased: Person, document: Document, public_url: str, now: str,
    also: tuple[str, ...] = (), reissued: bool = False,
) -> list[dict[str, Any]]:  # fmt: skip
    """One SMS per recipient: every adult heir with a mobile number, and for a minor heir
    the parent who survives (Civil Code Art. 1180 ff.: the father, else the mother) in the
    minor's place. `also` adds people told of a reissue who are heirs no more."""
    stated: dict[str, Any] = canonical.loads(document.facts)
    codes = [h["national_code"] for t in stated["tables"] for h in t["heirs"] if h["national_code"]]
    wanted = list(dict.fromkeys([*codes, *also]))
    people = {p.national_code: p for p in _people(session, wanted)}
    today = clock.today_tehran()
    heir_of: dict[str, bool] = {}
    minors_of: dict[str, list[str]] = {}
    for code in wanted:
        p = people.get(code)
        if p is None or p.status == "deceased":
            continue
        if age_on(p.birth_date, today) >= MAJORITY_YEARS:
            heir_of[code] = True
            continue
        guardian = _guardian(session, p, deceased.national_code)
        if guardian is not None:
            minors_of.setdefault(guardian.national_code, []).append(p.first_name)
            people[guardian.national_code] = guardian
    recipients = list(dict.fromkeys([*heir_of, *minors_of]))
    mobiles = _mobiles(session, recipients)
    first = _next_notice(session)
    link = f"{public_url}/sahim/inheritance/{deceased.national_code}"
    name = f"{deceased.first_name} {deceased.last_name}"
    out: list[dict[str, Any]] = []
    for code in recipients:
        if code not in mobiles:
            continue
        text = texts.certificate_sms(name, document.number, minors_of.get(code, []),
                                     heir_of.get(code, False), _until(document), link,
                                     reissued)  # fmt: skip
        out.append({"id": first + len(out), "deceased": deceased.national_code,
                    "recipient": code, "mobile": mobiles[code], "text": text,
                    "created_at": now, "sent_at": None})  # fmt: skip
    return out


def _people(session: Session, codes: list[str]) -> list[Person]:
    if not codes:
        return []
    return list(session.scalars(select(Person).where(Person.national_code.in_(codes))))


def _guardian(session: Session, minor: Person, deceased: str) -> Person | None:
    for code in (minor.father_code, minor.mother_code):
        if code and code != deceased:
            parent = session.get(Person, code)
            if parent is not None and parent.status != "deceased":
                return parent
    return None


def _mobiles(session: Session, codes: list[str]) -> dict[str, str]:
    """Each person's mobile number as the operators last reported it."""
    if not codes:
        return {}
    rows = session.execute(
        select(MobileOwnership.national_code, MobileOwnership.mobile)
        .where(MobileOwnership.national_code.in_(codes))
        .order_by(MobileOwnership.reported_at)
    )
    return {code: mobile for code, mobile in rows}


def _next_notice(session: Session) -> int:
    return (session.scalar(select(func.max(Notice.id))) or 0) + 1


def unsent(session: Session, limit: int) -> list[Notice]:
    query = select(Notice).where(Notice.sent_at.is_(None)).order_by(Notice.id).limit(limit)
    return list(session.scalars(query))


def mark_sent(session: Session, notice_id: int) -> None:
    """Record that a notice went to the gateway (once: a second mark changes nothing)."""
    ledger.lock_head(session)
    notice = session.get(Notice, notice_id)
    if notice is None or notice.sent_at is not None:
        return
    append_entry(
        session, "notice.sent", notice.deceased, {"notice": notice_id, "sent_at": now_text()}
    )


def notice_rows(
    session: Session, deceased: str, recipient: str, mobile: str, text: str
) -> list[dict[str, Any]]:
    """A single notice (to an objector), for an entry of the caller's."""
    row = {"id": _next_notice(session), "deceased": deceased, "recipient": recipient,
           "mobile": mobile, "text": text, "created_at": now_text(), "sent_at": None}  # fmt: skip
    return [row]


def mobile_of(session: Session, code: str) -> str | None:
    return _mobiles(session, [code]).get(code)


# --- a registrar's work on an estate --------------------------------------------------------


def load(session: Session, code: str) -> Estate:
    estate = session.get(Estate, parse_code(code), populate_existing=True)
    if estate is None:
        raise NotFound("no_estate", "پرونده‌ای برای این متوفی نیست", f"no estate is open for {code}")
    return estate


def objection_window(session: Session, code: str) -> date | None:
    """The last day to object to the estate's valid certificate, while that day is to come."""
    estate = session.get(Estate, code)
    until = estate.objection_until if estate is not None else None
    return until if until is not None and clock.today_tehran() <= until else None


def place(estate: Estate) -> Place:
    return Place(None, estate.county, estate.province)


def queue(session: Session, caller: Caller, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Queued estates of the caller's jurisdiction, oldest death registration first."""
    j = caller.jurisdiction
    assert j is not None  # staff only (the scope says so)
    where = [Estate.status == "queued", j.where(None, Estate.county, Estate.province)]
    total = session.scalar(select(func.count()).select_from(Estate).where(*where)) or 0
    rows = session.scalars(select(Estate).where(*where)
                           .order_by(Estate.death_registered_at, Estate.deceased)
                           .limit(limit).offset(offset))  # fmt: skip
    return {"total": total, "items": [summary(e) for e in rows]}


def summary(estate: Estate) -> dict[str, Any]:
    return {
        "deceased": estate.deceased, "status": estate.status, "reasons": reasons_of(estate),
        "declared": declared_of(estate), "certificate": estate.certificate,
        "objection_until": estate.objection_until.isoformat() if estate.objection_until else None,
        "county": estate.county, "province": estate.province,
        "death_registered_at": ledger.utc_text(_aware(estate.death_registered_at)),
    }  # fmt: skip


def view(session: Session, caller: Caller, code: str) -> dict[str, Any]:
    """The estate with the division the register (and the declarations) give now."""
    estate = load(session, code)
    caller.require_jurisdiction(place(estate))
    resolution = resolution_of(session, estate.deceased, declared_of(estate))
    return {**summary(estate), "resolution": resolution.as_json()}


def declare(
    session: Session, caller: Caller, code: str, *, pregnancy: str | None = None,
    missing: list[str] | None = None, will: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Record on an estate what the register cannot know: a pregnancy at the time of death
    (the forensic certificate's reference), missing heirs (Art. 879: each a relative in the
    estate's case), a declared will (this certificate does not apply it). A death not yet
    settled gets its estate now, queued: a registrar, not the worker, then issues it."""
    ledger.lock_head(session)
    person = queries.get_person(session, parse_code(code))
    if person.death_date is None or person.death_registered_at is None:
        raise Conflict("not_deceased", "فوت این شخص ثبت نشده است",
                       f"no death is registered for {person.national_code}")  # fmt: skip
    estate = session.get(Estate, person.national_code, populate_existing=True)
    opened = _row(person, "queued", [], {}, now_text())
    caller.require_jurisdiction(Place(None, opened["county"], opened["province"]))
    if estate is not None and estate.status != "queued":
        raise Conflict(
            "estate_issued",
            "گواهی این متوفی صادر شده است؛ تغییر آن فقط با اعتراض و رأی هیأت است",
            "this estate's certificate is issued: only an objection and the board change it",
        )
    declared = {**declared_of(estate), **_declaration(session, person, pregnancy, missing, will)}
    declared["by"] = {"by": caller.actor, "at": now_text()}
    why = reasons(resolution_of(session, person.national_code, declared), declared)
    changes = {"declared": dumps(declared), "reasons": dumps(why), "updated_at": now_text()}
    data: dict[str, Any]
    if estate is None:
        kind, data = "estate.settled", {"estate": {**opened, **changes}}
    else:
        kind, data = "estate.declared", {"deceased": person.national_code, "set": changes}
    append_entry(session, kind, person.national_code, data, caller.actor, caller.place.office)
    return view(session, caller, person.national_code)


def _declaration(
    session: Session, person: Person, pregnancy: str | None, missing: list[str] | None,
    will: str | None,
) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {}
    if pregnancy is not None:
        out["pregnancy"] = {"reference": _reference(pregnancy, "pregnancy")}
    if will is not None:
        out["will"] = {"reference": _reference(will, "will")}
    if missing:
        case_ids = {h["id"] for h in heirs.resolve(session, person.national_code).case["heirs"]}
        codes = [parse_code(c) for c in missing]
        strangers = [c for c in codes if c not in case_ids]
        if strangers:
            raise BadInput(
                "not_a_relative",
                f"این اشخاص در شمار خویشاوندان وارث متوفی نیستند: {'، '.join(strangers)}",
                f"not relatives in the estate's case: {', '.join(strangers)}",
            )
        out["missing"] = sorted(set(codes))
    if not out:
        raise BadInput("nothing_declared", "چیزی برای ثبت داده نشده است",
                       "declare a pregnancy, missing heirs or a will")  # fmt: skip
    return out


def _reference(value: str, what: str) -> str:
    value = value.strip()
    if not 3 <= len(value) <= 100:
        raise BadInput(
            f"bad_{what}_reference",
            "شمارهٔ سند (مرجع) باید ۳ تا ۱۰۰ نویسه باشد",
            f"the {what} reference must be 3 to 100 characters",
        )
    return value


def issue(
    session: Session, caller: Caller, code: str, public_url: str, review: str | None = None
) -> Outcome:
    """A registrar issues a queued estate's certificate: provisional, with the reserve shown,
    when the law allows a division now; with the register's gaps reviewed (`review`: what
    the registrar found). Refused (Art. 878) while the law forbids a division."""
    ledger.lock_head(session)
    estate = load(session, code)
    caller.require_jurisdiction(place(estate))
    if estate.status != "queued":
        raise Conflict("estate_issued", "گواهی این متوفی پیش‌تر صادر شده است",
                       "this estate's certificate is issued already")  # fmt: skip
    declared = declared_of(estate)
    resolution = resolution_of(session, estate.deceased, declared)
    gaps = [g["code"] for g in resolution.gaps]
    if gaps and review is None:
        raise BadInput(
            "review_needed",
            "ثبت کاستی دارد؛ نتیجهٔ بررسی خود را بنویسید: " + "؛ ".join(
                g["message_fa"] for g in resolution.gaps),
            "the register has gaps: say what your review found (review)",
        )  # fmt: skip
    if review is not None:
        declared["review"] = {"note": _reference(review, "review").strip(), "gaps": gaps,
                              "by": caller.actor}  # fmt: skip
    why = [r for r in reasons(resolution, declared) if r["code"] != "provisional"]
    if why:
        raise Conflict("cannot_issue", "گواهی صادر نمی‌شود: " + "؛ ".join(
            r["message_fa"] for r in why), "; ".join(r["message_en"] for r in why))  # fmt: skip
    person = queries.get_person(session, estate.deceased)
    stated = document_facts.inheritance_certificate(person, resolution, _stated(declared))
    document = documents.record(session, stated, caller.actor)
    now = now_text()
    changes = {"status": "issued", "certificate": document.number, "reasons": dumps([]),
               "declared": dumps(declared), "objection_until": _until(document).isoformat(),
               "updated_at": now}  # fmt: skip
    notices = _notices(session, person, document, public_url, now)
    append_entry(session, "estate.issued", estate.deceased,
            {"deceased": estate.deceased, "set": changes, "notices": notices}, caller.actor,
            caller.place.office)  # fmt: skip
    return Outcome(estate.deceased, "issued", document.number, [])


def _stated(declared: dict[str, Any]) -> dict[str, Any]:
    """What of the declarations the certificate states (never who declared it)."""
    out: dict[str, Any] = {}
    if declared.get("pregnancy"):
        out["pregnancy"] = {"reference": declared["pregnancy"]["reference"]}
    if declared.get("will"):
        out["will"] = {"reference": declared["will"]["reference"]}
    if declared.get("review"):
        out["review"] = {"note": declared["review"]["note"]}
    return out


# --- reissue: the register changed under a certificate ------------------------------------


def public_url() -> str:
    """The instance's configured public address, for SMS written inside whichever command
    approved a correction or decided an objection (the worker and the API have their own)."""
    return settings.load().public_url


def reissue(session: Session, old: Document, entry: ledger.NewEntry) -> None:
    """A correction changed a fact an inheritance certificate states (documents calls this
    in the correction's transaction): issue the corrected certificate, which revokes the old
    one with a pointer to it, tell every heir (and anyone the correction removed), and open a
    new objection window; or, when the corrected register no longer settles the division,
    revoke the old one and queue the estate with the reasons."""
    code = old.subject
    estate = session.get(Estate, code, populate_existing=True)
    declared = declared_of(estate)
    person = queries.get_person(session, code)
    resolution = resolution_of(session, code, declared)
    why = [r for r in reasons(resolution, declared) if r["code"] != "provisional"]
    now = now_text()
    if why:
        field = entry.data.get("field", "")
        documents.end(
            session,
            old.number,
            "revoked",
            f"اصلاح ثبت: {field} / a stated fact was corrected: {field}",
            entry.actor,
        )
        if estate is not None:
            changes = {"status": "queued", "certificate": None, "reasons": dumps(why),
                       "objection_until": None, "updated_at": now}  # fmt: skip
            append_entry(session, "estate.queued", code, {"deceased": code, "set": changes},
                    entry.actor)  # fmt: skip
        return
    stated = document_facts.inheritance_certificate(person, resolution, _stated(declared))
    document = documents.record(session, stated, entry.actor)
    removed = tuple(set(old.subjects.split()) - set(document.subjects.split()) - {code})
    notices = _notices(session, person, document, public_url(), now, removed, True)
    if estate is not None:
        changes = {"status": "issued", "certificate": document.number, "reasons": dumps([]),
                   "objection_until": _until(document).isoformat(), "updated_at": now}  # fmt: skip
        data = {"deceased": code, "set": changes, "notices": notices}
        append_entry(session, "estate.reissued", code, data, entry.actor)
