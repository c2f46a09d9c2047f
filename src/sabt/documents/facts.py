"""The facts each kind of document states, read from the register (read-only). Facts are
plain JSON (ISO dates, national codes, stored names): the canonical form that is hashed
into the token and the log, and what the templates render in Persian."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sabt.documents import estate
from sabt.inheritance import service as inheritance
from sabt.inheritance.heirs import Resolution
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict
from sabt.registry import queries
from sabt.registry.models import Marriage, Person

KINDS = ("booklet", "birth", "death", "marriage", "inheritance")


@dataclass(frozen=True)
class Facts:
    kind: str
    subject: str  # the main national code
    subjects: tuple[str, ...]  # every code the document names (a correction revokes it)
    marriage_id: int | None
    facts: dict[str, Any]
    key: dict[str, Any]  # what the token carries besides the hash


def identity(p: Person) -> dict[str, Any]:
    return {
        "national_code": p.national_code, "first_name": p.first_name, "last_name": p.last_name,
        "father_name": p.father_name, "sex": p.sex, "birth_date": p.birth_date.isoformat(),
        "birth_county": p.birth_county,
        "booklet": f"{p.booklet_series or ''}-{p.booklet_serial or ''}".strip("-") or None,
    }  # fmt: skip


def _named(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"national_code": p.national_code, "name": f"{p.first_name} {p.last_name}"}


def _death(p: Person) -> dict[str, Any] | None:
    if p.death_date is None:
        return None
    return {"date": p.death_date.isoformat(), "place": p.death_place}


def _marriage(m: Marriage, husband: Person, wife: Person) -> dict[str, Any]:
    return {
        "id": m.id, "kind": m.kind, "husband": _named(husband), "wife": _named(wife),
        "date": m.registered_at.date().isoformat(), "office": m.office,
        "term_end": m.term_end.isoformat() if m.term_end else None,
        "ended_on": m.ended_at.date().isoformat() if m.ended_at else None,
        "end_reason": m.end_reason,
    }  # fmt: skip


def key_of(kind: str, facts: dict[str, Any]) -> dict[str, Any]:
    """What a document's token carries besides the facts' hash: a few key facts a verifier
    reads without the register. Derived from the facts alone, so a copy of an issued
    document carries the same token claims as the original."""
    if kind == "marriage":
        return {"marriage": facts["id"], "date": facts["date"], "kind": facts["kind"]}
    if kind == "inheritance":
        return estate.key_facts(facts)
    person = facts["person"]
    key = {"name": f"{person['first_name']} {person['last_name']}"}
    if kind == "death":
        return {**key, "died": facts["death"]["date"]}
    key["born"] = person["birth_date"]
    return {**key, "alive": facts["death"] is None} if kind == "booklet" else key


def gather(session: Session, kind: str, code: str, marriage_id: int | None) -> Facts:
    if kind not in KINDS:
        raise BadInput(
            "bad_kind", f"نوع سند ناشناخته است: {kind}", f"kind must be one of {', '.join(KINDS)}"
        )
    person = queries.get_person(session, code)
    if kind == "birth":
        return _birth(session, person)
    if kind == "death":
        return _death_certificate(session, person)
    if kind == "marriage":
        return _marriage_certificate(session, person, marriage_id)
    if kind == "inheritance":
        return _inheritance_certificate(session, person)
    return _booklet(session, person)


def _parents(session: Session, p: Person) -> tuple[Person | None, Person | None]:
    father = session.get(Person, p.father_code) if p.father_code else None
    mother = session.get(Person, p.mother_code) if p.mother_code else None
    return father, mother


def _birth(session: Session, p: Person) -> Facts:
    father, mother = _parents(session, p)
    facts = {"person": identity(p), "father": _named(father), "mother": _named(mother)}
    codes = tuple(x.national_code for x in (p, father, mother) if x)
    return Facts("birth", p.national_code, codes, None, facts, key_of("birth", facts))


def _registered_death(p: Person, what_fa: str, what_en: str) -> dict[str, Any]:
    death = _death(p)
    if death is None:
        raise Conflict(
            "not_deceased",
            f"فوت این شخص ثبت نشده است؛ {what_fa} صادر نمی‌شود",
            f"no death is registered for {p.national_code}: no {what_en}",
        )
    return death


def _death_certificate(session: Session, p: Person) -> Facts:
    death = _registered_death(p, "گواهی فوت", "death certificate")
    facts = {"person": identity(p), "death": death}
    key = key_of("death", facts)
    return Facts("death", p.national_code, (p.national_code,), None, facts, key)


def _marriage_certificate(session: Session, p: Person, marriage_id: int | None) -> Facts:
    mine = list(
        session.scalars(
            select(Marriage)
            .where(
                or_(Marriage.husband_code == p.national_code, Marriage.wife_code == p.national_code)
            )
            .order_by(Marriage.registered_at)
        )
    )
    if marriage_id is not None:
        mine = [m for m in mine if m.id == marriage_id]
    if not mine:
        raise Conflict(
            "no_marriage",
            "ازدواجی برای این شخص ثبت نشده است" if marriage_id is None
            else f"ازدواج {marriage_id} از آنِ این شخص نیست",
            f"no such marriage of {p.national_code} in the register",
        )  # fmt: skip
    if len(mine) > 1:
        ids = ", ".join(str(m.id) for m in mine)
        raise BadInput(
            "choose_marriage",
            f"این شخص چند ازدواج دارد ({ids})؛ شمارهٔ ازدواج را بدهید",
            f"{p.national_code} has several marriages ({ids}): name one with --marriage",
        )
    m = mine[0]
    husband, wife = session.get(Person, m.husband_code), session.get(Person, m.wife_code)
    assert husband is not None and wife is not None
    facts = _marriage(m, husband, wife)
    codes = (m.husband_code, m.wife_code)
    return Facts("marriage", p.national_code, codes, m.id, facts, key_of("marriage", facts))


def _booklet(session: Session, p: Person) -> Facts:
    father, mother = _parents(session, p)
    marriages = []
    for s in queries.spouses(session, p):
        m = session.get(Marriage, s.marriage_id)
        assert m is not None
        husband, wife = (p, s.person) if p.sex == "male" else (s.person, p)
        marriages.append(_marriage(m, husband, wife))
    kids = queries.children(session, p)
    facts = {
        "person": identity(p), "father": _named(father), "mother": _named(mother),
        "marriages": marriages, "children": [_named(c) for c in kids], "death": _death(p),
    }  # fmt: skip
    key = key_of("booklet", facts)
    return Facts("booklet", p.national_code, (p.national_code,), None, facts, key)


def _inheritance_certificate(session: Session, p: Person) -> Facts:
    """Heirs and shares of a registered death, as the register alone gives them. Issued only
    when the register settles the division: a refused division (Art. 878: simultaneous
    deaths) or one the register cannot settle (gaps) goes to a registrar instead."""
    _registered_death(p, "گواهی انحصار وراثت", "inheritance certificate")
    resolution = inheritance.resolve(session, p.national_code)
    if resolution.gaps:
        raise Conflict(
            "inheritance_needs_review",
            "ثبت برای تعیین وراث کافی نیست و کارشناس باید بررسی کند: "
            + "؛ ".join(g["message_fa"] for g in resolution.gaps),
            "the register cannot settle the heirs; a registrar must review: "
            + "; ".join(g["message_en"] for g in resolution.gaps),
        )
    return inheritance_certificate(p, resolution, {})


def inheritance_certificate(p: Person, resolution: Resolution, declared: dict[str, Any]) -> Facts:
    """The facts of an inheritance certificate of `resolution` (the register's, or the estate's
    with what a registrar declared on it: `declared`, see estate.certificate_facts).
    Conflict when the law refuses the division now (Art. 878)."""
    death = _registered_death(p, "گواهی انحصار وراثت", "inheritance certificate")
    refusal = resolution.result.refusal
    if refusal is not None:
        raise Conflict(
            "inheritance_refused",
            f"تقسیم ترکه اکنون ممکن نیست (مادهٔ {refusal.article}): {refusal.fa}",
            f"the estate cannot be divided now (Art. {refusal.article}): {refusal.en}",
        )
    tables = inheritance.certificate_tables(resolution)
    facts = estate.certificate_facts(
        {**identity(p), "death": death}, resolution, tables, clock.civil_date(clock.now()),
        declared,
    )  # fmt: skip
    heirs = [h["national_code"] for t in facts["tables"] for h in t["heirs"]]
    codes = tuple(dict.fromkeys([p.national_code, *(c for c in heirs if c)]))
    return Facts("inheritance", p.national_code, codes, None, facts, key_of("inheritance", facts))
