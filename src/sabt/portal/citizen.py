"""What a signed-in citizen may see and do in SAHIM, and nothing of anyone else: their own
record and family, the documents that name them or their minor children, the estates of
their deceased parents, spouses and children, their requests. Every function takes the
citizen's own register row (from the session), never an identifier from the page alone:
an identifier a page sends is only looked up among what the citizen may reach, and
anything else is "not found" (the same answer whether it exists or not)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sabt.documents import keys
from sabt.documents import service as documents
from sabt.documents.models import Document
from sabt.inheritance import service as inheritance
from sabt.inheritance.heirs import Resolution
from sabt.kit import clock
from sabt.kit.errors import NotFound
from sabt.persian.jalali import age_on
from sabt.registration import corrections
from sabt.registration.models import Case
from sabt.registry import queries
from sabt.registry.models import Office, Person

# Civil Code Art. 1210 and the Civil Registration Act: parents act for a child until 18
# (the registry's age of majority for documents); the portal stops there.
MAJORITY_YEARS = 18


def actor(person: Person) -> str:
    """How the ledger and the logs name what a citizen did themself."""
    return f"citizen:{person.national_code}"


def _not_found() -> NotFound:
    return NotFound("not_yours", "پیدا نشد", "not found among what you may see")


def minor_children(session: Session, person: Person, today: date | None = None) -> list[Person]:
    """Living children under 18: the law gives their parents their documents."""
    day = today or clock.today_tehran()
    return [
        c for c in queries.children(session, person)
        if c.status != "deceased" and age_on(c.birth_date, day) < MAJORITY_YEARS
    ]  # fmt: skip


@dataclass(frozen=True)
class Offer:
    """A document the citizen may issue now: of which kind, about whom."""

    kind: str
    subject: Person
    marriage_id: int | None = None
    spouse: Person | None = None


def offers(session: Session, person: Person) -> list[Offer]:
    """Their e-booklet extract and birth certificate, a certificate of each of their
    marriages, and the birth certificate and e-booklet of each minor child."""
    mine = [Offer("booklet", person), Offer("birth", person)]
    mine += [Offer("marriage", person, s.marriage_id, s.person)
             for s in queries.spouses(session, person)]  # fmt: skip
    for child in minor_children(session, person):
        mine += [Offer("birth", child), Offer("booklet", child)]
    return mine


def issue(
    session: Session, signing: keys.SigningKeys, person: Person, kind: str, subject: str,
    marriage_id: int | None,
) -> documents.Issued:  # fmt: skip
    """Issue one of the citizen's offers, as the citizen; NotFound for anything else."""
    wanted = (kind, subject, marriage_id)
    if all((o.kind, o.subject.national_code, o.marriage_id) != wanted
           for o in offers(session, person)):  # fmt: skip
        raise _not_found()
    return documents.issue(session, signing, kind, subject, actor(person), marriage_id)


def _reachable(session: Session, person: Person) -> list[str]:
    return [person.national_code, *(c.national_code for c in minor_children(session, person))]


def documents_of(session: Session, person: Person) -> list[Document]:
    """The documents about the citizen or a minor child of theirs, and those that name the
    citizen (a marriage certificate, an inheritance certificate of which they are an heir),
    newest first."""
    codes = _reachable(session, person)
    # `subjects` is space-separated: padded, a code never matches inside another
    named = (" " + Document.subjects + " ").contains(f" {person.national_code} ")
    return list(session.scalars(
        select(Document).where(or_(Document.subject.in_(codes), named))
        .order_by(Document.issued_at.desc(), Document.seq.desc())
    ))  # fmt: skip


def document_of(session: Session, person: Person, number: str) -> Document:
    found = next((d for d in documents_of(session, person) if d.number == number), None)
    if found is None:
        raise _not_found()
    return found


def deceased_relatives(session: Session, person: Person) -> list[Person]:
    """Parents, spouses (of any marriage) and children whose death is registered: the
    estates the citizen is close enough to see."""
    kin = [*queries.parents(session, person), *(s.person for s in queries.spouses(session, person)),
           *queries.children(session, person)]  # fmt: skip
    unique = {p.national_code: p for p in kin if p.status == "deceased"}
    return sorted(unique.values(), key=lambda p: p.death_date or date.min, reverse=True)


@dataclass(frozen=True)
class Estate:
    deceased: Person
    resolution: Resolution
    certificates: list[Document]  # issued inheritance certificates, newest first


def estate_of(session: Session, person: Person, deceased_code: str) -> Estate:
    """The heirs and shares the register gives for a deceased relative of the citizen."""
    deceased = next(
        (p for p in deceased_relatives(session, person) if p.national_code == deceased_code), None
    )
    if deceased is None:
        raise _not_found()
    certificates = session.scalars(
        select(Document).where(Document.kind == "inheritance", Document.subject == deceased_code)
        .order_by(Document.seq.desc())
    )  # fmt: skip
    return Estate(deceased, inheritance.resolve(session, deceased_code), list(certificates))


def requests_of(session: Session, person: Person) -> list[Case]:
    return corrections.requests_of(session, person.national_code)


def issued_by(session: Session, person: Person) -> list[Document]:
    """The documents the citizen issued themself through the portal, newest first."""
    return list(session.scalars(
        select(Document).where(Document.issued_by == actor(person))
        .order_by(Document.seq.desc())
    ))  # fmt: skip


@dataclass(frozen=True)
class Notified:
    """How a child came into the register without a visit: the hospital's notification."""

    hospital: str
    received_at: datetime


def birth_notification(session: Session, child: Person) -> Notified | None:
    row = session.execute(
        select(Office.name_fa, Case.received_at)
        .join(Office, Office.code == Case.source)
        .where(Case.kind == "birth", Case.subject == child.national_code,
               Case.status == "registered", Office.kind == "hospital")
    ).first()  # fmt: skip
    return Notified(row[0], row[1]) if row else None
