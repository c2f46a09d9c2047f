"""Yes/no verification: does the register hold a person with this national code and these
details? The answer is `match` and nothing more (and `alive`, for an agency granted life
status): which detail failed is never said, and a code the register does not hold, a
hotlisted identity and a wrong detail answer alike, so an agency cannot probe the register.
The reason is kept where the citizen and the registry can see it (the access log's outcome).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sabt.exchange import people, service
from sabt.exchange.schemas import PersonCheckIn
from sabt.identity import hoda
from sabt.identity.access_log import access_row
from sabt.identity.service import Caller
from sabt.kit.errors import BadInput
from sabt.persian import jalali
from sabt.persian.digits import to_ascii
from sabt.persian.text import same_name
from sabt.registry.models import Person

NAMES = ("first_name", "last_name", "father_name")


@dataclass(frozen=True)
class Claim:
    """What an agency says of a person: who (a national code or a VID) and at least one
    detail."""

    person: people.Named
    first_name: str | None = None
    last_name: str | None = None
    father_name: str | None = None
    birth_date: date | None = None
    booklet_serial: str | None = None


def claim_of(session: Session, body: PersonCheckIn) -> Claim:
    """The checked claim, or BadInput (a malformed code, VID or date, no detail at all)."""
    serial = to_ascii(body.booklet_serial.strip()) if body.booklet_serial else None
    claim = Claim(
        person=people.named(session, body.national_code, body.vid),
        first_name=body.first_name or None,
        last_name=body.last_name or None,
        father_name=body.father_name or None,
        birth_date=_birth_date(body.birth_date),
        booklet_serial=serial or None,
    )
    details = (claim.first_name, claim.last_name, claim.father_name, claim.birth_date, serial)
    if not any(details):
        raise BadInput("no_details", "دست‌کم یکی از مشخصات (نام، تاریخ تولد، …) لازم است",
                       "give at least one detail besides the national code")  # fmt: skip
    return claim


def outcome(person: Person | None, hotlisted: bool, claim: Claim) -> str:
    """Why the answer is what it is (kept, never told to the agency)."""
    if claim.person.refused_vid:
        return claim.person.refused_vid
    if person is None:
        return "unknown_code"
    if hotlisted:
        return "hotlisted"
    names_agree = all(
        getattr(claim, n) is None or same_name(getattr(claim, n), getattr(person, n) or "")
        for n in NAMES
    )
    if not names_agree:
        return "name_mismatch"
    if claim.birth_date is not None and claim.birth_date != person.birth_date:
        return "birth_date_mismatch"
    if claim.booklet_serial is not None and claim.booklet_serial != person.booklet_serial:
        return "booklet_mismatch"
    return "match"


def verify(
    session: Session, caller: Caller, agency: service.Calling, claim: Claim, purpose: str
) -> people.Answered:
    """The agency's answer, and the citizen's access-log row it may not leave without."""
    service.require_service(agency, "verify")
    code = claim.person.national_code
    person = session.get(Person, code) if code else None
    why = outcome(person, code is not None and hoda.hotlisted(session, code), claim)
    answer: dict[str, Any] = {"match": why == "match", "transaction_id": people.transaction_id()}
    if "life-status" in agency.services:
        answer["alive"] = why == "match" and person is not None and person.status == "alive"
    answered = people.Answered(answer)
    if person is not None:
        answered.accesses.append(access_row(caller, person.national_code, "exchange.verify",
                                            purpose, why))  # fmt: skip
    return answered


def _birth_date(value: str | None) -> date | None:
    """A Jalali date (1370/05/12, in any digits) or an ISO one (1991-08-03)."""
    if not value:
        return None
    text = to_ascii(value.strip())
    try:
        return date.fromisoformat(text) if "-" in text else jalali.from_jalali(text)
    except ValueError as exc:
        raise BadInput(
            "bad_birth_date",
            "تاریخ تولد نامعتبر است: به شکل ۱۳۷۰/۰۵/۱۲ یا 1991-08-03 بنویسید",
            f"birth_date {value!r} is not a date (1370/05/12 or 1991-08-03)",
        ) from exc
