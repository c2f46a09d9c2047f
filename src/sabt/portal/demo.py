"""Three citizens of the synthetic register for `sabt demo`, enrolled at HODA so a newcomer
signs in to SAHIM at once: one who just had a baby, one whose father died, one with a long
family history. Enrolled through HODA's own enrolment (the one-time code read from a
gateway that keeps it in memory), not written into its tables."""

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from sabt.identity import hoda
from sabt.kit.settings import Settings
from sabt.persian.jalali import to_jalali
from sabt.registry.models import Marriage, MobileOwnership, Person

PASSWORD = "sahim-demo-1404"  # the demo's published password, nobody else's


@dataclass(frozen=True)
class DemoCitizen:
    story: str
    national_code: str
    name: str


class _Kept:
    """An SMS gateway that keeps the last message (the enrolment's code) in memory."""

    text = ""

    def send(self, mobile: str, text: str) -> None:
        self.text = text


def _enrollable() -> Select[Person]:
    """Living people with a booklet serial and a mobile number in their name."""
    return (
        select(Person)
        .join(MobileOwnership, MobileOwnership.national_code == Person.national_code)
        .where(Person.status == "alive", Person.booklet_serial.is_not(None))
    )


def _new_parent(session: Session) -> Person | None:
    child = aliased(Person)
    parent_of = or_(child.father_code == Person.national_code,
                    child.mother_code == Person.national_code)  # fmt: skip
    return session.scalars(
        _enrollable().join(child, parent_of).order_by(child.birth_date.desc()).limit(1)
    ).first()


def _fatherless(session: Session) -> Person | None:
    father = aliased(Person)
    return session.scalars(
        _enrollable().join(father, father.national_code == Person.father_code)
        .where(father.status == "deceased").order_by(father.death_date.desc()).limit(1)
    ).first()  # fmt: skip


def _long_history(session: Session) -> Person | None:
    married = or_(Marriage.husband_code == Person.national_code,
                  Marriage.wife_code == Person.national_code)  # fmt: skip
    return session.scalars(
        _enrollable().join(Marriage, married).group_by(Person.national_code)
        .order_by(func.count(Marriage.id).desc(), Person.birth_date).limit(1)
    ).first()  # fmt: skip


STORIES = (
    ("just had a baby (see نوزادان و فرزندان, اسناد من)", _new_parent),
    ("their father died (see وراثت)", _fatherless),
    ("a long family history: several marriages (see خانوادهٔ من)", _long_history),
)


def enrol_citizens(session: Session, settings: Settings) -> list[DemoCitizen]:
    """The three citizens, each enrolled at HODA with the demo password."""
    chosen: list[DemoCitizen] = []
    for story, find in STORIES:
        person = find(session)
        if person is None or any(c.national_code == person.national_code for c in chosen):
            continue
        _enrol(session, settings, person)
        name = f"{person.first_name} {person.last_name}"
        chosen.append(DemoCitizen(story, person.national_code, name))
    return chosen


def _enrol(session: Session, settings: Settings, person: Person) -> None:
    mobile = session.scalars(
        select(MobileOwnership.mobile).where(MobileOwnership.national_code == person.national_code)
    ).first()
    assert mobile is not None and person.booklet_serial is not None  # _enrollable() says so
    kept = _Kept()
    h = hoda.Hoda(session, settings, kept, hoda.otp_key(settings.home), agency="sabt demo")
    challenge = h.enrol_start(person.national_code, to_jalali(person.birth_date),
                              person.booklet_serial, mobile)  # fmt: skip
    code = re.search(r"\d{6}", kept.text)
    assert code is not None, "HODA's enrolment message carries a six-digit code"
    h.enrol_finish(challenge.handle, code.group(), PASSWORD)
