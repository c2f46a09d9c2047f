"""Read-only questions about persons and families (what heirs, documents and the portal ask)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, extract, func, or_, select
from sqlalchemy.orm import Session

from sabt.persian.text import search_key
from sabt.registry.lookup import person_not_found
from sabt.registry.models import Marriage, Person


def last_event_day(session: Session) -> date | None:
    """The day of the register's latest birth or death: how far its data reaches."""
    born = session.scalar(select(func.max(Person.birth_date)))
    died = session.scalar(select(func.max(Person.death_date)))
    days = [d for d in (born, died) if d is not None]
    return max(days) if days else None


def get_person(session: Session, code: str) -> Person:
    person = session.get(Person, code)
    if person is None:
        raise person_not_found(code)
    return person


def parents(session: Session, person: Person) -> list[Person]:
    codes = [c for c in (person.father_code, person.mother_code) if c]
    return (
        list(session.scalars(select(Person).where(Person.national_code.in_(codes))))
        if codes
        else []
    )


def children(session: Session, person: Person) -> list[Person]:
    column = Person.father_code if person.sex == "male" else Person.mother_code
    return list(
        session.scalars(
            select(Person).where(column == person.national_code).order_by(Person.birth_date)
        )
    )


@dataclass(frozen=True)
class Spouse:
    person: Person
    kind: str  # permanent / temporary
    registered_at: datetime
    ended_at: datetime | None
    end_reason: str | None  # how the marriage ended, if it did
    marriage_id: int


def spouses(session: Session, person: Person) -> list[Spouse]:
    """Every marriage of the person (current and past), with the other spouse."""
    mine, other = (
        (Marriage.husband_code, Marriage.wife_code)
        if person.sex == "male"
        else (Marriage.wife_code, Marriage.husband_code)
    )
    rows = session.execute(
        select(Marriage, Person)
        .join(Person, Person.national_code == other)
        .where(mine == person.national_code)
        .order_by(Marriage.registered_at)
    )
    return [Spouse(p, m.kind, m.registered_at, m.ended_at, m.end_reason, m.id) for m, p in rows]


def siblings(session: Session, person: Person, kind: str = "all") -> list[Person]:
    """Full, paternal (same father only), maternal (same mother only) or all siblings."""
    father, mother = person.father_code, person.mother_code
    conditions: list[ColumnElement[bool]]
    if kind == "full":
        if not (father and mother):
            return []
        conditions = [Person.father_code == father, Person.mother_code == mother]
    elif kind == "paternal":
        if not father:
            return []
        conditions = [Person.father_code == father, Person.mother_code.is_distinct_from(mother)]
    elif kind == "maternal":
        if not mother:
            return []
        conditions = [Person.mother_code == mother, Person.father_code.is_distinct_from(father)]
    elif kind == "all":
        either = [
            c == v for c, v in ((Person.father_code, father), (Person.mother_code, mother)) if v
        ]
        if not either:
            return []
        conditions = [or_(*either)]
    else:
        raise ValueError(f"unknown sibling kind {kind!r}")
    query = select(Person).where(*conditions, Person.national_code != person.national_code)
    return list(session.scalars(query.order_by(Person.birth_date)))


def grandparents(session: Session, person: Person) -> list[Person]:
    found: list[Person] = []
    for parent in parents(session, person):
        found.extend(parents(session, parent))
    return found


def uncles_and_aunts(session: Session, person: Person) -> list[Person]:
    """Siblings (full or half) of either parent."""
    found: dict[str, Person] = {}
    for parent in parents(session, person):
        for sibling in siblings(session, parent):
            found[sibling.national_code] = sibling
    return sorted(found.values(), key=lambda p: p.birth_date)


def cousins(session: Session, person: Person) -> list[Person]:
    found: dict[str, Person] = {}
    for relative in uncles_and_aunts(session, person):
        for child in children(session, relative):
            found[child.national_code] = child
    return sorted(found.values(), key=lambda p: p.birth_date)


def search(
    session: Session,
    name: str,
    *,
    father_name: str | None = None,
    birth_year: int | None = None,
    limit: int = 50,
) -> list[Person]:
    """Persons whose first and/or last name match `name` (normalised, compound-insensitive).

    `name` may be "first last", a first name, or a last name. `birth_year` is Gregorian.
    """
    words = name.split()
    candidates: list[Select[Person]] = []
    for split in range(len(words) + 1):
        first, last = " ".join(words[:split]), " ".join(words[split:])
        query = select(Person)
        if first:
            query = query.where(Person.first_name_key == search_key(first))
        if last:
            query = query.where(Person.last_name_key == search_key(last))
        candidates.append(query)
    if len(words) == 1:  # a single word may be either name
        candidates = [
            select(Person).where(Person.first_name_key == search_key(name)),
            select(Person).where(Person.last_name_key == search_key(name)),
        ]
    found: dict[str, Person] = {}
    for query in candidates:
        if father_name:
            query = query.where(Person.father_name_key == search_key(father_name))
        if birth_year:
            query = query.where(extract("year", Person.birth_date) == birth_year)
        for person in session.scalars(query.order_by(Person.national_code).limit(limit)):
            found[person.national_code] = person
    return sorted(found.values(), key=lambda p: p.national_code)[:limit]
