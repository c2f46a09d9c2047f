"""Life status: alive or deceased (with the date of death), for one national code or up to
10,000 in one call (a pension fund checking its payroll). A malformed code in a list is
answered with its own error and the rest are answered; a code the register does not hold
is `unknown`."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.exchange import people, service
from sabt.exchange.schemas import LifeStatusIn
from sabt.identity.access_log import access_row
from sabt.identity.service import Caller
from sabt.kit.errors import BadInput, SabtError
from sabt.persian import jalali
from sabt.registry.codes import parse_code
from sabt.registry.models import Person

_CHUNK = 1000  # codes in one IN (...) query


def codes_of(body: LifeStatusIn) -> list[str]:
    """The codes asked about, as given: one, or a list (not both)."""
    if (body.national_code is None) == (body.national_codes is None):
        raise BadInput("one_or_list", "یا national_code یا national_codes (فقط یکی) لازم است",
                       "give national_code or national_codes, not both")  # fmt: skip
    return [body.national_code] if body.national_code is not None else body.national_codes or []


def life_status(
    session: Session, caller: Caller, agency: service.Calling, raw_codes: list[str], purpose: str
) -> people.Answered:
    service.require_service(agency, "life-status")
    single = len(raw_codes) == 1
    checked: list[str | SabtError] = [_checked(raw, single) for raw in raw_codes]
    found = _people(session, [c for c in checked if isinstance(c, str)])
    results = [_result(raw, c, found) for raw, c in zip(raw_codes, checked, strict=True)]
    answered = people.Answered({"transaction_id": people.transaction_id(), "results": results})
    for code in dict.fromkeys(c for c in checked if isinstance(c, str) and c in found):
        answered.accesses.append(access_row(caller, code, "exchange.life-status", purpose,
                                            found[code].status))  # fmt: skip
    return answered


def _checked(raw: str, single: bool) -> str | SabtError:
    """The code, or (in a list) its error: one malformed code does not sink 10,000."""
    try:
        return parse_code(raw)
    except BadInput as exc:
        if single:
            raise
        return exc


def _people(session: Session, codes: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    unique = list(dict.fromkeys(codes))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = session.scalars(select(Person).where(Person.national_code.in_(chunk)))
        found.update((p.national_code, p) for p in rows)
    return found


def _result(raw: str, code: str | SabtError, found: dict[str, Person]) -> dict[str, Any]:
    if isinstance(code, SabtError):
        return {"national_code": raw, "error": code.as_json()}
    person = found.get(code)
    if person is None:
        return {"national_code": code, "status": "unknown"}
    result: dict[str, Any] = {"national_code": code, "status": person.status}
    if person.death_date is not None:
        result["death_date"] = person.death_date.isoformat()
        result["death_date_jalali"] = jalali.to_jalali(person.death_date)
    return result
