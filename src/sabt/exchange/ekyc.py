"""eKYC: the attributes an agency is granted, for a person who consented through HODA or,
for an agency granted eKYC by law (a court, the police), under its legal basis with a case
reference. Consent is the HODA access token the citizen gave the agency: issued to one of
the agency's own relying parties (its sector), unexpired and unrevoked. An attribute not
granted never appears; a citizen's eKYC lock (for every agency or this one) lets no
attribute leave, and the attempt is in their access log all the same."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.exchange import people, service
from sabt.exchange.models import EkycLock
from sabt.exchange.schemas import EkycIn
from sabt.identity import provider
from sabt.identity.access_log import access_row
from sabt.identity.service import Caller, Forbidden
from sabt.kit.errors import BadInput
from sabt.persian import jalali, places
from sabt.registry.models import Person

ALL_AGENCIES = "*"


def ekyc(
    session: Session, caller: Caller, agency: service.Calling, body: EkycIn, key: bytes
) -> people.Answered:
    """The answer: `found`, and for a found person the agency's pseudonym and either the
    granted attributes or `locked`."""
    if body.hoda_token is not None:
        service.require_service(agency, "ekyc")
        named, purpose, basis = _consenting(session, agency, body), body.purpose, "consent"
    else:
        service.require_service(agency, "ekyc-by-law")
        named = people.named(session, body.national_code, body.vid)
        purpose, basis = f"{body.purpose} (پرونده {_case(body.case_reference)})", "law"
    code = named.national_code
    person = session.get(Person, code) if code and not named.refused_vid else None
    answered = people.Answered({"transaction_id": people.transaction_id(), "found": False})
    if code is None or (person is None and not named.refused_vid):
        return answered
    if person is None:  # a revoked VID: its holder sees the attempt
        answered.accesses.append(access_row(caller, code, "exchange.ekyc", purpose,
                                            named.refused_vid))  # fmt: skip
        return answered
    locked = is_locked(session, code, agency.code)
    answered.answer |= {"found": True, "agency_token": people.agency_token(key, agency.code, code)}
    if locked:
        answered.answer["locked"] = True
    else:
        answered.answer["attributes"] = attributes(person, set(agency.attributes))
    outcome = "locked" if locked else f"released:{basis}"
    answered.accesses.append(access_row(caller, code, "exchange.ekyc", purpose, outcome))
    return answered


def _consenting(session: Session, agency: service.Calling, body: EkycIn) -> people.Named:
    """The person whose HODA token the agency presents, when it is a live consent to this
    agency (and names the same person as any code or VID also given)."""
    grant = provider.userinfo_grant(session, body.hoda_token or "")
    if grant is None or agency.hoda_sector is None or grant.client.sector != agency.hoda_sector:
        raise Forbidden(
            "no_consent",
            "رضایت شهروند به این دستگاه (نشانهٔ معتبر هدا) در دست نیست",
            "the HODA token is not a live consent of the citizen to this agency",
        )
    code = grant.subject.national_code
    if body.national_code is not None or body.vid is not None:
        other = people.named(session, body.national_code, body.vid)
        if other.national_code != code or other.refused_vid:
            raise Forbidden("consent_other_person", "رضایت داده‌شده از آنِ این شخص نیست",
                            "the consent is not this person's")  # fmt: skip
    return people.Named(code)


def _case(reference: str | None) -> str:
    case = " ".join((reference or "").split())
    if not 3 <= len(case) <= 100:
        raise BadInput(
            "no_case_reference",
            "بدون رضایت شهروند، شمارهٔ پرونده (۳ تا ۱۰۰ نویسه) لازم است",
            "without the citizen's consent (hoda_token), give the case reference (3-100 chars)",
        )
    return case


def is_locked(session: Session, national_code: str, agency: str) -> bool:
    found = session.scalar(
        select(EkycLock.agency).where(
            EkycLock.national_code == national_code,
            EkycLock.agency.in_((ALL_AGENCIES, agency)),
        ).limit(1)
    )  # fmt: skip
    return found is not None


def attributes(person: Person, granted: set[str]) -> dict[str, Any]:
    """The person's granted attributes (deny by default: nothing else is even computed)."""
    county = places.counties()
    out: dict[str, Any] = {}
    for name in sorted(granted):
        if name == "birth_date":
            out["birth_date"] = person.birth_date.isoformat()
            out["birth_date_jalali"] = jalali.to_jalali(person.birth_date)
        elif name == "birth_place":
            out["birth_place"] = _place(county.get(person.birth_county), person.birth_county)
        elif name == "residence_county":
            found = county.get(person.residence_county)
            out["residence_county"] = _place(found, person.residence_county)
        elif name == "life_status":
            out["life_status"] = person.status
            if person.death_date is not None:
                out["death_date"] = person.death_date.isoformat()
                out["death_date_jalali"] = jalali.to_jalali(person.death_date)
        elif name in ("national_code", "first_name", "last_name", "father_name", "sex"):
            out[name] = getattr(person, name)
    return out


def _place(county: places.County | None, code: str) -> dict[str, str]:
    return {"code": code, "name_fa": county.name_fa if county else code}
